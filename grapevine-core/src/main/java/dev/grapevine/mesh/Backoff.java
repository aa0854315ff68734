package dev.grapevine.mesh;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** MiniLedger's reconnect schedule: 1 s × 1.5^(n−1), at most 30 s, plus up to 20 % jitter. */
final class Backoff {
  static final long BASE_MILLIS = 1_000;
  static final long CAP_MILLIS = 30_000;

  private Backoff() {}

  /** The delay before attempt {@code n} (1 for the first retry). */
  static Duration delay(int n, RandomGenerator random) {
    double d = Math.min(BASE_MILLIS * Math.pow(1.5, Math.max(0, n - 1)), CAP_MILLIS);
    return Duration.ofMillis((long) (d + random.nextDouble() * 0.2 * d));
  }
}
