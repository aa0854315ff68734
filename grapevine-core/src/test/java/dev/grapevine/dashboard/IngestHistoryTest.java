package dev.grapevine.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class IngestHistoryTest {
  private static final long T0 = 1_700_000_000_000L;

  private static IngestHistory history(int buckets) {
    return new IngestHistory(
        Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC), Duration.ofSeconds(1), buckets);
  }

  @Test
  void countsLandInTheBucketOfTheirSecondOldestFirst() {
    IngestHistory h = history(4);
    h.record(T0);
    h.record(T0 + 999);
    h.record(T0 + 2_000);

    IngestHistory.Snapshot s = h.snapshot(T0 + 2_500);

    assertThat(s.bucketMillis()).isEqualTo(1_000);
    assertThat(s.endMillis()).isEqualTo(T0 + 3_000);
    assertThat(s.counts()).containsExactly(0, 2, 0, 1);
  }

  @Test
  void theWindowMovesOnWithTimeEvenWithoutMessages() {
    IngestHistory h = history(4);
    h.record(T0);

    assertThat(h.snapshot(T0 + 3_000).counts()).containsExactly(1, 0, 0, 0);
    assertThat(h.snapshot(T0 + 4_000).counts()).containsExactly(0, 0, 0, 0);
  }

  @Test
  void aGapLongerThanTheWindowClearsEveryBucket() {
    IngestHistory h = history(3);
    h.record(T0);
    h.record(T0 + 1_000);
    h.record(T0 + 2_000);

    h.record(T0 + 60_000);

    assertThat(h.snapshot(T0 + 60_000).counts()).containsExactly(0, 0, 1);
  }

  @Test
  void aClockThatStepsBackCountsInsideTheWindowAndDropsOlderTimes() {
    IngestHistory h = history(3);
    h.record(T0 + 5_000);

    h.record(T0 + 4_000); // one second back: still in the window
    h.record(T0); // five seconds back: before the window

    assertThat(h.snapshot(T0 + 5_000).counts()).containsExactly(0, 1, 1);
  }
}
