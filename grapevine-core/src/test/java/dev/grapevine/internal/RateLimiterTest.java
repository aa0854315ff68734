package dev.grapevine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Token buckets and the bounded per-key limiter. */
class RateLimiterTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aFullBucketAllowsItsBurstThenOneTokenPerPeriod() {
    TokenBucket b = new TokenBucket(100, 100, 0);
    for (int i = 0; i < 100; i++) {
      assertThat(b.tryTake(0)).isZero();
    }

    assertThat(b.tryTake(0)).isEqualTo(SECOND / 100);
    assertThat(b.tryTake(SECOND / 100)).isZero();
    assertThat(b.tryTake(SECOND / 100)).isPositive();
    assertThat(b.isFull(10 * SECOND)).isTrue();
  }

  @Test
  void theLimiterKeepsABucketPerKeyAndForgetsTheLeastRecentlyUsedPastItsBound() {
    KeyedRateLimiter l = new KeyedRateLimiter(1, 1, 2);

    assertThat(l.tryTake("a", 0)).isZero();
    assertThat(l.tryTake("a", 0)).isPositive();
    assertThat(l.tryTake("b", 0)).isZero();
    assertThat(l.tryTake("c", 0)).isZero();

    assertThat(l.size()).isEqualTo(2);
    assertThat(l.tryTake("a", 0)).as("a was forgotten: a full bucket again").isZero();
  }
}
