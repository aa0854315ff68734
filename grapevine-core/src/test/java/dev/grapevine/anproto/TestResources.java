package dev.grapevine.anproto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The reference test vectors and golden files on the test classpath. */
final class TestResources {
  static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode vectors;

  private TestResources() {}

  /** Reads a JSON resource, for example {@code /yaml/std-yaml-1.0.5-golden.json}. */
  static JsonNode json(String resource) {
    try (InputStream in = TestResources.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Expected " + resource + " on the test classpath");
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code vectors/anproto.json}, produced by the reference implementation. */
  static synchronized JsonNode vectors() {
    if (vectors == null) {
      vectors = json("/vectors/anproto.json");
    }
    return vectors;
  }

  /** The vector key pair K. */
  static KeyPair vectorKeys() {
    return KeyPair.parse(vectors().get("keypair").get("keypair").asText());
  }

  /** The signed-message vector {@code name} ("A", "B" or "C"). */
  static JsonNode message(String name) {
    return named(vectors().get("messages"), name);
  }

  /** The malformed-message vector {@code name} ("N1" to "N4"). */
  static JsonNode malformed(String name) {
    return named(vectors().get("malformed"), name);
  }

  /** A JSON array of {@code [key, value]} pairs as an insertion-ordered map. */
  static Map<String, String> entries(JsonNode pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (JsonNode pair : pairs) {
      map.put(pair.get(0).asText(), pair.get(1).asText());
    }
    return map;
  }

  private static JsonNode named(JsonNode array, String name) {
    for (JsonNode node : array) {
      if (node.get("name").asText().equals(name)) {
        return node;
      }
    }
    throw new IllegalArgumentException("Expected a vector named " + name);
  }
}
