package dev.grapevine.sync;

import dev.grapevine.anproto.Hash;
import dev.grapevine.transport.PeerLink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Requests we could not answer yet: for each hash, the links that asked and until when they wait.
 * Bounded by a total number of (hash, link) pairs. Thread-safe through its monitor, which guards
 * only this map (no I/O, no callbacks).
 */
final class PendingRequests {
  private final int max;
  private final Map<Hash, LinkedHashMap<PeerLink, Long>> byHash = new HashMap<>();
  private int size;

  PendingRequests(int max) {
    this.max = max;
  }

  /**
   * Remembers that {@code link} asked for {@code hash}, until {@code deadline}.
   *
   * @return false if the table is full and the request is not remembered
   */
  synchronized boolean add(Hash hash, PeerLink link, long deadline) {
    LinkedHashMap<PeerLink, Long> askers = byHash.get(hash);
    if (askers != null && askers.containsKey(link)) {
      askers.put(link, deadline);
      return true;
    }
    if (size >= max) {
      return false;
    }
    byHash.computeIfAbsent(hash, h -> new LinkedHashMap<>()).put(link, deadline);
    size++;
    return true;
  }

  /** Forgets one request; true if it was there (so the caller is the one to answer it). */
  synchronized boolean remove(Hash hash, PeerLink link) {
    LinkedHashMap<PeerLink, Long> askers = byHash.get(hash);
    if (askers == null || askers.remove(link) == null) {
      return false;
    }
    size--;
    if (askers.isEmpty()) {
      byHash.remove(hash);
    }
    return true;
  }

  /** Removes and returns every link waiting for {@code hash}, in the order they asked. */
  synchronized List<PeerLink> take(Hash hash) {
    LinkedHashMap<PeerLink, Long> askers = byHash.remove(hash);
    if (askers == null) {
      return List.of();
    }
    size -= askers.size();
    return new ArrayList<>(askers.keySet());
  }

  /** Whether anyone waits for {@code hash}. */
  synchronized boolean has(Hash hash) {
    return byHash.containsKey(hash);
  }

  /** Forgets every request of a closed link. */
  synchronized void removeLink(PeerLink link) {
    for (Iterator<LinkedHashMap<PeerLink, Long>> it = byHash.values().iterator(); it.hasNext(); ) {
      LinkedHashMap<PeerLink, Long> askers = it.next();
      if (askers.remove(link) != null) {
        size--;
        if (askers.isEmpty()) {
          it.remove();
        }
      }
    }
  }

  /** Forgets requests whose deadline has passed. */
  synchronized void purge(long now) {
    for (Iterator<LinkedHashMap<PeerLink, Long>> it = byHash.values().iterator(); it.hasNext(); ) {
      LinkedHashMap<PeerLink, Long> askers = it.next();
      for (Iterator<Long> d = askers.values().iterator(); d.hasNext(); ) {
        if (d.next() <= now) {
          d.remove();
          size--;
        }
      }
      if (askers.isEmpty()) {
        it.remove();
      }
    }
  }

  /** The number of remembered (hash, link) pairs. */
  synchronized int size() {
    return size;
  }
}
