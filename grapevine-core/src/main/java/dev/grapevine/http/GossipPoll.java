package dev.grapevine.http;

import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import dev.grapevine.store.Poll;
import java.util.List;

/**
 * {@code GET /gossip/poll?since=&limit=}: the cursor that never skips a message.
 *
 * <p>The reference answers with the entries whose signed timestamp is greater than {@code since}
 * and returns the largest timestamp it saw as {@code nextSince}. Over a log in arrival order that
 * skips every message that arrives late with an older timestamp, and its {@code limit} can cut
 * between entries that share a timestamp. Here the cursor is the store's arrival sequence number
 * instead, and {@code since} is read by its size:
 *
 * <ul>
 *   <li>{@code since} &lt; 10<sup>12</sup>: an arrival sequence number ({@code 0} = from the
 *       start). The answer is the next {@code limit} entries in arrival order.
 *   <li>10<sup>12</sup> &le; {@code since} &lt; 10<sup>13</sup>: a 13-digit millisecond timestamp,
 *       the reference's meaning (Wiredove's publish confirmation sends its signed timestamp minus
 *       10 s; its fallback poller starts from its newest entry's timestamp). The answer is the
 *       first {@code limit} entries with signed timestamp &gt; {@code since}, ordered by timestamp,
 *       then arrival.
 *   <li>{@code since} &ge; 10<sup>13</sup>: a sequence cursor as returned in {@code nextSince},
 *       that is 10<sup>13</sup> + the sequence number.
 * </ul>
 *
 * <p>{@code nextSince} is always a sequence cursor, 10<sup>13</sup> + {@code seq}. It is offset
 * above every 13-digit timestamp because clients keep {@code max(since, nextSince)} (Wiredove's
 * poller does, after starting from a timestamp): a bare sequence number would never win that
 * comparison and the client would repeat its first page forever. The cursor is advanced only over
 * entries actually returned: in sequence mode it is the last returned entry's number; in timestamp
 * mode it is one below the smallest number of a matching entry that was left out (by the limit or
 * the size bound), or the end of the scanned log if none was. So the next poll may repeat some
 * entries (clients dedupe by hash) but never misses one that this request matched or that arrives
 * later. Sequence cursors belong to one store: a cursor beyond its last entry returns nothing until
 * the log grows past it.
 */
final class GossipPoll {
  /** The smallest {@code since} read as a timestamp: 10<sup>12</sup> ms (September 2001). */
  static final long TIMESTAMP_MIN = 1_000_000_000_000L;

  /**
   * The offset of sequence cursors and the smallest {@code since} read as one: 10<sup>13</sup>,
   * larger than every 13-digit timestamp and far below 2<sup>53</sup>, so JavaScript keeps it
   * exact.
   */
  static final long SEQUENCE_CURSOR_BASE = 10_000_000_000_000L;

  private GossipPoll() {}

  /** The cursor for "continue after sequence number {@code seq}". */
  static long cursor(long seq) {
    return SEQUENCE_CURSOR_BASE + seq;
  }

  /** Whether {@code since} is a millisecond timestamp rather than a sequence cursor. */
  static boolean isTimestamp(long since) {
    return since >= TIMESTAMP_MIN && since < SEQUENCE_CURSOR_BASE;
  }

  /**
   * The JSON answer for a validated request; reads the store, so call it on the reader executor.
   *
   * @param since at least 0
   * @param limit entries, at least 1 (already clamped)
   * @param maxChars the soft size bound of the body
   */
  static String answer(MessageStore store, long since, int limit, int maxChars) {
    if (isTimestamp(since)) {
      return newerThanTimestamp(store, since, limit, maxChars);
    }
    long afterSeq = since >= SEQUENCE_CURSOR_BASE ? since - SEQUENCE_CURSOR_BASE : since;
    Poll poll = store.poll(afterSeq, limit);
    List<LogEntry> entries = poll.entries();
    return JsonBodies.pollBody(
            entries,
            maxChars,
            n -> cursor(n == entries.size() ? poll.next() : entries.get(n - 1).seq()))
        .json();
  }

  private static String newerThanTimestamp(
      MessageStore store, long sinceMillis, int limit, int maxChars) {
    LogReads.Window window = LogReads.newerThan(store, sinceMillis, limit);
    List<LogEntry> entries = window.entries();
    return JsonBodies.pollBody(
            entries,
            maxChars,
            n -> {
              long firstLeftOut = window.minSkippedSeq();
              for (int i = n; i < entries.size(); i++) {
                firstLeftOut = Math.min(firstLeftOut, entries.get(i).seq());
              }
              return cursor(
                  firstLeftOut == Long.MAX_VALUE ? window.scannedThrough() : firstLeftOut - 1);
            })
        .json();
  }
}
