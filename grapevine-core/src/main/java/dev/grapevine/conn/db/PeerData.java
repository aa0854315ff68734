package dev.grapevine.conn.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@link ConnDb} stores about one address: a JSON object whose fields keep their order, with
 * typed accessors for the fields the connection manager maintains. Any other field (ssb-conn's
 * {@code name}, {@code source}, {@code announcers}, application fields) is kept as it is.
 *
 * <p>Immutable and thread-safe: every factory copies its input, every accessor that returns JSON
 * returns a copy, and {@link #with}, {@link #without} and {@link #merge} return new instances.
 *
 * <p>The automatic fields (see {@link ConnDb}):
 *
 * <ul>
 *   <li>{@code birth}: epoch milliseconds when the address was first stored;
 *   <li>{@code stateChange}: epoch milliseconds of the last connection state change;
 *   <li>{@code failure}: failed connection attempts since the last success;
 *   <li>{@code duration}: {@link Statistics} of connection lifetimes in milliseconds (a failed
 *       attempt counts as a 0 sample, as upstream);
 *   <li>{@code ping.rtt}: {@link Statistics} of round-trip times in milliseconds in the current or
 *       last connection.
 * </ul>
 *
 * <p>Set by callers: {@code key} (the peer's public key), {@code type} ({@code pub}, {@code lan},
 * …), {@code autoconnect} (absent means true).
 */
public final class PeerData {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final PeerData EMPTY = new PeerData(JsonNodeFactory.instance.objectNode());

  /** Never mutated after construction and never handed out. */
  private final ObjectNode node;

  private PeerData(ObjectNode node) {
    this.node = node;
  }

  /** Takes ownership of {@code node}; the caller must not keep or mutate it. */
  static PeerData wrap(ObjectNode node) {
    return new PeerData(node);
  }

  /** The object itself, not a copy: callers in this package must not mutate it. */
  ObjectNode node() {
    return node;
  }

  /** No fields: {@code {}}. */
  public static PeerData empty() {
    return EMPTY;
  }

  /** A copy of the JSON object {@code json}. */
  public static PeerData of(ObjectNode json) {
    return new PeerData(Objects.requireNonNull(json, "json").deepCopy());
  }

  /**
   * The fields of {@code fields} in its iteration order, each value converted to JSON as Jackson
   * converts it (strings, numbers, booleans, {@code null}, lists, maps, {@link JsonNode}s).
   *
   * @throws IllegalArgumentException if a value cannot be converted to JSON
   */
  public static PeerData of(Map<String, ?> fields) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    fields.forEach((k, v) -> o.set(Objects.requireNonNull(k, "field name"), toJson(v)));
    return new PeerData(o);
  }

  /**
   * Parses a JSON object.
   *
   * @throws IllegalArgumentException if {@code json} is not a JSON object
   */
  public static PeerData parse(String json) {
    JsonNode n;
    try {
      n = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "Expected a JSON object but could not parse it: " + e.getOriginalMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(
          "Expected a JSON object but was " + (n == null ? "nothing" : n.getNodeType()));
    }
    return new PeerData((ObjectNode) n);
  }

  /** A copy of the whole object. */
  public ObjectNode json() {
    return node.deepCopy();
  }

  /** A copy of the value of {@code field}, if present (JSON {@code null} is present). */
  public Optional<JsonNode> get(String field) {
    JsonNode v = node.get(field);
    return v == null ? Optional.empty() : Optional.of(v.deepCopy());
  }

  /** Whether {@code field} is present (with any value, even {@code null}). */
  public boolean has(String field) {
    return node.has(field);
  }

  /** The field names in their stored order. */
  public List<String> fieldNames() {
    List<String> names = new ArrayList<>(node.size());
    node.fieldNames().forEachRemaining(names::add);
    return Collections.unmodifiableList(names);
  }

  /** The number of fields. */
  public int size() {
    return node.size();
  }

  /**
   * This data with {@code field} set to {@code value} (converted as {@link #of(Map)} does; Java
   * {@code null} becomes JSON {@code null}, use {@link #without} to remove a field). An existing
   * field keeps its position; a new one goes last.
   */
  public PeerData with(String field, Object value) {
    ObjectNode copy = node.deepCopy();
    copy.set(Objects.requireNonNull(field, "field"), toJson(value));
    return new PeerData(copy);
  }

  /** This data without {@code field} (JavaScript's "set to undefined"). */
  public PeerData without(String field) {
    if (!node.has(field)) {
      return this;
    }
    ObjectNode copy = node.deepCopy();
    copy.remove(field);
    return new PeerData(copy);
  }

  /**
   * {@code {...this, ...patch}}: the fields of {@code patch} replace or follow those of this data,
   * existing fields keeping their position.
   */
  public PeerData merge(PeerData patch) {
    if (patch.node.isEmpty()) {
      return this;
    }
    ObjectNode copy = node.deepCopy();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      copy.set(e.getKey(), e.getValue().deepCopy());
    }
    return new PeerData(copy);
  }

  /** {@code birth}, epoch milliseconds, if it is a number. */
  public OptionalLong birth() {
    return longField("birth");
  }

  /** {@code stateChange}, epoch milliseconds, if it is a number. */
  public OptionalLong stateChange() {
    return longField("stateChange");
  }

  /** {@code failure}: failed attempts since the last success; 0 when absent or not a number. */
  public long failure() {
    return longField("failure").orElse(0);
  }

  /** {@code duration}: connection lifetimes in milliseconds. */
  public Optional<Statistics> duration() {
    return Statistics.fromJson(node.get("duration"));
  }

  /** {@code ping.rtt}: round-trip times in milliseconds. */
  public Optional<Statistics> pingRtt() {
    return Statistics.fromJson(node.path("ping").get("rtt"));
  }

  /** {@code key}, if it is a string. */
  public Optional<String> key() {
    return textField("key");
  }

  /** {@code type}, if it is a string ({@code pub}, {@code room}, {@code lan}, …). */
  public Optional<String> type() {
    return textField("type");
  }

  /** {@code autoconnect}: false only when the field is the boolean {@code false}. */
  public boolean autoconnect() {
    JsonNode v = node.get("autoconnect");
    return v == null || !v.isBoolean() || v.booleanValue();
  }

  private OptionalLong longField(String field) {
    JsonNode v = node.get(field);
    return v != null && v.isNumber() ? OptionalLong.of(v.asLong()) : OptionalLong.empty();
  }

  private Optional<String> textField(String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? Optional.of(v.textValue()) : Optional.empty();
  }

  private static JsonNode toJson(Object value) {
    if (value == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    if (value instanceof JsonNode) {
      return ((JsonNode) value).deepCopy();
    }
    if (value instanceof Statistics) {
      return ((Statistics) value).toJson();
    }
    if (value instanceof PeerData) {
      return ((PeerData) value).node.deepCopy();
    }
    try {
      return MAPPER.valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Expected a value convertible to JSON but was " + value.getClass().getName(), e);
    }
  }

  /** Equal when the JSON objects are equal (field order is not compared). */
  @Override
  public boolean equals(Object o) {
    return o instanceof PeerData && ((PeerData) o).node.equals(node);
  }

  @Override
  public int hashCode() {
    return node.hashCode();
  }

  /** The JSON text, compact. */
  @Override
  public String toString() {
    return node.toString();
  }
}
