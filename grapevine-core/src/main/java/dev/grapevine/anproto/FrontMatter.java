package dev.grapevine.anproto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.ScannerException;

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
 *       ---yaml} or {@code = yaml =} (letters in any case), and a later line must start with {@code
 *       ---} or {@code = yaml =} followed only by whitespace. The first such line closes the front
 *       matter.
 *   <li>Line breaks are JavaScript's: LF, CR, U+2028 and U+2029 (not NEL).
 *   <li>The closing line and any whitespace-only lines after it are removed; the body is everything
 *       after that, unchanged.
 *   <li>The YAML between the lines is trimmed of JavaScript whitespace before it is parsed, so a
 *       block scalar at the end loses trailing line feeds and spaces, as it does upstream.
 * </ul>
 *
 * <p>Without front matter, or when the YAML does not parse, the whole text is the body and there
 * are no attributes. YAML that is empty or not a mapping gives no attributes but still separates
 * the body. The YAML is read with SnakeYAML Engine and the reference's implicit types ({@link
 * StdYamlSchema}), so a value that is a string upstream is the same string here, and duplicate keys
 * are an error in both. Known differences: a timestamp stays its text (upstream: a Date), {@code
 * <<} is an ordinary key (upstream: a merge), a front matter that is a list or a string gives no
 * attributes (upstream spreads it into index keys), and a tab right after a key's colon is a YAML
 * error here (SnakeYAML), so such a text is all body.
 *
 * <p>Stateless and thread-safe.
 */
final class FrontMatter {
  /** Key length (after quoting) above which the reference writes an explicit {@code ?} pair. */
  private static final int MAX_IMPLICIT_KEY_LENGTH = 1024;

  /** Opening lines, in the order the extractor's pattern tries them. */
  private static final String[] OPENING_LINES = {"---yaml", "= yaml =", "---"};

  private static final LoadSettings LOAD_SETTINGS =
      LoadSettings.builder().setSchema(new StdYamlSchema()).build();

  private FrontMatter() {}

  /**
   * Parses {@code text} as the reference's {@code parseYaml} does. Never throws.
   *
   * @see Content#parse
   */
  static Content parse(String text) {
    Fences fences = Fences.find(text);
    if (fences == null) {
      return Content.of(text, Map.of(), text);
    }
    Object loaded;
    try {
      loaded = load(trimJsSpace(text.substring(fences.yamlStart(), fences.yamlEnd())));
    } catch (RuntimeException | StackOverflowError e) {
      // Any YAML error, including nesting deep enough to exhaust the stack: not front matter.
      return Content.of(text, Map.of(), text);
    }
    Map<String, Object> attributes = new LinkedHashMap<>();
    if (loaded instanceof Map) {
      ((Map<?, ?>) loaded).forEach((k, v) -> attributes.put(String.valueOf(k), v));
    }
    return Content.of(text, attributes, text.substring(fences.bodyStart()));
  }

  /**
   * Where the front matter's YAML and the body of a text are: what the extractor's pattern (an
   * optional BOM, an opening line, the YAML, a closing line, trailing blank lines; multiline and
   * case-insensitive, matched at the start) would match, found in one linear scan.
   *
   * @param yamlStart where the YAML starts: the line break that ends the opening line
   * @param yamlEnd where the closing line starts
   * @param bodyStart where the body starts
   */
  record Fences(int yamlStart, int yamlEnd, int bodyStart) {
    /** The fences of {@code text}, or null if it has no front matter. */
    static Fences find(String text) {
      int yamlStart = openingLineEnd(text, text.startsWith("\uFEFF") ? 1 : 0);
      if (yamlStart < 0) {
        return null;
      }
      for (int line = yamlStart + 1; line < text.length(); line = nextLineStart(text, line)) {
        int bodyStart = closingLineEnd(text, line);
        if (bodyStart >= 0) {
          return new Fences(yamlStart, line, bodyStart);
        }
      }
      return null;
    }

    /**
     * The end of the opening line at {@code start} if it is one and a line break follows, or -1.
     */
    private static int openingLineEnd(String text, int start) {
      for (String opening : OPENING_LINES) {
        int end = start + opening.length();
        if (text.regionMatches(true, start, opening, 0, opening.length())
            && end < text.length()
            && isLineBreak(text.charAt(end))) {
          return end;
        }
      }
      return -1;
    }

    /**
     * If a closing line starts at {@code line}, where the body starts, otherwise -1. The fence may
     * be followed by whitespace, which may span lines; the match ends at the last line break in
     * that whitespace (or at the end of the text), plus a following CR LF, CR or LF.
     */
    private static int closingLineEnd(String text, int line) {
      int fenceEnd;
      if (text.startsWith("---", line)) {
        fenceEnd = line + 3;
      } else if (text.regionMatches(true, line, "= yaml =", 0, 8)) {
        fenceEnd = line + 8;
      } else {
        return -1;
      }
      int spaceEnd = fenceEnd;
      while (spaceEnd < text.length() && isJsSpace(text.charAt(spaceEnd))) {
        spaceEnd++;
      }
      int end = spaceEnd;
      if (spaceEnd < text.length()) {
        end = spaceEnd - 1;
        while (end >= fenceEnd && !isLineBreak(text.charAt(end))) {
          end--;
        }
        if (end < fenceEnd) {
          return -1;
        }
      }
      if (end < text.length() && text.charAt(end) == '\r') {
        end++;
      }
      if (end < text.length() && text.charAt(end) == '\n') {
        end++;
      }
      return end;
    }

    private static int nextLineStart(String text, int from) {
      for (int i = from; i < text.length(); i++) {
        if (isLineBreak(text.charAt(i))) {
          return i + 1;
        }
      }
      return text.length();
    }
  }

