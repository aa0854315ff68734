package dev.grapevine.store;

import java.util.List;

/**
 * One page of the log in arrival order, from {@link MessageStore#poll(long, int)}.
 *
 * @param entries entries with {@code seq > afterSeq}, in ascending {@code seq} order
 * @param next the cursor for the next call: the last entry's {@code seq}, or the given {@code
 *     afterSeq} when the page is empty
 */
public record Poll(List<LogEntry> entries, long next) {
  /** Copies {@code entries} into an immutable list. */
  public Poll {
    entries = List.copyOf(entries);
  }
}
