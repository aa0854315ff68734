package dev.grapevine.anproto;

import java.util.Set;

/**
 * Writes one string as a YAML scalar exactly as the reference's emitter does (Deno
 * {@code @std/yaml} 1.0.5 {@code stringify} with default options, a descendant of js-yaml 3.13),
 * for a key or a value of a top-level block mapping.
 *
 * <p>The style is chosen in this order:
 *
 * <ol>
 *   <li>the empty string, and the YAML 1.1 booleans ({@code yes}, {@code off}, {@code y}, ...):
 *       single-quoted;
 *   <li>any character outside the emitter's printable set (controls, tab, CR, NEL, NBSP, BOM,
 *       U+2028/9, U+FFFE/F, and <em>every UTF-16 surrogate</em>, so any emoji): double-quoted with
 *       escapes;
 *   <li>a key, or a value with no line feed and no line longer than {@value #FOLD_WIDTH}
 *       characters: plain if every character is plain-safe and the text does not read back as
 *       another type ({@code 1234}, {@code true}, {@code ~}, {@code 2024-01-01}, ...), otherwise
 *       single-quoted;
 *   <li>a value with a line longer than {@value #FOLD_WIDTH} characters that does not start with a
 *       space: folded ({@code >}), wrapped at spaces;
 *   <li>any other value with a line feed: literal ({@code |}).
 * </ol>
 *
 * <p>Lengths are counted in UTF-16 code units, as JavaScript does. Stateless.
 */
final class YamlScalar {
  /** Spaces per indentation level, and the indentation of a top-level mapping's values. */
  static final int INDENT = 2;

  /**
   * Longest line of a value that is not folded: the emitter's line width 80 minus the value's
   * indentation.
   */
  static final int FOLD_WIDTH = 80 - INDENT;

  /** YAML 1.1 booleans, quoted so that YAML 1.1 readers keep them as strings. */
  private static final Set<String> YAML11_BOOLEANS =
      Set.of(
          "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off",
          "OFF");

  private enum Style {
    PLAIN,
    SINGLE_QUOTED,
    DOUBLE_QUOTED,
    LITERAL,
    FOLDED
  }

  private YamlScalar() {}

  /** {@code text} as a mapping key: never a block scalar. */
  static String key(String text) {
    return write(text, true);
  }

  /** {@code text} as the value of a top-level mapping entry. */
  static String value(String text) {
    return write(text, false);
  }

  private static String write(String text, boolean singleLine) {
    if (text.isEmpty()) {
      return "''";
    }
    if (YAML11_BOOLEANS.contains(text)) {
      return "'" + text + "'";
    }
    switch (chooseStyle(text, singleLine)) {
      case PLAIN:
        return text;
      case SINGLE_QUOTED:
        return "'" + text.replace("'", "''") + "'";
      case DOUBLE_QUOTED:
        return '"' + escape(text) + '"';
      case LITERAL:
        return "|" + blockHeader(text) + withoutFinalLineFeed(indent(text));
      case FOLDED:
        return ">" + blockHeader(text) + withoutFinalLineFeed(indent(fold(text)));
      default:
        throw new AssertionError("unreachable");
    }
  }

  private static Style chooseStyle(String text, boolean singleLine) {
    int last = text.length() - 1;
    boolean plain = isPlainSafeFirst(text.charAt(0)) && !isSpaceOrTab(text.charAt(last));
    boolean hasLineFeed = false;
    boolean hasFoldableLine = false;
    int lineStart = 0;
    for (int i = 0; i <= last; i++) {
      char c = text.charAt(i);
      if (c == '\n' && !singleLine) {
        hasLineFeed = true;
        hasFoldableLine |= isFoldable(text, lineStart, i);
        lineStart = i + 1;
      } else if (!isPrintable(c)) {
        return Style.DOUBLE_QUOTED;
      }
      plain &= isPlainSafe(c);
    }
    if (!singleLine) {
      hasFoldableLine |= isFoldable(text, lineStart, text.length());
    }
    if (!hasLineFeed && !hasFoldableLine) {
      return plain && !readsAsNonString(text) ? Style.PLAIN : Style.SINGLE_QUOTED;
    }
    return hasFoldableLine ? Style.FOLDED : Style.LITERAL;
  }

  /** A line is folded when it is too long and not more-indented (does not start with a space). */
  private static boolean isFoldable(String text, int start, int end) {
    return end - start > FOLD_WIDTH && text.charAt(start) != ' ';
  }

  private static boolean readsAsNonString(String text) {
    return StdYamlSchema.typeOfPlain(text) != StdYamlSchema.Type.STRING;
  }

  /** The emitter's printable set, per UTF-16 code unit (so a surrogate is never printable). */
  private static boolean isPrintable(char c) {
    return (c >= 0x20 && c <= 0x7e)
        || (c >= 0xa1 && c <= 0xd7ff && c != '\u2028' && c != '\u2029')
        || (c >= 0xe000 && c <= 0xfffd && c != '\ufeff');
  }

  private static boolean isPlainSafe(char c) {
    return isPrintable(c) && ",[]{}:#".indexOf(c) < 0;
  }

  private static boolean isPlainSafeFirst(char c) {
    return isPlainSafe(c) && !isSpaceOrTab(c) && "-?&*!|>'\"%@`".indexOf(c) < 0;
  }

