package dev.grapevine.anproto;

import static dev.grapevine.internal.Checks.printable;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint;

/**
 * A signed message as it travels: {@code pubkey44 + base64(sig64 ‖ ts13 ‖ contentHash44)}, 208
 * characters. Parsing checks the structure strictly (length, canonical base64, a 13-digit
 * timestamp, a well-formed content hash) but not the signature; {@link #verify()} checks that.
 *
 * <p>The exact received text is kept and is what gets hashed and stored, never a re-encoding.
 * Immutable and thread-safe.
 */
public final class SignedMessage {
  /** Length of the text form. */
  public static final int LENGTH = 208;

  /** Bytes under the base64 after the key: signature, timestamp, content hash. */
  static final int BODY_BYTES = Ed25519.SIGNATURE_BYTES + Opened.LENGTH;

  private final String value;
  private final PublicKey author;
  private final byte[] body;
  private final Opened claimed;

  /**
   * The msgHash, computed on first use. Racy single-check: threads may each compute it once, and
   * {@link Hash} is immutable, so any value they see is complete.
   */
  private Hash msgHash;

  private SignedMessage(String value, PublicKey author, byte[] body, Opened claimed) {
    this.value = value;
    this.author = author;
    this.body = body;
    this.claimed = claimed;
  }

  /**
   * Parses the structure of a signed message without verifying the signature.
   *
   * @throws InvalidMessageException if the text is not a well-formed signed message
   */
  public static SignedMessage parse(String value) {
    if (value.length() != LENGTH) {
      String hint = value.endsWith("==") ? "" : " (it must end with the '==' padding)";
      throw new InvalidMessageException(
          InvalidMessageException.Reason.BAD_LENGTH,
          "Expected signed message of " + LENGTH + " chars but was " + value.length() + hint);
    }
    PublicKey author = PublicKey.parse(value.substring(0, PublicKey.LENGTH));
    byte[] body =
        CanonicalBase64.decode(value.substring(PublicKey.LENGTH), BODY_BYTES, "signature");
    String payload =
        new String(body, Ed25519.SIGNATURE_BYTES, Opened.LENGTH, StandardCharsets.ISO_8859_1);
    Opened claimed;
    try {
      claimed = Opened.parse(payload);
    } catch (InvalidMessageException e) {
      if (e.reason() == InvalidMessageException.Reason.BAD_TIMESTAMP) {
        throw e;
      }
      InvalidMessageException bad =
          new InvalidMessageException(
              InvalidMessageException.Reason.BAD_PAYLOAD,
              "Expected a canonical content hash after the timestamp in the signed payload but was '"
                  + printable(payload.substring(Opened.TIMESTAMP_DIGITS))
                  + "'");
      bad.initCause(e);
      throw bad;
    }
    return new SignedMessage(value, author, body, claimed);
  }

  /** Whether {@code text} has the length of a signed message (cheap pre-check, no parsing). */
  public static boolean hasSignedMessageLength(String text) {
    return text.length() == LENGTH;
  }

  /**
   * Verifies the Ed25519 signature and returns the verified message.
   *
   * @throws InvalidMessageException with {@code NON_CANONICAL_SIGNATURE} or {@code BAD_SIGNATURE}
   */
  public VerifiedMessage verify() {
    return verified(
        Ed25519.verify(author.bytes(), body, 0, body, Ed25519.SIGNATURE_BYTES, Opened.LENGTH));
  }

  /**
   * {@link #verify()} with the author's key decoded once per author through {@code keys}: the same
   * outcome for every message, cheaper for an author whose key is cached.
   *
   * @throws InvalidMessageException with {@code NON_CANONICAL_SIGNATURE} or {@code BAD_SIGNATURE}
   */
  public VerifiedMessage verify(KeyCache keys) {
    Optional<PublicPoint> point = keys.point(author);
    return point.isPresent()
        ? verified(
            Ed25519.verify(point.get(), body, 0, body, Ed25519.SIGNATURE_BYTES, Opened.LENGTH))
        : verify();
  }

  private VerifiedMessage verified(boolean valid) {
    if (!valid) {
      if (!Ed25519.hasCanonicalScalar(body, 0)) {
        throw new InvalidMessageException(
            InvalidMessageException.Reason.NON_CANONICAL_SIGNATURE,
            "Expected signature scalar S below the group order but S >= L (malleated signature)");
      }
      throw new InvalidMessageException(
          InvalidMessageException.Reason.BAD_SIGNATURE,
          "Expected a valid Ed25519 signature by " + author + " but it does not verify");
    }
    return new VerifiedMessage(this, claimed);
  }

  /** The author (first 44 characters). */
  public PublicKey author() {
    return author;
  }

  /** The timestamp and content hash this message claims, before verification. */
  public Opened claimedOpened() {
    return claimed;
  }

  /** The exact 208-character text. */
  public String value() {
    return value;
  }

  /** The message id: the hash of the whole text. */
  public Hash msgHash() {
    Hash h = msgHash;
    if (h == null) {
      h = Hash.of(value);
      msgHash = h;
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedMessage && value.equals(((SignedMessage) o).value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** The exact 208-character text. */
  @Override
  public String toString() {
    return value;
  }
}
