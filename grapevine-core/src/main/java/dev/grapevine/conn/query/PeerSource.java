package dev.grapevine.conn.query;

import java.util.Map;

/**
 * A snapshot of one pool of peers: address text to that peer's data, in the pool's order. The
 * persistent peer database implements it (or is adapted to it) without this package depending on
 * it; {@link ConnQuery#hub} and {@link ConnQuery#staging} adapt the hub and staging.
 *
 * <p>Data fields the queries read, in ssb-conn's shape: {@code stateChange} (epoch ms, a number),
 * {@code failure} (a number), {@code duration} and {@code ping.rtt} (maps with a numeric {@code
 * mean}), {@code key} (text), and from the hub {@code state} ({@code connecting}, {@code connected}
 * or {@code disconnecting}).
 */
@FunctionalInterface
public interface PeerSource {
  /** An empty pool. */
  PeerSource EMPTY = Map::of;

  /**
   * The current entries. The caller does not modify the maps; implementations may return views or
   * copies, but each call must be a consistent snapshot.
   */
  Map<String, ? extends Map<String, ?>> snapshot();
}
