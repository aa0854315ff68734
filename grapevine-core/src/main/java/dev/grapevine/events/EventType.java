package dev.grapevine.events;

/**
 * The event types the node publishes, each on its topic. The {@code data} each one carries is
 * listed in {@code package-info.java} and the README. Other parts and applications may publish
 * types of their own with {@link NodeEvents#publish(Topic, String, java.util.Map)}.
 */
public enum EventType {
  /** A signed message or a blob was committed for the first time. */
  FILE_UPLOADED(Topic.FILE_OPERATIONS, "file_uploaded"),
  /** A newly stored message or blob was sent on to other peers. */
  FILE_REPLICATED(Topic.FILE_OPERATIONS, "file_replicated"),
  /** Stored data was purged. */
  FILE_DELETED(Topic.FILE_OPERATIONS, "file_deleted"),
  /** Stored data was replaced. */
  FILE_UPDATED(Topic.FILE_OPERATIONS, "file_updated"),
  /** A peer link opened. */
  PEER_CONNECTED(Topic.PEER_NETWORK, "peer_connected"),
  /** A peer link closed, with the reason. */
  PEER_DISCONNECTED(Topic.PEER_NETWORK, "peer_disconnected"),
  /** A peer's round-trip time or missed pongs changed its health. */
  PEER_HEALTH_CHANGED(Topic.PEER_NETWORK, "peer_health_changed"),
  /** The set of peers or the shape of the mesh changed. */
  NETWORK_TOPOLOGY_CHANGED(Topic.PEER_NETWORK, "network_topology_changed"),
  /** Storage, network and performance together, every metrics interval. */
  SYSTEM_METRICS(Topic.SYSTEM, "system_metrics"),
  /** The storage part of {@link #SYSTEM_METRICS}. */
  STORAGE_METRICS(Topic.SYSTEM, "storage_metrics"),
  /** The network part of {@link #SYSTEM_METRICS}. */
  NETWORK_METRICS(Topic.SYSTEM, "network_metrics"),
  /** The performance part of {@link #SYSTEM_METRICS}. */
  PERFORMANCE_METRICS(Topic.SYSTEM, "performance_metrics"),
  /** The node is overloaded: work dropped, queues full. */
  PERFORMANCE_ALERT(Topic.ALERTS, "performance_alert"),
  /** Bad signatures, junk frames, refused origins, failed authentication, rate limits. */
  SECURITY_ALERT(Topic.ALERTS, "security_alert"),
  /** The disk is nearly full. */
  STORAGE_ALERT(Topic.ALERTS, "storage_alert"),
  /** Peer links failing: slow consumers, protocol violations. */
  NETWORK_ALERT(Topic.ALERTS, "network_alert");

  private final Topic topic;
  private final String wireName;

  EventType(Topic topic, String wireName) {
    this.topic = topic;
    this.wireName = wireName;
  }

  /** The topic this type is published on. */
  public Topic topic() {
    return topic;
  }

  /** The name on the wire (the frame's {@code type}), for example {@code "file_uploaded"}. */
  public String wireName() {
    return wireName;
  }
}
