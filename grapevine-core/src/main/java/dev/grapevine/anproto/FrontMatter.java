package dev.grapevine.anproto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * YAML front matter as the reference reads and writes it.
 *
 * <p><b>Writing</b> ({@link #emit}) reproduces {@code stringify} of Deno {@code @std/yaml} 1.0.5
 * byte for byte for a map of strings: one {@code key: value} line per entry, scalars styled by
 * {@link YamlScalar}, keys longer than 1024 characters (after quoting) written as an explicit
 * {@code ? key} / {@code : value} pair, {@code {}} for an empty map. Keys come in JavaScript
 * property order: keys that are array indices ({@code "0"} to {@code "4294967294"}) first in
 * ascending numeric order, then the others in the map's iteration order.
 *
 * <p><b>Reading</b> ({@link #parse}) follows the {@code @std/front-matter} 1.0.5 YAML extractor:
 *
 * <ul>
 *   <li>The text must start (after at most one BOM) with a line that is exactly {@code ---}, {@code
 *       ---yaml} or {@code = yaml =} (letters in any case), and a later line must start with
 *       {@code ---} or {@code = yaml =} followed only by whitespace. The first such line closes
 *       the front matter.
 *   <li>Line breaks are JavaScript's: LF, CR, U+2028 and U+2029 (not NEL).
 *   <li>The closing line and any whitespace-only lines after it are removed; the body is
 *       everything after that, unchanged.
 *   <li>The YAML between the lines is trimmed of JavaScript whitespace before it is parsed, so a
 *       block scalar at the end loses trailing line feeds and spaces, as it does upstream.
 * </ul>
 *
 * <p>Without front matter, or when the YAML does not parse, the whole text is the body and there
 * are no attributes. YAML that is empty or not a mapping gives no attributes but still separates
 * the body. The YAML is read with SnakeYAML Engine (YAML 1.2 core schema), which agrees with the
 * reference on strings, booleans, nulls, decimal numbers and duplicate keys (an error). It differs
 * on a few non-string forms: {@code 2024-01-01} stays a string (upstream: a Date), {@code 017} is
 * 17 (upstream: 15), {@code <<} is an ordinary key, and a front matter that is a list or a string
 * gives no attributes (upstream spreads it into index keys).
 *
 * <p>Stateless and thread-safe.
 */
final class FrontMatter {
  /** Key length (after quoting) above which the reference writes an explicit {@code ?} pair. */
  private static final int MAX_IMPLICIT_KEY_LENGTH = 1024;

  /** JavaScript's {@code \s}. */
  private static final String JS_SPACE =
      "[\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]";

  /** JavaScript's multiline {@code ^} and {@code $}: at an end, or beside a JS line break. */
  private static final String LINE_START = "(?<![^\\n\\r\\u2028\\u2029])";

  private static final String LINE_END = "(?![^\\n\\r\\u2028\\u2029])";

  /** The extractor's pattern: opening line, YAML (group 1), closing line, blank lines. */
  private static final Pattern BLOCK =
      Pattern.compile(
          "\\uFEFF?(?:---yaml|= yaml =|---)"
              + LINE_END
              + "([\\s\\S]+?)"
              + LINE_START
              + "(?:---|= yaml =)"
              + JS_SPACE
              + "*"
              + LINE_END
              + "\\r?\\n?",
          Pattern.CASE_INSENSITIVE);

  /** JavaScript's {@code s.replace(/^\s+|\s+$/g, "")}. */
  private static final Pattern TRIM =
      Pattern.compile("\\A" + JS_SPACE + "+|" + JS_SPACE + "+\\z");

  private static final LoadSettings LOAD_SETTINGS =
      LoadSettings.builder().setSchema(new CoreSchema()).build();

  private FrontMatter() {}

  /**
   * Parses {@code text} as the reference's {@code parseYaml} does. Never throws.
   *
   * @see Content#parse
   */
  static Content parse(String text) {
    Matcher m = BLOCK.matcher(text);
    if (!m.lookingAt()) {
      return Content.of(text, Map.of(), text);
    }
    String yaml = TRIM.matcher(m.group(1)).replaceAll("");
    Object loaded;
    try {
      loaded = new Load(LOAD_SETTINGS).loadFromString(yaml);
    } catch (RuntimeException | StackOverflowError e) {
      // Any YAML error, including nesting deep enough to exhaust the stack: not front matter.
      return Content.of(text, Map.of(), text);
    }
    Map<String, Object> attributes = new LinkedHashMap<>();
    if (loaded instanceof Map) {
      ((Map<?, ?>) loaded).forEach((k, v) -> attributes.put(String.valueOf(k), v));
    }
    return Content.of(text, attributes, text.substring(m.end()));
  }

  /**
   * The YAML the reference's {@code stringify(meta)} writes, ending in a line feed.
   *
   * @throws NullPointerException if a key or value is null
   */
  static String emit(Map<String, String> meta) {
    if (meta.isEmpty()) {
      return "{}\n";
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> entry : inJavaScriptOrder(meta)) {
      String key = YamlScalar.key(Objects.requireNonNull(entry.getKey(), "front matter key"));
      String value =
          YamlScalar.value(
              Objects.requireNonNull(entry.getValue(), () -> "value of " + entry.getKey()));
      if (key.length() > MAX_IMPLICIT_KEY_LENGTH) {
        out.append("? ").append(key).append('\n');
      } else {
        out.append(key);
      }
      out.append(": ").append(value).append('\n');
    }
    return out.toString();
  }

  /** Array-index keys first, ascending; then the rest in iteration order. */
  private static List<Map.Entry<String, String>> inJavaScriptOrder(Map<String, String> meta) {
    List<Map.Entry<String, String>> indexed = new ArrayList<>();
    List<Map.Entry<String, String>> named = new ArrayList<>();
    for (Map.Entry<String, String> entry : meta.entrySet()) {
      (arrayIndex(entry.getKey()) >= 0 ? indexed : named).add(entry);
    }
    if (indexed.isEmpty()) {
      return named;
    }
    indexed.sort((a, b) -> Long.compare(arrayIndex(a.getKey()), arrayIndex(b.getKey())));
    indexed.addAll(named);
    return indexed;
  }

  /**
   * The value of {@code key} if JavaScript treats it as an array index (the canonical decimal
   * form of an integer from 0 to 2^32 - 2), otherwise -1.
   */
  private static long arrayIndex(String key) {
    if (key == null
        || key.isEmpty()
        || key.length() > 10
        || (key.length() > 1 && key.charAt(0) == '0')) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value <= 0xFFFF_FFFEL ? value : -1;
  }
}
