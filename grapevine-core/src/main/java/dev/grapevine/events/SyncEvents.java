package dev.grapevine.events;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.sync.SyncListener;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Publishes what the ANProto protocol does as events: {@code file_uploaded} when a message or blob
 * is committed for the first time, {@code file_replicated} when it is relayed, and alerts for
 * refused frames ({@code security_alert} for bad signatures, junk requests and oversized blobs,
 * {@code performance_alert} for frames dropped under overload). Register it with {@code
 * Node.addListener}; thread-safe, returns at once.
 */
public final class SyncEvents implements SyncListener {
  private final NodeEvents bus;
  private final String node;
  private final Map<Rejection, LongAdder> rejections = new EnumMap<>(Rejection.class);

  /**
   * Events for the node {@code node}.
   *
   * @param bus where to publish
   * @param node the node's key, the {@code node} field of file events
   */
  public SyncEvents(NodeEvents bus, PublicKey node) {
    this.bus = Objects.requireNonNull(bus, "bus");
    this.node = node.value();
    for (Rejection r : Rejection.values()) {
      rejections.put(r, new LongAdder());
    }
  }

  /** Refused frames so far, by reason, for metrics. */
  public Map<Rejection, Long> rejections() {
    Map<Rejection, Long> out = new EnumMap<>(Rejection.class);
    rejections.forEach((r, n) -> out.put(r, n.sum()));
    return out;
  }

  @Override
  public void messageStored(VerifiedMessage message, String origin) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("key", message.hash().value());
    data.put("kind", "message");
    data.put("size", message.signed().value().length());
    data.put("author", message.author().value());
    data.put("node", node);
    data.put("origin", origin);
    data.put("signedAt", message.timestampMillis());
    bus.publish(EventType.FILE_UPLOADED, data);
  }

  @Override
  public void blobStored(Hash hash, int chars, String origin) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("key", hash.value());
    data.put("kind", "blob");
    data.put("size", chars);
    data.put("node", node);
    data.put("origin", origin);
    bus.publish(EventType.FILE_UPLOADED, data);
  }

  @Override
  public void messageRelayed(VerifiedMessage message, int links) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("key", message.hash().value());
    data.put("kind", "message");
    data.put("author", message.author().value());
    data.put("node", node);
    data.put("peers", links);
    bus.publish(EventType.FILE_REPLICATED, data);
  }

  @Override
  public void blobRelayed(Hash hash, int links) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("key", hash.value());
    data.put("kind", "blob");
    data.put("node", node);
    data.put("peers", links);
    bus.publish(EventType.FILE_REPLICATED, data);
  }

  @Override
  public void rejected(Rejection reason, String origin, String detail) {
    LongAdder count = rejections.get(reason);
    count.increment();
    String from = " from " + origin + ": " + detail;
    switch (reason) {
      case INVALID_MESSAGE ->
          bus.alert(
              EventType.SECURITY_ALERT,
              AlertLevel.WARNING,
              "sync.invalid_messages",
              count.sum(),
              0,
              "A signed message failed verification" + from);
      case JUNK_REQUEST ->
          bus.alert(
              EventType.SECURITY_ALERT,
              AlertLevel.WARNING,
              "sync.junk_requests",
              count.sum(),
              0,
              "A request frame was not a hash" + from);
      case TOO_LARGE ->
          bus.alert(
              EventType.SECURITY_ALERT,
              AlertLevel.INFO,
              "sync.oversized_blobs",
              count.sum(),
              0,
              "A blob over the size limit was refused" + from);
      case OVERLOADED ->
          bus.alert(
              EventType.PERFORMANCE_ALERT,
              AlertLevel.WARNING,
              "sync.dropped_frames",
              count.sum(),
              0,
              "A frame was dropped because the node is overloaded" + from);
    }
  }
}
