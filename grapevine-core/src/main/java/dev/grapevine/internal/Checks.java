package dev.grapevine.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Range checks for the compact constructors of configuration records, failing with "Expected X but
 * was Y" messages. Internal: not part of Grapevine's API.
 */
public final class Checks {
  private Checks() {}

  /** Fails unless {@code value > 0}. */
  public static void requirePositive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException("Expected " + name + " > 0 but was " + value);
    }
  }

  /** Fails unless {@code value >= 0}. */
  public static void requireNotNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException("Expected " + name + " >= 0 but was " + value);
    }
  }

  /** Fails unless {@code value} is present and longer than zero. */
  public static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("Expected " + name + " > 0 but was " + value);
    }
  }

  /** Fails unless {@code value} is present and not negative. */
  public static void requireNotNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException("Expected " + name + " >= 0 but was " + value);
    }
  }

  /** Fails unless {@code value} is present, not negative and at most {@code max}. */
  public static void requireBetweenZeroAnd(String name, Duration value, Duration max) {
    requireNotNegative(name, value);
    if (value.compareTo(max) > 0) {
      throw new IllegalArgumentException("Expected " + name + " <= " + max + " but was " + value);
    }
  }

  /**
   * At most 64 code points of {@code s} for an error message, with anything outside printable ASCII
   * escaped as {@code \\uXXXX}, so that hostile input cannot forge log lines.
   */
  public static String printable(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints()
        .limit(64)
        .forEach(
            c -> {
              if (c >= 0x20 && c < 0x7f) {
                out.appendCodePoint(c);
              } else {
                out.append(String.format("\\u%04x", c));
              }
            });
    return out.toString();
  }
}
