package dev.grapevine.anproto;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A content blob: optional YAML front matter ({@code name}, {@code image}, {@code previous} and
 * application keys) followed by a body. {@link #text()} is the exact stored text; parsing never
 * changes it.
 *
 * <p>Immutable and thread-safe.
 */
public final class Content {
  private final String text;
  private final Map<String, Object> attributes;
  private final String body;

  private Content(String text, Map<String, Object> attributes, String body) {
    this.text = text;
    this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    this.body = body;
  }

  /**
   * Parses {@code text} as the reference's {@code parseYaml} does: front matter between {@code ---}
   * lines, then the body. Text without front matter, or whose front matter does not parse, is all
   * body with no attributes. Never throws.
   */
  public static Content parse(String text) {
    return FrontMatter.parse(text);
  }

  /**
   * Composes content as the reference's {@code apds.compose} does: {@code "---\n" + yaml(meta) +
   * "---\n" + body}, with keys in {@code meta}'s iteration order, or just {@code body} when {@code
   * meta} is empty. The YAML matches the reference's emitter byte for byte.
   */
  public static Content compose(String body, Map<String, String> meta) {
    if (meta.isEmpty()) {
      return new Content(body, Map.of(), body);
    }
    String text = "---\n" + FrontMatter.emit(meta) + "---\n" + body;
    return new Content(text, new LinkedHashMap<>(meta), body);
  }

  static Content of(String text, Map<String, Object> attributes, String body) {
    return new Content(text, attributes, body);
  }

  /** The exact text of the blob. */
  public String text() {
    return text;
  }

  /** The hash of {@link #text()}. */
  public Hash hash() {
    return Hash.of(text);
  }

  /** The front-matter attributes in document order (empty if none). */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /** The body after the front matter (the whole text if there is none). */
  public String body() {
    return body;
  }

  /** The attribute {@code key} if present and a string. */
  public Optional<String> string(String key) {
    Object v = attributes.get(key);
    return v instanceof String ? Optional.of((String) v) : Optional.empty();
  }

  /** The attribute {@code key} if present and a well-formed hash. */
  public Optional<Hash> hash(String key) {
    return string(key).filter(Hash::isValid).map(Hash::new);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Content && text.equals(((Content) o).text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
