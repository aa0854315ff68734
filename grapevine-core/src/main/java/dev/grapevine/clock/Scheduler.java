package dev.grapevine.clock;

import java.time.Clock;
import java.time.Duration;

/**
 * Timers for protocol logic (retries, backoff, timeouts), separate from I/O so that tests can run
 * them on a manual clock without sleeping. {@link #system(String)} is the real one; the testing
 * module has a manual one.
 *
 * <p>Implementations are thread-safe. Tasks run on the scheduler's own thread (or, for a manual
 * scheduler, on the thread that advances it); they must be short and must not block.
 */
public interface Scheduler extends AutoCloseable {
  /** The time source the scheduler's delays are measured against. */
  Clock clock();

  /** Runs {@code task} once after {@code delay}; cancel it through the returned handle. */
  Cancellable schedule(Runnable task, Duration delay);

  /** Runs {@code task} every {@code period}, first after one period, until cancelled. */
  Cancellable scheduleAtFixedRate(Runnable task, Duration period);

  /** Cancels every pending task and stops the scheduler's thread, waiting for it. Idempotent. */
  @Override
  void close();

  /** A scheduled task that can be cancelled. */
  interface Cancellable {
    /** Cancels the task if it has not run; idempotent. */
    void cancel();
  }

  /** A real scheduler on one daemon thread named {@code name}, using the system clock. */
  static Scheduler system(String name) {
    return new SystemScheduler(name, Clock.systemUTC());
  }
}
