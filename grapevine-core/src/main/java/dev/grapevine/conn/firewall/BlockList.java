package dev.grapevine.conn.firewall;

import dev.grapevine.anproto.PublicKey;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An explicit, mutable, in-memory list of blocked keys (for example from the command line or an
 * application's own block list). Thread-safe: any thread may change it while the firewall reads it.
 * Combine it with the database's blocked peers through {@link KeySet#or}.
 */
public final class BlockList implements KeySet {
  private final Set<PublicKey> keys = ConcurrentHashMap.newKeySet();

  /** An empty list. */
  public BlockList() {}

  /** Adds {@code key}; returns false if it was already blocked. */
  public boolean block(PublicKey key) {
    return keys.add(Objects.requireNonNull(key, "key"));
  }

  /** Removes {@code key}; returns false if it was not blocked. */
  public boolean unblock(PublicKey key) {
    return keys.remove(Objects.requireNonNull(key, "key"));
  }

  @Override
  public boolean contains(PublicKey key) {
    return keys.contains(key);
  }

  /** A copy of the blocked keys. */
  public Set<PublicKey> snapshot() {
    return Set.copyOf(keys);
  }
}
