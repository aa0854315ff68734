package dev.grapevine.conn.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.db.ConnDb;
import dev.grapevine.conn.db.PeerData;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link KeySet}s read from a {@link ConnDb} at each decision (a scan of its snapshot, so linear in
 * the number of stored peers, which is small).
 *
 * <p>A peer's key is its data's {@code key} field, or else the {@code shs} key of its address. A
 * peer is blocked when its data has {@code "blocked": true}; every stored peer is known, blocked or
 * not. If the database is closed, {@link ConnDb#entries} throws and the firewall rejects with
 * {@link Firewall.Reason#LOOKUP_FAILED}.
 */
public final class ConnDbKeys {
  private ConnDbKeys() {}

  /** The keys of the peers whose data has {@code "blocked": true}. */
  public static KeySet blocked(ConnDb db) {
    Objects.requireNonNull(db, "db");
    return key -> anyMatch(db, key, true);
  }

  /** The keys of every peer in the database. */
  public static KeySet known(ConnDb db) {
    Objects.requireNonNull(db, "db");
    return key -> anyMatch(db, key, false);
  }

  /** True if {@code data} has the boolean {@code blocked} set to true. */
  public static boolean isBlocked(PeerData data) {
    return data.get("blocked")
        .filter(JsonNode::isBoolean)
        .map(JsonNode::booleanValue)
        .orElse(false);
  }

  private static boolean anyMatch(ConnDb db, PublicKey key, boolean blockedOnly) {
    for (Map.Entry<String, PeerData> e : db.entries()) {
      if (blockedOnly && !isBlocked(e.getValue())) {
        continue;
      }
      if (keyOf(e.getKey(), e.getValue()).filter(key.value()::equals).isPresent()) {
        return true;
      }
    }
    return false;
  }

  private static Optional<String> keyOf(String address, PeerData data) {
    Optional<String> key = data.key();
    if (key.isPresent()) {
      return key;
    }
    try {
      return Optional.of(ConnAddress.parse(address).key().value());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
