package dev.grapevine.anproto;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint;

/**
 * Decoded public keys of recent authors, for {@link SignedMessage#verify(KeyCache)}: a message by
 * an author seen before is verified without decoding the author's key again (a square root in the
 * field, about 8% of a verification). Authors sign many messages each, so a node that catches up or
 * ingests a feed mostly meets known keys.
 *
 * <p>A key enters the cache after BouncyCastle's full validation (canonical encoding, not of small
 * order, in the prime-order subgroup). A key that fails it is remembered as such and its messages
 * are verified from the key's bytes as {@link SignedMessage#verify()} does, so which messages
 * verify never depends on the cache. Bounded: at most {@code capacity} keys, the least recently
 * used go first. Thread-safe.
 */
public final class KeyCache {
  /** The default capacity: 4,096 keys, about 1.2 MiB. */
  public static final int DEFAULT_CAPACITY = 4_096;

  private final Cache<PublicKey, Optional<PublicPoint>> points;

  private KeyCache(int capacity) {
    this.points = CacheBuilder.newBuilder().maximumSize(capacity).build();
  }

  /**
   * A cache of at most {@code capacity} keys (each about 300 bytes).
   *
   * @throws IllegalArgumentException if {@code capacity < 1}
   */
  public static KeyCache create(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("Expected a capacity >= 1 but was " + capacity);
    }
    return new KeyCache(capacity);
  }

  /** Keys held now. */
  public long size() {
    return points.size();
  }

  /** The decoded point of {@code key}, or empty if it fails full validation. */
  Optional<PublicPoint> point(PublicKey key) {
    Optional<PublicPoint> p = points.getIfPresent(key);
    if (p == null) {
      p = Optional.ofNullable(Ed25519.decodeForVerify(key.bytes()));
      points.put(key, p);
    }
    return p;
  }
}
