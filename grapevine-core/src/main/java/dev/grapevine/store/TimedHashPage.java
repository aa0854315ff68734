package dev.grapevine.store;

import java.util.List;

/**
 * One page of {@link MessageStore#timedHashLog(long, int)}.
 *
 * @param entries entries with {@code seq > afterSeq}, in ascending {@code seq} order
 * @param next the cursor for the next call: the {@code seq} of the last entry, or the given {@code
 *     afterSeq} when the page is empty
 */
public record TimedHashPage(List<TimedHash> entries, long next) {
  /** Copies {@code entries} into an immutable list. */
  public TimedHashPage {
    entries = List.copyOf(entries);
  }
}