  /** A JavaScript line terminator, where a multiline {@code ^} or {@code $} may match. */
  private static boolean isLineBreak(char c) {
    return c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029';
  }

  /** JavaScript's {@code \s}. */
  private static boolean isJsSpace(char c) {
    switch (c) {
      case '\t':
      case '\n':
      case 0x0b:
      case '\f':
      case '\r':
      case ' ':
      case 0xa0:
      case 0x1680:
      case 0x2028:
      case 0x2029:
      case 0x202f:
      case 0x205f:
      case 0x3000:
      case 0xfeff:
        return true;
      default:
        return c >= 0x2000 && c <= 0x200a;
    }
  }

  /** JavaScript's {@code s.replace(/^\s+|\s+$/g, "")}. */
  private static String trimJsSpace(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isJsSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isJsSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  /**
   * Loads YAML with the reference's types. Like the reference's loader it reads text that does not
   * end in a line break as if it did, which matters for a final block scalar: {@code |} keeps one
   * line feed.
   *
   * <p>SnakeYAML Engine lacks the YAML 1.2 escapes {@code \L} and {@code \P} (U+2028, U+2029),
   * which the reference writes for those characters. Its scanner reports each one it meets in a
   * double-quoted scalar, at a precise position; that escape is rewritten as the equivalent
   * hexadecimal escape and the text loaded again.
   */
  static Object load(String yaml) {
    Map<String, Object> simple = loadSimple(yaml);
    return simple != null ? simple : loadWithSnakeYaml(yaml);
  }

  /** {@link #load} without the fast path for simple mappings. */
  static Object loadWithSnakeYaml(String yaml) {
    boolean endsInLineBreak = yaml.endsWith("\n") || yaml.endsWith("\r");
    String text = yaml.isEmpty() || endsInLineBreak ? yaml : yaml + "\n";
    while (true) {
      try {
        return new Load(LOAD_SETTINGS).loadFromString(text);
      } catch (ScannerException e) {
        int at = unsupportedEscapeAt(text, e);
        if (at < 0) {
          throw e;
        }
        String code = text.charAt(at + 1) == 'L' ? "u2028" : "u2029";
        text = text.substring(0, at + 1) + code + text.substring(at + 2);
      }
    }
  }

  /**
   * The mapping of {@code yaml} read without SnakeYAML when it is of the simplest shape, which is
   * what Wiredove clients write ({@code name: Alice}, {@code previous: <hash>}); otherwise null,
   * and the caller loads it with SnakeYAML. Simple means: lines separated by LF only, each exactly
   * {@code key: value}; keys of letters, digits, {@code _} and {@code -}, all distinct; values of
   * letters, digits, spaces and {@code +/=._-}, starting with a letter, a digit, {@code +} or
   * {@code /} (as base64 hashes may) and not ending in a space; every key and value a string under
   * {@link StdYamlSchema} (not a number, boolean, null or timestamp). For such text SnakeYAML gives
   * exactly this map of strings (a property test keeps the two in step); the fast path costs a scan
   * instead of a parse, which matters because every stored message's content is parsed.
   */
  static Map<String, Object> loadSimple(String yaml) {
    // SnakeYAML refuses a document of its code point limit or more; so does the fast path, so that
    // the two never differ (the text is ASCII here, one code point per char).
    if (yaml.isEmpty() || yaml.length() + 1 >= LOAD_SETTINGS.getCodePointLimit()) {
      return null;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    int line = 0;
    while (line <= yaml.length()) {
      int end = yaml.indexOf('\n', line);
      if (end < 0) {
        end = yaml.length();
      }
      int colon = yaml.indexOf(": ", line);
      if (colon <= line || colon >= end || colon - line > MAX_IMPLICIT_KEY_LENGTH) {
        return null;
      }
      String key = yaml.substring(line, colon);
      String value = yaml.substring(colon + 2, end);
      if (!isSimpleKey(key)
          || !isSimpleValue(value)
          || StdYamlSchema.typeOfPlain(key) != StdYamlSchema.Type.STRING
          || StdYamlSchema.typeOfPlain(value) != StdYamlSchema.Type.STRING
          || map.put(key, value) != null) {
        return null;
      }
      line = end + 1;
    }
    return map;
  }

  private static boolean isSimpleKey(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!isAsciiLetterOrDigit(c) && c != '_' && (c != '-' || i == 0)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isSimpleValue(String value) {
    char first = value.isEmpty() ? ' ' : value.charAt(0);
    if (!(isAsciiLetterOrDigit(first) || first == '+' || first == '/')
        || value.charAt(value.length() - 1) == ' ') {
      return false;
    }
    for (int i = 1; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!isAsciiLetterOrDigit(c) && " +/=._-".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /**
   * The index of the backslash of the {@code \L} or {@code \P} escape {@code e} is about, or -1.
   */
  private static int unsupportedEscapeAt(String text, ScannerException e) {
    String problem = e.getProblem();
    if (e.getProblemMark().isEmpty()
        || problem == null
        || !problem.startsWith("found unknown escape character")) {
      return -1;
    }
    int codePoints = e.getProblemMark().get().getIndex();
    if (codePoints < 1 || codePoints > text.codePointCount(0, text.length())) {
      return -1;
    }
    int at = text.offsetByCodePoints(0, codePoints) - 1;
    boolean lineOrParagraph =
        at + 1 < text.length() && (text.charAt(at + 1) == 'L' || text.charAt(at + 1) == 'P');
    return text.charAt(at) == '\\' && lineOrParagraph ? at : -1;
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
   * The value of {@code key} if JavaScript treats it as an array index (the canonical decimal form
   * of an integer from 0 to 2^32 - 2), otherwise -1.
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
