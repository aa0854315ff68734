package dev.grapevine.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/** Renders benchmark reports as Markdown tables and JSON. Stateless and thread-safe. */
public final class Reports {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Reports() {}

  /** {@code report} (a record of numbers, strings and nested records) as indented JSON. */
  public static String json(Object report) {
    try {
      return JSON.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Cannot write the report as JSON", e);
    }
  }

  /** A two-column Markdown table of {@code rows} ({@code {name, value}} pairs). */
  public static String table(List<String[]> rows) {
    StringBuilder b = new StringBuilder("| Metric | Value |\n|---|---|\n");
    for (String[] row : rows) {
      b.append("| ").append(escape(row[0])).append(" | ").append(escape(row[1])).append(" |\n");
    }
    return b.toString();
  }

  /** {@code 12,345} for a rate, with no decimals. */
  static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  /** {@code 52.3%}, or {@code n/a} for a negative (unknown) ratio. */
  static String percent(double ratio) {
    return ratio < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * ratio);
  }

  /** {@code 84.5 µs}, or {@code n/a} for a negative (unknown) value. */
  static String micros(double micros) {
    return micros < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f µs", micros);
  }

  /** {@code 12,345}. */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** {@code 1.234 s}. */
  static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.3f s", millis / 1000.0);
  }

  /** Rounds to one decimal, for JSON fields that are rates. */
  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** Rounds to four decimals, for JSON fields that are ratios. */
  static double round4(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  private static String escape(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
