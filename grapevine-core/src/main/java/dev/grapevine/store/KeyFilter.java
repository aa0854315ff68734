package dev.grapevine.store;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnel;
import com.google.common.hash.Funnels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys (msgHashes and blob hashes) the SQLite store may hold, so that {@link MessageStore#has}
 * answers "absent", the common answer for new data arriving, without a read. Bloom filters
 * (Guava's) with a 1% false-positive rate: "maybe" is checked in the database, so answers stay
 * exact. A filter cannot grow, so when the newest is full another one twice its size is added; a
 * key may be in any of them.
 *
 * <p><b>Threads.</b> {@link #put} is called by one thread at a time (the store's opening thread,
 * then its writer); {@link #mightContain} by any thread. Guava's filters are lock-free and
 * thread-safe; the list of filters is replaced, never changed, and published through a volatile
 * field. A key is put before the transaction that stores it commits, so once a reader can see the
 * key in the database the filter says "maybe" too.
 */
final class KeyFilter {
  /** Keys the first filter is sized for. */
  static final long FIRST_CAPACITY = 1L << 20;

  private static final double FALSE_POSITIVES = 0.01;
  private static final Funnel<CharSequence> FUNNEL =
      Funnels.stringFunnel(StandardCharsets.US_ASCII);

  private volatile List<BloomFilter<CharSequence>> filters;

  /** Keys in the newest filter and its capacity; only the putting thread uses them. */
  private long inNewest;

  private long newestCapacity;

  /** An empty filter sized for {@code expectedKeys} (at least {@link #FIRST_CAPACITY}). */
  KeyFilter(long expectedKeys) {
    newestCapacity = Math.max(FIRST_CAPACITY, expectedKeys);
    filters = List.of(BloomFilter.create(FUNNEL, newestCapacity, FALSE_POSITIVES));
  }

  /** False if {@code key} is certainly not stored; true if it may be. */
  boolean mightContain(String key) {
    for (BloomFilter<CharSequence> f : filters) {
      if (f.mightContain(key)) {
        return true;
      }
    }
    return false;
  }

  /** Records {@code key}; one thread at a time. */
  void put(String key) {
    List<BloomFilter<CharSequence>> now = filters;
    if (inNewest >= newestCapacity) {
      newestCapacity *= 2;
      List<BloomFilter<CharSequence>> grown = new ArrayList<>(now);
      grown.add(BloomFilter.create(FUNNEL, newestCapacity, FALSE_POSITIVES));
      now = List.copyOf(grown);
      filters = now;
      inNewest = 0;
    }
    if (now.get(now.size() - 1).put(key)) {
      inNewest++;
    }
  }
}
