package dev.grapevine.conn.lan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.conn.ConnAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The beacon payload, {@code {"v":1,"address":"ws://host:port~shs:<key>"}} in UTF-8. */
final class BeaconCodec {
  /** The version this code writes. */
  static final int VERSION = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private BeaconCodec() {}

  static byte[] encode(ConnAddress address) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("v", VERSION);
    node.put("address", address.toString());
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The announced address, or empty if the payload is not a JSON object with a positive integer
   * {@code v} and a parseable {@code address}. Other fields, and versions above 1, are accepted, so
   * that a later version can add fields.
   */
  static Optional<ConnAddress> decode(byte[] data, int offset, int length) {
    JsonNode node;
    try {
      node = MAPPER.readTree(data, offset, length);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (node == null || !node.isObject()) {
      return Optional.empty();
    }
    JsonNode v = node.get("v");
    JsonNode address = node.get("address");
    if (v == null
        || !v.isIntegralNumber()
        || v.asLong() < 1
        || address == null
        || !address.isTextual()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ConnAddress.parse(address.textValue()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
