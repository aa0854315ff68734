package dev.grapevine.conn.db;

import java.time.Duration;
import java.util.Objects;

/**
 * When {@link ConnDb} writes {@code conn.json}: a trailing debounce after the last change, but no
 * later than a maximum delay after the first unwritten change, so that constant changes are still
 * written regularly.
 *
 * @param writeDebounce quiet time after the last change before writing (ssb-conn passes 1 s)
 * @param maxWriteDelay the longest a change waits to be written, however often changes come
 */
public record ConnDbConfig(Duration writeDebounce, Duration maxWriteDelay) {
  /** A 1 s debounce, as ssb-conn configures its ConnDB, and at most 5 s. */
  public static final ConnDbConfig DEFAULT =
      new ConnDbConfig(Duration.ofSeconds(1), Duration.ofSeconds(5));

  /** Validates the durations. */
  public ConnDbConfig {
    Objects.requireNonNull(writeDebounce, "writeDebounce");
    Objects.requireNonNull(maxWriteDelay, "maxWriteDelay");
    if (writeDebounce.isNegative()) {
      throw new IllegalArgumentException("Expected writeDebounce >= 0 but was " + writeDebounce);
    }
    if (maxWriteDelay.compareTo(writeDebounce) < 0) {
      throw new IllegalArgumentException(
          "Expected maxWriteDelay >= writeDebounce ("
              + writeDebounce
              + ") but was "
              + maxWriteDelay);
    }
  }

  /** This configuration with another debounce. */
  public ConnDbConfig withWriteDebounce(Duration writeDebounce) {
    return new ConnDbConfig(writeDebounce, maxWriteDelay);
  }

  /** This configuration with another maximum delay. */
  public ConnDbConfig withMaxWriteDelay(Duration maxWriteDelay) {
    return new ConnDbConfig(writeDebounce, maxWriteDelay);
  }
}
