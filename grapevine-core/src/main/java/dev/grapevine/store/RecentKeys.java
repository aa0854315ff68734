package dev.grapevine.store;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last {@code capacity} distinct keys the store committed, first in first out, for {@link
 * MessageStore#has}. A ring of keys with a concurrent set beside it: adding costs a set insert and
 * (when full) a removal, with none of a general cache's bookkeeping, which matters because the
 * writer adds two keys per stored message.
 *
 * <p><b>Threads.</b> {@link #add} is called by one thread at a time (the store's writer); {@link
 * #contains} by any thread.
 */
final class RecentKeys {
  private final Set<String> present = ConcurrentHashMap.newKeySet();
  private final String[] ring;
  private int next;

  /** Keeps up to {@code capacity} keys ({@code capacity >= 1}). */
  RecentKeys(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("Expected a capacity >= 1 but was " + capacity);
    }
    this.ring = new String[capacity];
  }

  /** Remembers {@code key}, forgetting the oldest key if full; one thread at a time. */
  void add(String key) {
    if (!present.add(key)) {
      return;
    }
    String oldest = ring[next];
    if (oldest != null) {
      present.remove(oldest);
    }
    ring[next] = key;
    next = next + 1 == ring.length ? 0 : next + 1;
  }

  /** Whether {@code key} is among the keys remembered. */
  boolean contains(String key) {
    return present.contains(key);
  }
}
