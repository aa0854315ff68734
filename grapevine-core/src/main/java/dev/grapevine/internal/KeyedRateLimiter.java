package dev.grapevine.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@link TokenBucket} per key (a client's address), with at most {@code maxKeys} buckets in
 * memory: when a new key would pass the bound, the least recently used bucket is forgotten (that
 * client starts again with a full bucket). Thread-safe; the lock covers only the map and the
 * arithmetic.
 */
public final class KeyedRateLimiter {
  private final double rate;
  private final double burst;
  private final int maxKeys;
  private final ReentrantLock lock = new ReentrantLock();
  private final LinkedHashMap<String, TokenBucket> buckets;

  /**
   * A limiter.
   *
   * @param rate tokens per second per key
   * @param burst tokens a key may save up
   * @param maxKeys most keys tracked at once
   */
  public KeyedRateLimiter(double rate, double burst, int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("Expected maxKeys >= 1 but was " + maxKeys);
    }
    new TokenBucket(rate, burst, 0); // validates
    this.rate = rate;
    this.burst = burst;
    this.maxKeys = maxKeys;
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
            return size() > KeyedRateLimiter.this.maxKeys;
          }
        };
  }

  /**
   * Takes a token from {@code key}'s bucket.
   *
   * @return 0 if allowed, otherwise the nanoseconds until the key may try again
   */
  public long tryTake(String key, long now) {
    lock.lock();
    try {
      TokenBucket b = buckets.get(key);
      if (b == null) {
        b = new TokenBucket(rate, burst, now);
        buckets.put(key, b);
      }
      return b.tryTake(now);
    } finally {
      lock.unlock();
    }
  }

  /** The number of keys tracked now (at most {@code maxKeys}). */
  public int size() {
    lock.lock();
    try {
      return buckets.size();
    } finally {
      lock.unlock();
    }
  }
}
