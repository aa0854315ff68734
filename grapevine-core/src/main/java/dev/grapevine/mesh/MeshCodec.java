package dev.grapevine.mesh;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.mesh.MeshProtocolException.Reason;
import java.io.IOException;
import java.io.StringWriter;

/**
 * Reads and writes mesh frames. The one place where a frame's text becomes an envelope, and where
 * every way a frame can be malformed is classified into a {@link Reason}. Thread-safe.
 */
public final class MeshCodec {
  /** The longest type name accepted. */
  public static final int MAX_TYPE_LENGTH = 64;

  static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private MeshCodec() {}

  /**
   * Parses one frame. MiniLedger's receiver asks only for {@code version}, {@code type} and {@code
   * from}; this one also wants the values to have the right JSON types, the version to be ours,
   * and, if present, an object payload (a missing payload reads as {@code {}}).
   *
   * @throws MeshProtocolException if the frame is not an envelope of this protocol version
   */
  public static MeshEnvelope decode(String frame) throws MeshProtocolException {
    JsonNode root;
    try {
      root = JSON.readTree(frame);
    } catch (JsonProcessingException e) {
      throw new MeshProtocolException(
          Reason.INVALID_JSON, "Expected a JSON envelope but the frame is not JSON");
    }
    if (root == null || !root.isObject()) {
      throw new MeshProtocolException(
          Reason.INVALID_ENVELOPE, "Expected a JSON object but was " + kind(root));
    }
    JsonNode version = root.get("version");
    JsonNode type = root.get("type");
    JsonNode from = root.get("from");
    JsonNode timestamp = root.get("timestamp");
    JsonNode payload = root.get("payload");
    if (version == null || !version.canConvertToInt() || !version.isIntegralNumber()) {
      throw new MeshProtocolException(
          Reason.INVALID_ENVELOPE, "Expected an integer \"version\" but was " + kind(version));
    }
    if (type == null || !type.isTextual() || type.textValue().isEmpty()) {
      throw new MeshProtocolException(
          Reason.INVALID_ENVELOPE, "Expected a non-empty string \"type\" but was " + kind(type));
    }
    if (type.textValue().length() > MAX_TYPE_LENGTH) {
      throw new MeshProtocolException(
          Reason.INVALID_ENVELOPE,
          "Expected a \"type\" of at most " + MAX_TYPE_LENGTH + " characters");
    }
    if (from == null || !from.isTextual() || from.textValue().isEmpty()) {
      throw new MeshProtocolException(
          Reason.INVALID_ENVELOPE, "Expected a non-empty string \"from\" but was " + kind(from));
    }
    if (timestamp != null && !timestamp.isNull() && !timestamp.isNumber()) {
      throw new MeshProtocolException(
          Reason.INVALID_ENVELOPE, "Expected a number \"timestamp\" but was " + kind(timestamp));
    }
    if (payload != null && !payload.isNull() && !payload.isObject()) {
      throw new MeshProtocolException(
          Reason.INVALID_ENVELOPE, "Expected an object \"payload\" but was " + kind(payload));
    }
    if (version.intValue() != Mesh.PROTOCOL_VERSION) {
      throw new MeshProtocolException(
          Reason.UNSUPPORTED_VERSION,
          "Expected protocol version " + Mesh.PROTOCOL_VERSION + " but was " + version.intValue());
    }
    return new MeshEnvelope(
        version.intValue(),
        type.textValue(),
        from.textValue(),
        timestamp == null ? 0 : timestamp.asLong(),
        payload == null || payload.isNull() ? JsonNodeFactory.instance.objectNode() : payload);
  }

  /** Writes an envelope as one line of JSON. */
  public static String encode(MeshEnvelope envelope) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", envelope.version());
    root.put("type", envelope.type());
    root.put("from", envelope.from());
    root.put("timestamp", envelope.timestamp());
    root.set("payload", envelope.payload());
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write an envelope", e);
    }
  }

  /** Writes a frame of the protocol's own {@code payload}. */
  static String encode(String from, long timestamp, MeshPayload payload) {
    // Written straight from the record, not through a tree: the same JSON as encode(MeshEnvelope)
    // with one object graph less per frame, which counts for MESSAGES frames while a peer catches
    // up.
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("version", Mesh.PROTOCOL_VERSION);
      g.writeStringField("type", payload.type());
      g.writeStringField("from", from);
      g.writeNumberField("timestamp", timestamp);
      g.writeFieldName("payload");
      JSON.writeValue(g, payload);
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write a " + payload.type() + " frame", e);
    }
    return out.toString();
  }

  /** A payload record as a JSON tree. */
  static JsonNode tree(Object payload) {
    return JSON.valueToTree(payload);
  }

  /** Reads the envelope's payload as {@code type}. */
  static <T> T payload(MeshEnvelope envelope, Class<T> type) throws MeshProtocolException {
    try {
      return JSON.treeToValue(envelope.payload(), type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new MeshProtocolException(
          Reason.INVALID_PAYLOAD,
          "Expected a " + envelope.type() + " payload but " + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "it could not be read";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  private static String kind(JsonNode node) {
    if (node == null) {
      return "missing";
    }
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
