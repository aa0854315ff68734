package dev.grapevine.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One mesh frame: {@code {version, type, from, timestamp, payload}}, MiniLedger's envelope.
 *
 * @param version the protocol version, {@value Mesh#PROTOCOL_VERSION}
 * @param type the message type, for example {@code "PING"} or an application's own
 * @param from the sender's nodeId (16 hex characters of its public key)
 * @param timestamp the sender's clock, epoch milliseconds
 * @param payload the message's fields; a JSON object, to be treated as read-only
 */
public record MeshEnvelope(
    int version, String type, String from, long timestamp, JsonNode payload) {
  /** Checks for nulls and that the payload is an object. */
  public MeshEnvelope {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(payload, "payload");
    if (!payload.isObject()) {
      throw new IllegalArgumentException("Expected a JSON object payload but was " + payload);
    }
  }
}
