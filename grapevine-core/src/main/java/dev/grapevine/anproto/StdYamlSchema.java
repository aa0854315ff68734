package dev.grapevine.anproto;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import org.snakeyaml.engine.v2.schema.Schema;

/**
 * The implicit types of the reference's YAML library (Deno {@code @std/yaml} 1.0.5, default
 * schema): which plain (unquoted) scalars mean something other than a string. The emitter quotes
 * exactly those, and the parser reads them so, which keeps every string the reference sees a string
 * here.
 *
 * <p>This differs from YAML 1.2's core schema: {@code 0o17}, {@code 08} and {@code +.5} are
 * strings; {@code 017} is octal 15, {@code 0b101} is 5 and {@code 1_000} is 1000; {@code
 * 2024-01-01} is a timestamp (kept as its text here, a Date upstream); {@code <<} is a merge key
 * (an ordinary key here: merging is not supported).
 *
 * <p>Stateless and thread-safe.
 */
final class StdYamlSchema implements Schema {
  /** What a plain scalar means. */
  enum Type {
    STRING,
    NULL,
    BOOLEAN,
    INTEGER,
    FLOAT,
    TIMESTAMP,
    MERGE_KEY
  }

  private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");

  private static final Set<String> BOOLEANS =
      Set.of("true", "True", "TRUE", "false", "False", "FALSE");

  /**
   * Integers: {@code 0}, binary {@code 0b}, hex {@code 0x}, octal with a leading {@code 0}, and
   * decimals (which upstream resolves through its float pattern). Underscores may separate digits
   * but not end the number.
   */
  private static final Pattern INTEGER =
      Pattern.compile(
          "[-+]?(?:0|0b[01_]*[01]|0x[0-9a-fA-F_]*[0-9a-fA-F]|0[0-7_]*[0-7]|[1-9](?:[0-9_]*[0-9])?)");

  private static final Pattern FLOAT =
      Pattern.compile(
          "(?:[-+]?(?:0|[1-9][0-9_]*)(?:\\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"
              + "|\\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
              + "|[-+]?\\.(?:inf|Inf|INF)"
              + "|\\.(?:nan|NaN|NAN))(?<!_)");

  private static final Pattern TIMESTAMP =
      Pattern.compile(
          "[0-9]{4}-[0-9]{2}-[0-9]{2}"
              + "|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
              + "(?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?");

  /** The type of the plain scalar {@code text}. */
  static Type typeOfPlain(String text) {
    if (!text.isEmpty() && !mayBeTyped(text.charAt(0))) {
      return Type.STRING;
    }
    return typeByPatterns(text);
  }

  /** {@link #typeOfPlain} without the shortcut on the first character. */
  static Type typeByPatterns(String text) {
    if (NULLS.contains(text)) {
      return Type.NULL;
    }
    if (BOOLEANS.contains(text)) {
      return Type.BOOLEAN;
    }
    if (INTEGER.matcher(text).matches()) {
      return Type.INTEGER;
    }
    if (FLOAT.matcher(text).matches()) {
      return Type.FLOAT;
    }
    if (TIMESTAMP.matcher(text).matches()) {
      return Type.TIMESTAMP;
    }
    return text.equals("<<") ? Type.MERGE_KEY : Type.STRING;
  }

  /**
   * Whether a scalar starting with {@code c} can be anything but a string: every other type starts
   * with a digit, a sign, {@code .}, {@code ~}, {@code <} or the first letter of {@code null},
   * {@code true} or {@code false}. Most text fails this at once and skips the patterns.
   */
  private static boolean mayBeTyped(char c) {
    switch (c) {
      case '+':
      case '-':
      case '.':
      case '~':
      case '<':
      case 'n':
      case 'N':
      case 't':
      case 'T':
      case 'f':
      case 'F':
        return true;
      default:
        return c >= '0' && c <= '9';
    }
  }

  @Override
  public ScalarResolver getScalarResolver() {
    return (text, plain) -> plain ? tagOf(typeOfPlain(text)) : Tag.STR;
  }

  @Override
  public Map<Tag, ConstructNode> getSchemaTagConstructors() {
    return CONSTRUCTORS;
  }

  /** Built once: every front-matter parse asks for them, and building them is not free. */
  private static final Map<Tag, ConstructNode> CONSTRUCTORS = constructors();

  private static Map<Tag, ConstructNode> constructors() {
    Map<Tag, ConstructNode> constructors =
        new HashMap<>(new CoreSchema().getSchemaTagConstructors());
    constructors.put(Tag.INT, node -> integer(((ScalarNode) node).getValue()));
    constructors.put(Tag.FLOAT, node -> floatingPoint(((ScalarNode) node).getValue()));
    return java.util.Collections.unmodifiableMap(constructors);
  }

  private static Tag tagOf(Type type) {
    switch (type) {
      case NULL:
        return Tag.NULL;
      case BOOLEAN:
        return Tag.BOOL;
      case INTEGER:
        return Tag.INT;
      case FLOAT:
        return Tag.FLOAT;
      default:
        return Tag.STR;
    }
  }

  /** The value of an integer scalar, as the narrowest of Integer, Long and BigInteger. */
  private static Number integer(String text) {
    String digits = text.replace("_", "");
    boolean negative = digits.startsWith("-");
    if (negative || digits.startsWith("+")) {
      digits = digits.substring(1);
    }
    BigInteger value;
    if (digits.startsWith("0b")) {
      value = new BigInteger(digits.substring(2), 2);
    } else if (digits.startsWith("0x")) {
      value = new BigInteger(digits.substring(2), 16);
    } else if (digits.length() > 1 && digits.startsWith("0")) {
      value = new BigInteger(digits.substring(1), 8);
    } else {
      value = new BigInteger(digits);
    }
    if (negative) {
      value = value.negate();
    }
    if (value.bitLength() < Integer.SIZE) {
      return value.intValue();
    }
    return value.bitLength() < Long.SIZE ? (Number) value.longValue() : value;
  }

  private static Double floatingPoint(String text) {
    String value = text.replace("_", "").toLowerCase(Locale.ROOT);
    boolean negative = value.startsWith("-");
    String magnitude = negative || value.startsWith("+") ? value.substring(1) : value;
    if (magnitude.equals(".inf")) {
      return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (magnitude.equals(".nan")) {
      return Double.NaN;
    }
    return Double.parseDouble(value);
  }
}
