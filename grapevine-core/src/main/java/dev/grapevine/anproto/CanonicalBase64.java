package dev.grapevine.anproto;

import java.util.Base64;

/**
 * Strict base64 for ANProto strings: the RFC 4648 standard alphabet, padded, and canonical (the
 * decoded bytes encode back to exactly the input). This rejects whitespace, missing padding and
 * non-zero trailing bits, which the reference's forgiving decoder accepts and which would give one
 * message several hashes.
 *
 * <p>Thread-safe and stateless.
 */
public final class CanonicalBase64 {
  private CanonicalBase64() {}

  /** Standard padded base64 of {@code bytes}. */
  public static String encode(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * Decodes {@code text} if it is canonical padded base64 of exactly {@code expectedBytes} bytes.
   *
   * @param what names the field in the error message, for example "signature"
   * @throws InvalidMessageException with reason {@link InvalidMessageException.Reason#BAD_BASE64}
   *     or {@link InvalidMessageException.Reason#BAD_LENGTH}
   */
  public static byte[] decode(String text, int expectedBytes, String what) {
    int expectedChars = encodedLength(expectedBytes);
    if (text.length() != expectedChars) {
      throw new InvalidMessageException(
          InvalidMessageException.Reason.BAD_LENGTH,
          "Expected " + what + " of " + expectedChars + " chars but was " + text.length());
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidMessageException(
          InvalidMessageException.Reason.BAD_BASE64,
          "Expected standard base64 in " + what + " but " + e.getMessage());
    }
    if (bytes.length != expectedBytes || !encode(bytes).equals(text)) {
      throw new InvalidMessageException(
          InvalidMessageException.Reason.BAD_BASE64,
          "Expected canonical padded base64 in " + what + " (padding or trailing bits differ)");
    }
    return bytes;
  }

  /** Number of characters of the padded base64 encoding of {@code bytes} bytes. */
  public static int encodedLength(int bytes) {
    return (bytes + 2) / 3 * 4;
  }
}
