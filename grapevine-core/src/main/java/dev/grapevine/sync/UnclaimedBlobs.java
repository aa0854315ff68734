package dev.grapevine.sync;

import dev.grapevine.anproto.Hash;
import dev.grapevine.transport.PeerLink;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Blobs that arrived unasked, kept in memory for a while in case a signed message claiming them
 * follows (APDS {@code cli.js} sends the content before its signed message). Bounded by entries,
 * approximate heap bytes (2 per char) and age; the oldest go first. Thread-safe through its
 * monitor, which guards only this map.
 */
final class UnclaimedBlobs {
  /** A cached blob, the link it came from (null for HTTP) and when it expires. */
  record Blob(String data, PeerLink from, long expires) {
    long bytes() {
      return 2L * data.length();
    }
  }

  private final long maxBytes;
  private final int maxEntries;
  private final long ttlMillis;
  private final LinkedHashMap<Hash, Blob> blobs = new LinkedHashMap<>();
  private long bytes;

  UnclaimedBlobs(long maxBytes, int maxEntries, long ttlMillis) {
    this.maxBytes = maxBytes;
    this.maxEntries = maxEntries;
    this.ttlMillis = ttlMillis;
  }

  /**
   * Caches {@code data} under {@code hash}, evicting the oldest blobs to make room.
   *
   * @return false if the blob alone is larger than the byte bound (it is not cached)
   */
  synchronized boolean put(Hash hash, String data, PeerLink from, long now) {
    Blob blob = new Blob(data, from, now + ttlMillis);
    if (blob.bytes() > maxBytes) {
      return false;
    }
    purge(now);
    Blob old = blobs.remove(hash);
    if (old != null) {
      bytes -= old.bytes();
    }
    while (!blobs.isEmpty() && (blobs.size() >= maxEntries || bytes + blob.bytes() > maxBytes)) {
      Iterator<Blob> it = blobs.values().iterator();
      bytes -= it.next().bytes();
      it.remove();
    }
    blobs.put(hash, blob);
    bytes += blob.bytes();
    return true;
  }

  /** Removes and returns the blob cached under {@code hash}, if present and not expired. */
  synchronized Optional<Blob> take(Hash hash, long now) {
    Blob blob = blobs.remove(hash);
    if (blob == null) {
      return Optional.empty();
    }
    bytes -= blob.bytes();
    return blob.expires > now ? Optional.of(blob) : Optional.empty();
  }

  /**
   * Drops expired blobs. Every blob gets the same time to live and the map keeps insertion order,
   * so the oldest come first and the scan stops at the first one still alive ({@link #take} checks
   * expiry again, so a blob left behind by a clock step back is never handed out).
   */
  synchronized void purge(long now) {
    for (Iterator<Blob> it = blobs.values().iterator(); it.hasNext(); ) {
      Blob b = it.next();
      if (b.expires > now) {
        break;
      }
      bytes -= b.bytes();
      it.remove();
    }
  }

  synchronized int size() {
    return blobs.size();
  }

  synchronized long bytes() {
    return bytes;
  }
}
