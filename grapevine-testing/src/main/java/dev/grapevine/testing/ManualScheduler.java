package dev.grapevine.testing;

import dev.grapevine.clock.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose tasks run only when a test advances its {@link ManualClock}, on the
 * test's thread, in due order. Thread-safe: protocol code may schedule from any thread.
 */
public final class ManualScheduler implements Scheduler {
  private final ManualClock clock;
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long sequence;
  private boolean closed;

  private ManualScheduler(ManualClock clock) {
    this.clock = clock;
  }

  /** A scheduler on a new manual clock at {@code start}. */
  public static ManualScheduler at(Instant start) {
    return new ManualScheduler(ManualClock.at(start));
  }

  /** A scheduler driven by {@code clock}. */
  public static ManualScheduler on(ManualClock clock) {
    return new ManualScheduler(clock);
  }

  @Override
  public ManualClock clock() {
    return clock;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    return add(task, clock.millis() + Math.max(0, delay.toMillis()), 0);
  }

  @Override
  public synchronized Cancellable scheduleAtFixedRate(Runnable task, Duration period) {
    long p = Math.max(1, period.toMillis());
    return add(task, clock.millis() + p, p);
  }

  /**
   * Moves the clock forward by {@code by}, running every task that falls due on the way, each at
   * its due time. Returns the number of tasks run.
   */
  public int advance(Duration by) {
    long target = clock.millis() + by.toMillis();
    int ran = 0;
    while (true) {
      Task next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.dueMillis > target) {
          break;
        }
        queue.poll();
        if (next.cancelled) {
          continue;
        }
        if (next.dueMillis > clock.millis()) {
          clock.set(Instant.ofEpochMilli(next.dueMillis));
        }
        if (next.periodMillis > 0) {
          next.dueMillis += next.periodMillis;
          queue.add(next);
        }
      }
      next.task.run();
      ran++;
    }
    synchronized (this) {
      if (clock.millis() < target) {
        clock.set(Instant.ofEpochMilli(target));
      }
    }
    return ran;
  }

  /** Runs the tasks already due without moving the clock. */
  public int runDue() {
    return advance(Duration.ZERO);
  }

  /** Due times of the pending tasks, soonest first. */
  public synchronized List<Instant> pending() {
    List<Instant> out = new ArrayList<>();
    queue.stream()
        .filter(t -> !t.cancelled)
        .sorted()
        .forEach(t -> out.add(Instant.ofEpochMilli(t.dueMillis)));
    return out;
  }

  @Override
  public synchronized void close() {
    closed = true;
    queue.clear();
  }

  /** This scheduler's clock as a plain {@link Clock}. */
  public Clock asClock() {
    return clock;
  }

  private Cancellable add(Runnable task, long due, long period) {
    if (closed) {
      throw new IllegalStateException("scheduler is closed");
    }
    Task t = new Task(task, due, period, sequence++);
    queue.add(t);
    return () -> {
      synchronized (ManualScheduler.this) {
        t.cancelled = true;
      }
    };
  }

  private static final class Task implements Comparable<Task> {
    final Runnable task;
    final long periodMillis;
    final long order;
    long dueMillis;
    boolean cancelled;

    Task(Runnable task, long dueMillis, long periodMillis, long order) {
      this.task = task;
      this.dueMillis = dueMillis;
      this.periodMillis = periodMillis;
      this.order = order;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(dueMillis, o.dueMillis);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }
}
