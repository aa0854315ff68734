package dev.grapevine.conn.firewall;

import dev.grapevine.anproto.PublicKey;
import java.util.Objects;
import java.util.Set;

/**
 * A set of public keys the {@link Firewall} asks about, such as "blocked" or "known". It is asked
 * once per decision, on the thread that calls {@link Firewall#admit}, with no lock held, so an
 * implementation may read a live source (the peer database) but must answer quickly and be
 * thread-safe.
 */
@FunctionalInterface
public interface KeySet {
  /** True if {@code key} is in the set. */
  boolean contains(PublicKey key);

  /** The empty set. */
  static KeySet none() {
    return key -> false;
  }

  /** A fixed set: a copy of {@code keys}. */
  static KeySet of(Set<PublicKey> keys) {
    Set<PublicKey> copy = Set.copyOf(keys);
    return copy::contains;
  }

  /** The union of this set and {@code other}: asks this one first. */
  default KeySet or(KeySet other) {
    Objects.requireNonNull(other, "other");
    return key -> contains(key) || other.contains(key);
  }
}
