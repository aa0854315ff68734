package dev.grapevine.internal;

/**
 * A token bucket: {@code rate} tokens per second up to {@code burst}, starting full. Not
 * thread-safe: each bucket has one owner (a connection's I/O thread) or is used under a lock. Time
 * is passed in, in nanoseconds of any monotonic origin, so tests drive it with a manual clock.
 */
public final class TokenBucket {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final double rate;
  private final double burst;
  private double tokens;
  private long last;

  /**
   * A full bucket.
   *
   * @param rate tokens added per second, positive
   * @param burst most tokens held, at least 1
   * @param now the current time in nanoseconds
   */
  public TokenBucket(double rate, double burst, long now) {
    if (!(rate > 0) || !(burst >= 1)) {
      throw new IllegalArgumentException(
          "Expected rate > 0 and burst >= 1 but was " + rate + " and " + burst);
    }
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  /**
   * Takes one token if there is one.
   *
   * @return 0 if a token was taken, otherwise the nanoseconds until one will be there (at least 1)
   */
  public long tryTake(long now) {
    refill(now);
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / rate * NANOS_PER_SECOND));
  }

  /** Whether the bucket is full at {@code now}, so forgetting it changes nothing. */
  public boolean isFull(long now) {
    refill(now);
    return tokens >= burst;
  }

  private void refill(long now) {
    long elapsed = now - last;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * rate / NANOS_PER_SECOND);
      last = now;
    }
  }
}
