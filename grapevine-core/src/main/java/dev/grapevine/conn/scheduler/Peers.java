package dev.grapevine.conn.scheduler;

import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.query.Peer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Readings of a query result's data, with ssb-conn's JavaScript semantics. Stateless. */
final class Peers {
  private static final Set<String> PLAIN_TYPES =
      Set.of("bt", "lan", "internet", "dht", "pub", "room");

  private Peers() {}

  /**
   * ssb-conn 6's {@code detectType}: the first of {@code type}, the room-attendant kinds, {@code
   * source}, the hub's {@code inferredType} and the address prefix that names a type, else {@code
   * "?"}.
   */
  static String detectType(Peer p) {
    Map<String, Object> d = p.data();
    Object type = d.get("type");
    if (type instanceof String t && PLAIN_TYPES.contains(t)) {
      return t;
    }
    if ("room-endpoint".equals(type) || "room-attendant".equals(type)) {
      return truthy(d.get("alias")) ? "room-attendant-alias" : "room-attendant";
    }
    Object source = d.get("source");
    if ("local".equals(source)) {
      return "lan";
    }
    if ("pub".equals(source) || "internet".equals(source) || "dht".equals(source)) {
      return (String) source;
    }
    Object inferred = d.get("inferredType");
    if ("bt".equals(inferred)
        || "lan".equals(inferred)
        || "dht".equals(inferred)
        || "internet".equals(inferred)) {
      return (String) inferred;
    }
    if (p.address().startsWith("bt:")) {
      return "bt";
    }
    if (p.address().startsWith("dht:")) {
      return "dht";
    }
    return "?";
  }

  /** True for {@code type: "room"} (the only type the room quota counts). */
  static boolean isRoom(Peer p) {
    return "room".equals(detectType(p));
  }

  /** {@code p.stateChange ?? p.hubUpdated ?? 0}: the time of the peer's last state change. */
  static long lastChange(Peer p) {
    if (p.data().get("stateChange") instanceof Number n) {
      return n.longValue();
    }
    if (p.data().get("hubUpdated") instanceof Number n) {
      return n.longValue();
    }
    return 0;
  }

  /** The hub's {@code hubUpdated}, or 0. */
  static long hubUpdated(Peer p) {
    return p.data().get("hubUpdated") instanceof Number n ? n.longValue() : 0;
  }

  /** The hub's {@code hubBirth} (when the entry appeared), else {@code hubUpdated}, else 0. */
  static long hubBirth(Peer p) {
    return p.data().get("hubBirth") instanceof Number n ? n.longValue() : hubUpdated(p);
  }

  /** {@code failure || 0}. */
  static long failure(Peer p) {
    return p.data().get("failure") instanceof Number n ? Math.max(0, n.longValue()) : 0;
  }

  /** {@code autoconnect !== false}. */
  static boolean autoconnect(Peer p) {
    return !Boolean.FALSE.equals(p.data().get("autoconnect"));
  }

  /** True when we dialled the peer (the hub's {@code isClient}). */
  static boolean isClient(Peer p) {
    return Boolean.TRUE.equals(p.data().get("isClient"));
  }

  /** The address, if it is one this node can dial (ws or wss with a key). */
  static Optional<ConnAddress> address(Peer p) {
    try {
      return Optional.of(ConnAddress.parse(p.address()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** True when the address's host is this machine, which is reachable without a network. */
  static boolean isLoopback(ConnAddress a) {
    String h = a.host();
    return h.equals("localhost")
        || h.equals("::1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /**
   * The peers in order, without a second result for an address or key already seen (ssb-conn's
   * queries list a peer both in the database and in staging twice).
   */
  static List<Peer> distinct(List<Peer> peers) {
    Set<String> seen = new HashSet<>();
    List<Peer> out = new ArrayList<>(peers.size());
    for (Peer p : peers) {
      String key = p.key().orElse(null);
      boolean fresh = seen.add("a:" + p.address());
      if (key != null) {
        fresh &= seen.add("k:" + key);
      }
      if (fresh) {
        out.add(p);
      }
    }
    return out;
  }

  /** The peer's key, or its address when it has none: one identity per peer within a round. */
  static String identity(Peer p) {
    return p.key().map(k -> "k:" + k).orElse("a:" + p.address());
  }

  private static boolean truthy(Object v) {
    if (v == null || Boolean.FALSE.equals(v)) {
      return false;
    }
    if (v instanceof Number n) {
      return n.doubleValue() != 0 && !Double.isNaN(n.doubleValue());
    }
    return !(v instanceof CharSequence s) || s.length() > 0;
  }
}
