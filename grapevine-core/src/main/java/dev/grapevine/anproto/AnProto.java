package dev.grapevine.anproto;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The ANProto operations of the reference implementation ({@code an.js} and {@code apds.js}), with
 * strict verification. Byte-compatible: the same key, timestamp and content give the same strings.
 *
 * <p>Thread-safe and stateless.
 */
public final class AnProto {
  private static final long MIN_TS = 1_000_000_000_000L;
  private static final long MAX_TS = 9_999_999_999_999L;

  private AnProto() {}

  /** {@code an.hash}: base64 of SHA-256 of the UTF-8 text. */
  public static Hash hash(String text) {
    return Hash.of(text);
  }

  /**
   * {@code an.sign}: signs {@code ts + contentHash} with {@code keys} and returns the 208-character
   * signed message (already verified, since we made it).
   *
   * @param timestampMillis epoch milliseconds; must have 13 digits (years 2001 to 2286)
   */
  public static VerifiedMessage sign(Hash contentHash, long timestampMillis, KeyPair keys) {
    if (timestampMillis < MIN_TS || timestampMillis > MAX_TS) {
      throw new IllegalArgumentException(
          "Expected a 13-digit timestamp but was " + timestampMillis);
    }
    Opened opened = new Opened(Long.toString(timestampMillis), contentHash);
    byte[] payload = opened.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] sig = keys.sign(payload);
    byte[] body = new byte[SignedMessage.BODY_BYTES];
    System.arraycopy(sig, 0, body, 0, sig.length);
    System.arraycopy(payload, 0, body, sig.length, payload.length);
    SignedMessage signed =
        SignedMessage.parse(keys.publicKey().value() + CanonicalBase64.encode(body));
    return new VerifiedMessage(signed, opened);
  }

  /**
   * {@code an.open} with strict acceptance: parses and verifies {@code signed} and returns the
   * opened payload.
   *
   * @throws InvalidMessageException with the reason the message is rejected
   */
  public static Opened open(String signed) {
    return SignedMessage.parse(signed).verify().opened();
  }

  /** The message id: the hash of the whole signed text. */
  public static Hash msgHash(String signed) {
    return Hash.of(signed);
  }

  /**
   * {@code apds.compose} without the signing: the content text for {@code body} with front matter
   * from {@code meta} in its iteration order, or {@code body} unchanged when {@code meta} is empty.
   */
  public static String compose(String body, Map<String, String> meta) {
    return Content.compose(body, meta).text();
  }
}
