package dev.grapevine.events;

import java.util.Optional;

/** The topics of the event API; a client subscribes to topics and gets their events. */
public enum Topic {
  /** Messages and blobs stored, relayed, purged or replaced. */
  FILE_OPERATIONS("file_operations"),
  /** Peers connecting, disconnecting, changing health; the mesh changing shape. */
  PEER_NETWORK("peer_network"),
  /** Periodic measurements of storage, network and performance. */
  SYSTEM("system"),
  /** Things an operator should look at: security, storage, performance, network. */
  ALERTS("alerts");

  private final String wireName;

  Topic(String wireName) {
    this.wireName = wireName;
  }

  /** The name on the wire, for example {@code "file_operations"}. */
  public String wireName() {
    return wireName;
  }

  /** The topic with this wire name. */
  public static Optional<Topic> fromWire(String name) {
    for (Topic t : values()) {
      if (t.wireName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
