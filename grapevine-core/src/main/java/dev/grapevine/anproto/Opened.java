package dev.grapevine.anproto;

import static dev.grapevine.internal.Checks.printable;

/**
 * The payload of a signed message once its signature is verified: a 13-digit epoch-millisecond
 * timestamp followed by the content hash, with no separator (57 characters).
 *
 * @param timestamp the 13 decimal digits exactly as signed
 * @param contentHash the hash of the content blob
 */
public record Opened(String timestamp, Hash contentHash) {
  /** Length of the text form. */
  public static final int LENGTH = 57;

  /** Number of digits of the signed timestamp. */
  public static final int TIMESTAMP_DIGITS = 13;

  /** Validates the timestamp. */
  public Opened {
    if (timestamp.length() != TIMESTAMP_DIGITS || !timestamp.chars().allMatch(Opened::isDigit)) {
      throw new InvalidMessageException(
          InvalidMessageException.Reason.BAD_TIMESTAMP,
          "Expected a 13-digit timestamp but was '" + printable(timestamp) + "'");
    }
    java.util.Objects.requireNonNull(contentHash, "contentHash");
  }

  /** Parses the 57-character text form. */
  public static Opened parse(String text) {
    if (text.length() != LENGTH) {
      throw new InvalidMessageException(
          InvalidMessageException.Reason.BAD_LENGTH,
          "Expected opened string of " + LENGTH + " chars but was " + text.length());
    }
    return new Opened(
        text.substring(0, TIMESTAMP_DIGITS), Hash.parse(text.substring(TIMESTAMP_DIGITS)));
  }

  /** The signed timestamp in epoch milliseconds. */
  public long timestampMillis() {
    return Long.parseLong(timestamp);
  }

  /** The text form {@code ts13 + contentHash}. */
  @Override
  public String toString() {
    return timestamp + contentHash.value();
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }
}
