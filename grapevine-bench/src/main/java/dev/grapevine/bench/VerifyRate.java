package dev.grapevine.bench;

import dev.grapevine.anproto.SignedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The machine's Ed25519 verify rate on the node's own code path, {@code
 * SignedMessage.parse(text).verify()} (strict parse, BouncyCastle verify), on a given number of
 * threads. It is the baseline end-to-end figures are divided by, because the machines we run on are
 * shared and noisy: a ratio survives a busy neighbour better than an absolute rate.
 *
 * <p>Each thread loops over the same pre-signed frames; only operations that start inside the
 * measured window count. Blocking: {@link #measure} returns after warm-up plus measurement.
 */
public final class VerifyRate {
  /**
   * A measured rate.
   *
   * @param threads threads that verified in parallel
   * @param operations verifications completed in the measured window
   * @param elapsed the measured window
   * @param cpu CPU time the whole process used in the window (negative if unknown)
   */
  public record Result(int threads, long operations, Duration elapsed, Duration cpu) {
    /** Verifications per second, all threads together. */
    public double perSecond() {
      return operations / (elapsed.toNanos() / 1e9);
    }

    /** Verifications per second per thread. */
    public double perThread() {
      return perSecond() / threads;
    }

    /** CPU microseconds per verification, or -1 if unknown. */
    public double cpuMicrosEach() {
      return cpu.isNegative() || operations == 0 ? -1 : cpu.toNanos() / 1e3 / operations;
    }
  }

  private VerifyRate() {}

  /**
   * Verifies {@code signed} frames round-robin on {@code threads} threads for {@code warmup}, then
   * counts for {@code measure}.
   *
   * @throws IllegalArgumentException if {@code signed} is empty, {@code threads < 1} or {@code
   *     measure} is not positive
   * @throws IllegalStateException if a frame does not verify (the corpus is broken)
   */
  public static Result measure(
      List<String> signed, int threads, Duration warmup, Duration measure) {
    Objects.requireNonNull(signed, "signed");
    if (signed.isEmpty()) {
      throw new IllegalArgumentException("Expected at least one signed message to verify");
    }
    String[] frames = signed.toArray(new String[0]);
    return measure(
        frames.length, i -> SignedMessage.parse(frames[i]).verify(), threads, warmup, measure);
  }

  /**
   * One verification of item {@code i} of a corpus: the operation {@link #measure(int, Operation,
   * int, Duration, Duration)} counts. Called concurrently from several threads.
   */
  @FunctionalInterface
  public interface Operation {
    /**
     * Verifies item {@code i}.
     *
     * @throws RuntimeException if the item does not verify (the corpus is broken)
     */
    void verify(int i);
  }

  /**
   * Runs {@code operation} over items {@code 0..size-1} round-robin on {@code threads} threads for
   * {@code warmup}, then counts for {@code measure}.
   *
   * @throws IllegalArgumentException if {@code size < 1}, {@code threads < 1} or {@code measure} is
   *     not positive
   * @throws IllegalStateException if an item does not verify
   */
  public static Result measure(
      int size, Operation operation, int threads, Duration warmup, Duration measure) {
    Objects.requireNonNull(operation, "operation");
    if (size < 1) {
      throw new IllegalArgumentException("Expected at least one item to verify");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("Expected threads >= 1 but was " + threads);
    }
    if (measure.isNegative() || measure.isZero()) {
      throw new IllegalArgumentException("Expected a positive measurement time but was " + measure);
    }
    Phase phase = new Phase();
    AtomicLong total = new AtomicLong();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(threads);
    CountDownLatch finished = new CountDownLatch(threads);
    List<Thread> workers = new ArrayList<>(threads);
    for (int t = 0; t < threads; t++) {
      int offset = (int) ((long) t * size / threads);
      Thread w =
          new Thread(
              () -> {
                long counted = 0;
                int i = offset;
                started.countDown();
                try {
                  int p;
                  while ((p = phase.value) != Phase.STOP) {
                    operation.verify(i);
                    if (p == Phase.MEASURE) {
                      counted++;
                    }
                    if (++i == size) {
                      i = 0;
                    }
                  }
                } catch (RuntimeException e) {
                  failure.compareAndSet(null, e);
                } finally {
                  total.addAndGet(counted);
                  finished.countDown();
                }
              },
              "grapevine-bench-verify-" + (t + 1));
      w.setDaemon(true);
      workers.add(w);
      w.start();
    }
    long start;
    long end;
    CpuTimes cpuStart;
    CpuTimes.Usage cpu;
    try {
      started.await();
      sleep(warmup);
      cpuStart = CpuTimes.now();
      start = System.nanoTime();
      phase.value = Phase.MEASURE;
      sleep(measure);
      phase.value = Phase.STOP;
      end = System.nanoTime();
      cpu = CpuTimes.now().since(cpuStart);
      finished.await();
    } catch (InterruptedException e) {
      phase.value = Phase.STOP;
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while measuring the verify rate", e);
    } finally {
      phase.value = Phase.STOP;
    }
    if (failure.get() != null) {
      throw new IllegalStateException("A corpus message did not verify", failure.get());
    }
    return new Result(
        threads,
        total.get(),
        Duration.ofNanos(end - start),
        Duration.ofMillis(cpu.processMillis()));
  }

  private static void sleep(Duration d) throws InterruptedException {
    if (!d.isNegative() && !d.isZero()) {
      Thread.sleep(d.toMillis());
    }
  }

  /** The phase all threads read; written only by the measuring thread. */
  private static final class Phase {
    static final int WARMUP = 0;
    static final int MEASURE = 1;
    static final int STOP = 2;

    volatile int value = WARMUP;
  }
}
