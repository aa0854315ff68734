package dev.grapevine.conn.hub;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.PeerLink;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable snapshot of one hub entry.
 *
 * @param address the peer's address (for inbound links, the remote socket with the peer's key)
 * @param key the peer's public key
 * @param state the entry's state
 * @param direction {@link Direction#OUTBOUND} while connecting and for links we dialled
 * @param inferredType {@code lan} or {@code internet}, from {@link ConnAddress#inferredType()}
 * @param hubBirth when the entry was created, epoch milliseconds of the hub's clock
 * @param hubUpdated when the entry last changed, epoch milliseconds
 * @param data extra data: the {@code connect} metadata and what {@link ConnHub#update} merged in
 * @param link the open link, or empty while connecting
 */
public record HubEntry(
    ConnAddress address,
    PublicKey key,
    ConnState state,
    Direction direction,
    String inferredType,
    long hubBirth,
    long hubUpdated,
    Map<String, Object> data,
    Optional<PeerLink> link) {
  /** Copies {@code data}. */
  public HubEntry {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(inferredType, "inferredType");
    data = Map.copyOf(data);
    Objects.requireNonNull(link, "link");
  }

  /** True when we dialled the peer (ssb-conn's {@code isClient}). */
  public boolean isClient() {
    return direction == Direction.OUTBOUND;
  }

  /**
   * The entry in ssb-conn's data shape: {@link #data()} and then the hub's own fields, which win:
   * {@code key} (text), {@code state} ({@code connecting|connected|disconnecting}), {@code
   * inferredType}, {@code isClient}, {@code hubBirth}, {@code hubUpdated}.
   */
  public Map<String, Object> toData() {
    Map<String, Object> m = new LinkedHashMap<>(data);
    m.put("key", key.value());
    m.put("state", state.wireName());
    m.put("inferredType", inferredType);
    m.put("isClient", isClient());
    m.put("hubBirth", hubBirth);
    m.put("hubUpdated", hubUpdated);
    return m;
  }
}
