package dev.grapevine.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The seed redial schedule is MiniLedger's: 1 s × 1.5^(n−1), at most 30 s, plus up to 20 %. */
class BackoffTest {
  private static final long[] MINILEDGER_MILLIS = {
    1000, 1500, 2250, 3375, 5062, 7593, 11390, 17085, 25628, 30000, 30000, 30000
  };

  @Test
  void delaysFollowMiniLedgersScheduleWithUpToTwentyPercentJitter() {
    SplittableRandom random = new SplittableRandom(42);
    for (int n = 1; n <= MINILEDGER_MILLIS.length; n++) {
      long base = MINILEDGER_MILLIS[n - 1];
      for (int i = 0; i < 200; i++) {
        Duration d = Backoff.delay(n, random);
        assertThat(d.toMillis()).as("attempt %d", n).isBetween(base, (long) (base * 1.2) + 1);
      }
    }
  }

  @Test
  void theJitterSpreadsAcrossItsRange() {
    SplittableRandom random = new SplittableRandom(7);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 1_000; i++) {
      long ms = Backoff.delay(10, random).toMillis();
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
    assertThat(min).isLessThan(30_600);
    assertThat(max).isGreaterThan(35_400);
  }
}
