package dev.grapevine.conn.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Running statistics of a series of samples, in the shape ssb-conn stores them ({@code {mean,
 * stdev, count, sum, sqsum}}, from dominictarr/statistics): {@code mean = sum / count} and the
 * population standard deviation {@code stdev = sqrt(sqsum / count - mean^2)}. Immutable.
 *
 * @param mean the mean of the samples (0 when there are none)
 * @param stdev the population standard deviation (0 when there are fewer than two samples)
 * @param count the number of samples
 * @param sum the sum of the samples
 * @param sqsum the sum of the squares of the samples
 */
public record Statistics(double mean, double stdev, long count, double sum, double sqsum) {
  /** No samples: {@code {mean: 0, stdev: 0, count: 0, sum: 0, sqsum: 0}}. */
  public static final Statistics EMPTY = new Statistics(0, 0, 0, 0, 0);

  /** Validates the count. */
  public Statistics {
    if (count < 0) {
      throw new IllegalArgumentException("Expected a count >= 0 but was " + count);
    }
  }

  /**
   * These statistics with one more sample, as the upstream reducer computes them. (Rounding can
   * make {@code sqsum / count - mean^2} slightly negative, which upstream turns into NaN; here it
   * is 0.)
   */
  public Statistics add(double sample) {
    long c = count + 1;
    double s = sum + sample;
    double sq = sqsum + sample * sample;
    double m = s / c;
    double variance = sq / c - m * m;
    return new Statistics(m, variance > 0 ? Math.sqrt(variance) : 0, c, s, sq);
  }

  /** The JSON object {@code {mean, stdev, count, sum, sqsum}}, in that order. */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("mean", mean);
    o.put("stdev", stdev);
    o.put("count", count);
    o.put("sum", sum);
    o.put("sqsum", sqsum);
    return o;
  }

  /**
   * Reads statistics from a stored object; empty when {@code node} is not an object or lacks a
   * numeric {@code count} (JavaScript persists NaN as {@code null}). Missing or non-numeric {@code
   * mean}, {@code stdev}, {@code sum} and {@code sqsum} read as 0.
   */
  public static Optional<Statistics> fromJson(JsonNode node) {
    if (node == null || !node.isObject() || !node.path("count").isNumber()) {
      return Optional.empty();
    }
    long count = Math.max(0, node.get("count").asLong());
    return Optional.of(
        new Statistics(
            node.path("mean").asDouble(0),
            node.path("stdev").asDouble(0),
            count,
            node.path("sum").asDouble(0),
            node.path("sqsum").asDouble(0)));
  }
}
