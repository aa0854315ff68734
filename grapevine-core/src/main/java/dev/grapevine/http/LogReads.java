package dev.grapevine.http;

import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import dev.grapevine.store.Poll;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Timestamp-ordered reads of the log with bounded memory, built on {@link MessageStore#poll}: the
 * log is walked in arrival order, page by page, and only the first {@code keep} matching entries in
 * timestamp order are held. This costs one pass over the log per call; a store method that reads a
 * range of its (ts, seq) index would make it proportional to the answer (see the package notes).
 * Called on the reader executor only.
 */
final class LogReads {
  /** Entries read from the store per step of a scan. */
  static final int SCAN_PAGE = 1_000;

  private static final Comparator<LogEntry> LAST_FIRST = LogEntry.TIMESTAMP_ORDER.reversed();

  private LogReads() {}

  /**
   * The result of {@link #newerThan}.
   *
   * @param entries the first matching entries in {@link LogEntry#TIMESTAMP_ORDER}, at most {@code
   *     keep}
   * @param minSkippedSeq the smallest {@code seq} among matching entries that did not fit, or
   *     {@link Long#MAX_VALUE} if every matching entry is in {@code entries}
   * @param scannedThrough the scan saw every entry with {@code seq <= scannedThrough}; entries
   *     committed later have larger numbers
   */
  record Window(List<LogEntry> entries, long minSkippedSeq, long scannedThrough) {
    /** Whether some matching entry did not fit. */
    boolean skippedAny() {
      return minSkippedSeq != Long.MAX_VALUE;
    }
  }

  /**
   * The first {@code keep} entries, in timestamp order, whose signed timestamp is greater than
   * {@code afterMillis} ({@link Long#MIN_VALUE} for all).
   */
  static Window newerThan(MessageStore store, long afterMillis, long keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("Expected keep >= 1 but was " + keep);
    }
    PriorityQueue<LogEntry> kept = new PriorityQueue<>(LAST_FIRST);
    long minSkipped = Long.MAX_VALUE;
    long cursor = 0;
    while (true) {
      Poll page = store.poll(cursor, SCAN_PAGE);
      if (page.entries().isEmpty()) {
        break;
      }
      for (LogEntry e : page.entries()) {
        if (e.timestampMillis() <= afterMillis) {
          continue;
        }
        if (kept.size() < keep) {
          kept.add(e);
        } else if (LogEntry.TIMESTAMP_ORDER.compare(e, kept.peek()) < 0) {
          minSkipped = Math.min(minSkipped, kept.poll().seq());
          kept.add(e);
        } else {
          minSkipped = Math.min(minSkipped, e.seq());
        }
      }
      cursor = page.next();
    }
    List<LogEntry> out = new ArrayList<>(kept);
    out.sort(LogEntry.TIMESTAMP_ORDER);
    return new Window(out, minSkipped, cursor);
  }
}
