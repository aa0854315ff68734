package dev.grapevine.conn.query;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A query result: an address, the pool its data came from, and the data (a fresh unmodifiable copy
 * per query).
 *
 * @param address the address text
 * @param pool where the data came from
 * @param data the peer's data, merged with the hub's fields for peers in the hub
 */
public record Peer(String address, Pool pool, Map<String, Object> data) {
  /** Copies {@code data}. */
  public Peer {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(pool, "pool");
    data = Map.copyOf(data);
  }

  /**
   * The hub state ({@code connecting}, {@code connected}, {@code disconnecting}), if in the hub.
   */
  public Optional<String> state() {
    return data.get("state") instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /** The {@code key} field, if any. */
  public Optional<String> key() {
    return data.get("key") instanceof String s ? Optional.of(s) : Optional.empty();
  }
}
