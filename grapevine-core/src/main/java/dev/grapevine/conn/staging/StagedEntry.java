package dev.grapevine.conn.staging;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable snapshot of one staged peer.
 *
 * @param address the peer's address
 * @param stagingBirth when it was first staged, epoch milliseconds of the staging clock
 * @param stagingUpdated when it was last staged or updated, epoch milliseconds
 * @param data what {@link ConnStaging#stage} was given, merged over earlier stagings (for example
 *     {@code type}: {@code lan}, {@code internet}, {@code pub})
 */
public record StagedEntry(
    ConnAddress address, long stagingBirth, long stagingUpdated, Map<String, Object> data) {
  /** Copies {@code data}. */
  public StagedEntry {
    Objects.requireNonNull(address, "address");
    data = Map.copyOf(data);
  }

  /** The peer's key (from the address). */
  public PublicKey key() {
    return address.key();
  }

  /**
   * The entry in ssb-conn's data shape: {@link #data()}, then {@code key} (text), {@code
   * stagingBirth} and {@code stagingUpdated}.
   */
  public Map<String, Object> toData() {
    Map<String, Object> m = new LinkedHashMap<>(data);
    m.put("key", key().value());
    m.put("stagingBirth", stagingBirth);
    m.put("stagingUpdated", stagingUpdated);
    return m;
  }
}
