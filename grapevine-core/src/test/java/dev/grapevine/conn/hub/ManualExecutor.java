package dev.grapevine.conn.hub;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/** A serial executor the test drains on its own thread, so the hub runs deterministically. */
final class ManualExecutor implements Executor {
  private final Queue<Runnable> tasks = new ArrayDeque<>();

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  /** Runs queued tasks, including ones they queue, until none is left. */
  void runAll() {
    for (int i = 0; i < 100_000 && !tasks.isEmpty(); i++) {
      tasks.poll().run();
    }
    if (!tasks.isEmpty()) {
      throw new AssertionError("the hub keeps queueing work");
    }
  }
}