  private static boolean isSpaceOrTab(char c) {
    return c == ' ' || c == '\t';
  }

  /**
   * The block scalar header after {@code |} or {@code >}: an indentation indicator when the text
   * starts (after any line feeds) with a space, then the chomping indicator ({@code -} strip
   * without a final line feed, none for exactly one, {@code +} keep for more), then a line feed.
   */
  private static String blockHeader(String text) {
    int firstNonLineFeed = 0;
    while (firstNonLineFeed < text.length() && text.charAt(firstNonLineFeed) == '\n') {
      firstNonLineFeed++;
    }
    boolean leadingSpace = firstNonLineFeed < text.length() && text.charAt(firstNonLineFeed) == ' ';
    String chomp;
    if (!text.endsWith("\n")) {
      chomp = "-";
    } else if (text.endsWith("\n\n") || text.equals("\n")) {
      chomp = "+";
    } else {
      chomp = "";
    }
    return (leadingSpace ? String.valueOf(INDENT) : "") + chomp + "\n";
  }

  /** Indents every non-empty line by {@value #INDENT} spaces. */
  private static String indent(String text) {
    String pad = " ".repeat(INDENT);
    StringBuilder out = new StringBuilder(text.length() + 16);
    int start = 0;
    while (true) {
      int end = text.indexOf('\n', start);
      int lineEnd = end < 0 ? text.length() : end;
      if (lineEnd > start) {
        out.append(pad);
      }
      out.append(text, start, lineEnd);
      if (end < 0) {
        return out.toString();
      }
      out.append('\n');
      start = end + 1;
    }
  }

  private static String withoutFinalLineFeed(String text) {
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }

  /**
   * The folded-style body: each line wrapped by {@link #foldLine}, and an extra line feed between
   * two lines that are neither empty nor more-indented, because folding turns a single line feed
   * between such lines into a space when read back.
   */
  private static String fold(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    int firstLineFeed = text.indexOf('\n');
    int pos = firstLineFeed < 0 ? text.length() : firstLineFeed;
    out.append(foldLine(text.substring(0, pos)));
    boolean previousMoreIndented = text.charAt(0) == '\n' || text.charAt(0) == ' ';
    while (pos < text.length()) {
      int lineStart = pos;
      while (lineStart < text.length() && text.charAt(lineStart) == '\n') {
        lineStart++;
      }
      int next = text.indexOf('\n', lineStart);
      int lineEnd = next < 0 ? text.length() : next;
      String line = text.substring(lineStart, lineEnd);
      boolean moreIndented = line.startsWith(" ");
      out.append(text, pos, lineStart);
      if (!previousMoreIndented && !moreIndented && !line.isEmpty()) {
        out.append('\n');
      }
      out.append(foldLine(line));
      previousMoreIndented = moreIndented;
      pos = lineEnd;
    }
    return out.toString();
  }

  /**
   * Wraps one line at spaces so that pieces are at most {@value #FOLD_WIDTH} long where possible. A
   * break replaces the last space before a word; a word longer than the width stays whole. A line
   * that is empty or starts with a space is left alone.
   */
  private static String foldLine(String line) {
    if (line.isEmpty() || line.charAt(0) == ' ') {
      return line;
    }
    StringBuilder out = new StringBuilder(line.length() + 8);
    int start = 0;
    int lastBreak = 0;
    for (int i = 0; i + 1 < line.length(); i++) {
      if (line.charAt(i) != ' ' || line.charAt(i + 1) == ' ') {
        continue;
      }
      if (i - start > FOLD_WIDTH) {
        int end = lastBreak > start ? lastBreak : i;
        out.append(line, start, end).append('\n');
        start = end + 1;
      }
      lastBreak = i;
    }
    if (line.length() - start > FOLD_WIDTH && lastBreak > start) {
      out.append(line, start, lastBreak).append('\n');
      start = lastBreak + 1;
    }
    return out.append(line, start, line.length()).toString();
  }

  /** Double-quoted body: YAML escapes, {@code \xXX}/{@code \\uXXXX}, and pairs as {@code \U}. */
  private static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(String.format("\\U%08X", Character.toCodePoint(c, text.charAt(++i))));
        continue;
      }
      String named = namedEscape(c);
      if (named != null) {
        out.append(named);
      } else if (isPrintable(c)) {
        out.append(c);
      } else if (c <= 0xff) {
        out.append(String.format("\\x%02X", (int) c));
      } else {
        out.append(String.format("\\u%04X", (int) c));
      }
    }
    return out.toString();
  }

  private static String namedEscape(char c) {
    switch (c) {
      case 0x00:
        return "\\0";
      case 0x07:
        return "\\a";
      case '\b':
        return "\\b";
      case '\t':
        return "\\t";
      case '\n':
        return "\\n";
      case 0x0b:
        return "\\v";
      case '\f':
        return "\\f";
      case '\r':
        return "\\r";
      case 0x1b:
        return "\\e";
      case '"':
        return "\\\"";
      case '\\':
        return "\\\\";
      case 0x85:
        return "\\N";
      case 0xa0:
        return "\\_";
      case '\u2028':
        return "\\L";
      case '\u2029':
        return "\\P";
      default:
        return null;
    }
  }
}
