package dev.grapevine.events;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations written as Go's {@code time.Duration.String()} does, as PeerVault's routes show them.
 */
final class GoDuration {
  private GoDuration() {}

  /** For example {@code 1h2m3.5s}, {@code 1.312426581s}, {@code 250ms}, {@code 0s}. */
  static String format(Duration d) {
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    long nanos = d.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    if (nanos < 1_000) {
      return nanos + "ns";
    }
    if (nanos < 1_000_000) {
      return decimal(nanos, 3) + "µs";
    }
    if (nanos < 1_000_000_000) {
      return decimal(nanos, 6) + "ms";
    }
    long hours = d.toHours();
    long minutes = d.toMinutesPart();
    long secondNanos = nanos - (hours * 3600 + minutes * 60) * 1_000_000_000L;
    StringBuilder b = new StringBuilder();
    if (hours > 0) {
      b.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      b.append(minutes).append('m');
    }
    return b.append(decimal(secondNanos, 9)).append('s').toString();
  }

  private static String decimal(long value, int scale) {
    return BigDecimal.valueOf(value, scale).stripTrailingZeros().toPlainString();
  }
}
