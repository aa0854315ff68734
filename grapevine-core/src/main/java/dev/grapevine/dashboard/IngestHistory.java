package dev.grapevine.dashboard;

import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.sync.SyncListener;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How many signed messages were stored in each of the last {@code buckets} intervals of {@code
 * bucket} width: the data of the dashboard's ingest-rate chart, so that a page opened now sees the
 * recent past, and continues it live from the event API.
 *
 * <p>Thread-safe: the counters are guarded by this object's monitor, held only for a few array
 * writes, so {@link #messageStored} (called on the sync workers) stays quick.
 */
final class IngestHistory implements SyncListener {
  /**
   * The counts, oldest first.
   *
   * @param bucketMillis the width of one bucket
   * @param endMillis the end (exclusive) of the newest bucket, epoch milliseconds
   * @param counts messages stored per bucket, oldest first
   */
  record Snapshot(long bucketMillis, long endMillis, long[] counts) {}

  private final Clock clock;
  private final long bucketMillis;

  /** Guarded by {@code this}; bucket {@code b} lives at {@code b mod length}. */
  private final long[] counts;

  /** Guarded by {@code this}: the number ({@code time / bucketMillis}) of the newest bucket. */
  private long newest;

  IngestHistory(Clock clock, Duration bucket, int buckets) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.bucketMillis = bucket.toMillis();
    this.counts = new long[buckets];
    this.newest = Math.floorDiv(clock.millis(), bucketMillis);
  }

  @Override
  public void messageStored(VerifiedMessage message, String origin) {
    record(clock.millis());
  }

  /** Counts one message stored at {@code nowMillis}. */
  synchronized void record(long nowMillis) {
    long b = Math.floorDiv(nowMillis, bucketMillis);
    advance(b);
    if (b > newest - counts.length) {
      counts[(int) Math.floorMod(b, (long) counts.length)]++;
    }
  }

  /** The counts up to the bucket of {@code nowMillis}. */
  synchronized Snapshot snapshot(long nowMillis) {
    advance(Math.floorDiv(nowMillis, bucketMillis));
    long[] out = new long[counts.length];
    long oldest = newest - counts.length + 1;
    for (int i = 0; i < out.length; i++) {
      out[i] = counts[(int) Math.floorMod(oldest + i, (long) counts.length)];
    }
    return new Snapshot(bucketMillis, (newest + 1) * bucketMillis, out);
  }

  /** Moves the window forward to bucket {@code b}, clearing the buckets it passes over. */
  private void advance(long b) {
    if (b <= newest) {
      return; // the same bucket, or a clock that stepped back: keep the window
    }
    long first = Math.max(newest + 1, b - counts.length + 1);
    for (long i = first; i <= b; i++) {
      counts[(int) Math.floorMod(i, (long) counts.length)] = 0;
    }
    newest = b;
  }
}
