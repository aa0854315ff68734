package dev.grapevine.conn.db;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a Jackson tree with the exact bytes of JavaScript's {@code JSON.stringify(x, null, 2)}:
 * two-space indentation, {@code "key": value}, {@code {}} and {@code []} for empty containers, no
 * trailing newline, numbers as JavaScript prints them ({@code 1} not {@code 1.0}, {@code 1e+21},
 * {@code 1.5e-7}; NaN and infinities as {@code null}) and strings escaped as ECMAScript's
 * QuoteJSONString does (short escapes, other control characters and lone surrogates as lower-case
 * {@code \}{@code u00xx}, everything else verbatim).
 *
 * <p>Jackson's own pretty printer cannot be configured to match: it writes control characters with
 * upper-case hex digits and doubles in Java's notation ({@code 1.0}, {@code 1.0E21}).
 */
final class JsonStringify {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonStringify() {}

  /** {@code JSON.stringify(node, null, 2)}. */
  static String stringify(JsonNode node) {
    StringBuilder sb = new StringBuilder(256);
    write(node, sb, "");
    return sb.toString();
  }

  private static void write(JsonNode node, StringBuilder sb, String indent) {
    switch (node.getNodeType()) {
      case OBJECT:
        writeObject(node, sb, indent);
        break;
      case ARRAY:
        writeArray(node, sb, indent);
        break;
      case STRING:
        quote(node.textValue(), sb);
        break;
      case NUMBER:
        sb.append(number(node));
        break;
      case BOOLEAN:
        sb.append(node.booleanValue());
        break;
      case NULL:
      case MISSING:
        sb.append("null");
        break;
      default:
        // BINARY and POJO nodes never come from parsing or from PeerData; write them as text.
        quote(node.asText(), sb);
        break;
    }
  }

  private static void writeObject(JsonNode node, StringBuilder sb, String indent) {
    if (node.isEmpty()) {
      sb.append("{}");
      return;
    }
    String inner = indent + "  ";
    sb.append('{');
    boolean first = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      sb.append(first ? "\n" : ",\n").append(inner);
      first = false;
      quote(e.getKey(), sb);
      sb.append(": ");
      write(e.getValue(), sb, inner);
    }
    sb.append('\n').append(indent).append('}');
  }

  private static void writeArray(JsonNode node, StringBuilder sb, String indent) {
    if (node.isEmpty()) {
      sb.append("[]");
      return;
    }
    String inner = indent + "  ";
    sb.append('[');
    for (int i = 0; i < node.size(); i++) {
      sb.append(i == 0 ? "\n" : ",\n").append(inner);
      write(node.get(i), sb, inner);
    }
    sb.append('\n').append(indent).append(']');
  }

  /** ECMAScript QuoteJSONString (ES2019, well-formed: lone surrogates are escaped). */
  static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\b':
          sb.append("\\b");
          break;
        case '\f':
          sb.append("\\f");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            unicodeEscape(c, sb);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            unicodeEscape(c, sb);
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }

  private static void unicodeEscape(char c, StringBuilder sb) {
    sb.append("\\u")
        .append(HEX[(c >> 12) & 0xf])
        .append(HEX[(c >> 8) & 0xf])
        .append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }

  private static String number(JsonNode node) {
    if (node.isIntegralNumber()) {
      // Integers are kept exactly as parsed; JavaScript would round those beyond 2^53.
      return node.bigIntegerValue().toString();
    }
    return number(node.doubleValue());
  }

  /** ECMAScript Number::toString for a double: the shortest digits that round-trip. */
  static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return "null";
    }
    if (d == 0) {
      return "0"; // also for -0, as JSON.stringify does
    }
    BigDecimal exact = new BigDecimal(Math.abs(d));
    BigDecimal shortest = exact;
    for (int p = 1; p <= 17; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == Math.abs(d)) {
        shortest = r;
        break;
      }
    }
    shortest = shortest.stripTrailingZeros();
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale(); // value = 0.digits * 10^n
    StringBuilder sb = new StringBuilder(32);
    if (d < 0) {
      sb.append('-');
    }
    if (k <= n && n <= 21) {
      sb.append(digits).append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      sb.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      sb.append("0.").append("0".repeat(-n)).append(digits);
    } else {
      int e = n - 1;
      sb.append(digits.charAt(0));
      if (k > 1) {
        sb.append('.').append(digits, 1, k);
      }
      sb.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
    }
    return sb.toString();
  }
}
