package dev.grapevine.conn;

import dev.grapevine.conn.db.ConnDb;
import dev.grapevine.conn.db.PeerData;
import dev.grapevine.conn.hub.HubEvent;
import dev.grapevine.conn.hub.Subscription;
import dev.grapevine.conn.query.Peer;
import dev.grapevine.transport.PeerLink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The legacy {@code gossip} API that ssb-server applications call, mapped onto the connection
 * manager as ssb-conn's compatibility layer does: {@link #peers}, {@link #get}, {@link #connect},
 * {@link #disconnect}, {@link #changes}, {@link #add}, {@link #remove}, {@link #reconnect}, {@link
 * #enable} and {@link #disable}. Addresses are the canonical text form. Thread-safe; nothing
 * blocks.
 */
public final class GossipCompat {
  private final Conn conn;

  /** The legacy API over {@code conn}. */
  public GossipCompat(Conn conn) {
    this.conn = Objects.requireNonNull(conn, "conn");
  }

  /**
   * Every known peer (remembered, connected or staged), each as its data plus {@code address} and,
   * when the hub has it, {@code state}.
   */
  public List<Map<String, Object>> peers() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Peer p : conn.query().peersAll()) {
      out.add(legacy(p));
    }
    return out;
  }

  /** The peer at {@code address}, as in {@link #peers()}. */
  public Optional<Map<String, Object>> get(String address) {
    return conn.query().peersAll().stream()
        .filter(p -> p.address().equals(address))
        .findFirst()
        .map(GossipCompat::legacy);
  }

  /**
   * Remembers {@code address} with {@code source: "manual"} if it is not remembered, then connects
   * (the old gossip plugin kept every peer it was asked to connect to).
   *
   * @throws IllegalArgumentException if the address does not parse
   */
  public CompletableFuture<PeerLink> connect(String address) {
    ConnAddress a = ConnAddress.parse(address);
    if (!conn.db().has(a.toString())) {
      conn.remember(a, Map.of("source", "manual"));
    }
    return conn.connect(a);
  }

  /** Disconnects from {@code address}; false if it was not connected. */
  public CompletableFuture<Boolean> disconnect(String address) {
    return conn.disconnect(ConnAddress.parse(address));
  }

  /**
   * Calls {@code listener} with the old change events: {@code connect}, {@code connect-failure} and
   * {@code disconnect} from the hub, {@code discover} and {@code remove} from the database, each as
   * {@code {type, peer:{address, key}}}. Close the subscription to stop.
   */
  public Subscription changes(Consumer<Map<String, Object>> listener) {
    Subscription hub =
        conn.hub()
            .listen(
                e -> {
                  String type =
                      switch (e.type()) {
                        case CONNECTED -> "connect";
                        case CONNECTING_FAILED -> "connect-failure";
                        case DISCONNECTED -> "disconnect";
                        default -> null;
                      };
                  if (type != null) {
                    listener.accept(change(type, e));
                  }
                });
    ConnDb.Subscription db =
        conn.db()
            .listen(
                c -> {
                  if (c.kind() == ConnDb.Change.Kind.INSERT) {
                    listener.accept(change("discover", c.address()));
                  } else if (c.kind() == ConnDb.Change.Kind.DELETE) {
                    listener.accept(change("remove", c.address()));
                  }
                });
    return () -> {
      hub.close();
      db.close();
    };
  }

  /**
   * Remembers {@code address} with {@code source} (for example {@code "pub"} or {@code "local"});
   * returns the stored data.
   */
  public PeerData add(String address, String source) {
    return conn.remember(ConnAddress.parse(address), Map.of("source", source));
  }

  /** Forgets {@code address} and disconnects from it; true if it was remembered. */
  public boolean remove(String address) {
    ConnAddress a = ConnAddress.parse(address);
    conn.disconnect(a);
    return conn.forget(a);
  }

  /** The round trip to the connected peer at {@code address}, as {@link Conn#ping}. */
  public CompletableFuture<java.time.Duration> ping(String address) {
    return conn.ping(ConnAddress.parse(address));
  }

  /** Disconnects every connected peer so that the scheduler dials them afresh. */
  public CompletableFuture<Void> reconnect() {
    return conn.hub().reset();
  }

  /** Starts the scheduler (the old plugin's per-type switches all map to it). */
  public void enable(String type) {
    conn.start();
  }

  /** Stops the scheduler and disconnects every peer. */
  public void disable(String type) {
    conn.stop();
  }

  private static Map<String, Object> legacy(Peer p) {
    Map<String, Object> m = new LinkedHashMap<>(p.data());
    m.put("address", p.address());
    p.state().ifPresent(s -> m.put("state", s));
    return m;
  }

  private static Map<String, Object> change(String type, HubEvent e) {
    Map<String, Object> peer = new LinkedHashMap<>();
    peer.put("address", e.address().toString());
    peer.put("key", e.key().value());
    return Map.of("type", type, "peer", peer);
  }

  private static Map<String, Object> change(String type, String address) {
    return Map.of("type", type, "peer", Map.of("address", address));
  }
}
