package dev.grapevine.conn.db;

import dev.grapevine.clock.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A manual {@link Scheduler} for this package's tests: time moves only in {@link #advance}, which
 * runs due tasks on the calling thread in time order. (grapevine-testing has a fuller one, which
 * core's tests cannot use.)
 */
final class TestScheduler implements Scheduler {
  private final List<Task> tasks = new ArrayList<>();
  private long nowMillis;
  private long seq;

  TestScheduler(long startMillis) {
    this.nowMillis = startMillis;
  }

  private final class Task implements Cancellable {
    final long due;
    final long order;
    final Runnable run;
    boolean cancelled;

    Task(long due, long order, Runnable run) {
      this.due = due;
      this.order = order;
      this.run = run;
    }

    @Override
    public void cancel() {
      synchronized (TestScheduler.this) {
        cancelled = true;
        tasks.remove(this);
      }
    }
  }

  long millis() {
    synchronized (this) {
      return nowMillis;
    }
  }

  /** Number of tasks waiting. */
  synchronized int pending() {
    return tasks.size();
  }

  @Override
  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(TestScheduler.this.millis());
      }
    };
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    Task t = new Task(nowMillis + Math.max(0, delay.toMillis()), seq++, task);
    tasks.add(t);
    return t;
  }

  @Override
  public Cancellable scheduleAtFixedRate(Runnable task, Duration period) {
    throw new UnsupportedOperationException("not needed by ConnDb");
  }

  /** Moves time forward by {@code d}, running every task that falls due, outside the lock. */
  void advance(Duration d) {
    long target;
    synchronized (this) {
      target = nowMillis + d.toMillis();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = null;
        for (Task t : tasks) {
          if (t.due <= target
              && (next == null
                  || t.due < next.due
                  || (t.due == next.due && t.order < next.order))) {
            next = t;
          }
        }
        if (next == null) {
          nowMillis = target;
          return;
        }
        tasks.remove(next);
        nowMillis = Math.max(nowMillis, next.due);
      }
      next.run.run();
    }
  }

  @Override
  public synchronized void close() {
    tasks.clear();
  }
}
