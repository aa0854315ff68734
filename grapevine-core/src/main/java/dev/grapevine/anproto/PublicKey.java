package dev.grapevine.anproto;

/**
 * An Ed25519 public key in ANProto form: standard padded base64 of the 32-byte key, 44 characters.
 * It is also an author id. Syntactically it cannot be told apart from a {@link Hash}.
 *
 * @param value the 44-character canonical base64 text
 */
public record PublicKey(String value) implements Comparable<PublicKey> {
  /** Length of the text form. */
  public static final int LENGTH = 44;

  /** Validates the text form. */
  public PublicKey {
    CanonicalBase64.decode(value, Ed25519.PUBLIC_KEY_BYTES, "public key");
  }

  /** Parses a 44-character public key, failing with a precise reason. */
  public static PublicKey parse(String value) {
    return new PublicKey(value);
  }

  /** The public key with these 32 raw bytes. */
  public static PublicKey of(byte[] raw) {
    if (raw.length != Ed25519.PUBLIC_KEY_BYTES) {
      throw new InvalidMessageException(
          InvalidMessageException.Reason.BAD_LENGTH,
          "Expected 32-byte public key but was " + raw.length + " bytes");
    }
    return new PublicKey(CanonicalBase64.encode(raw));
  }

  /** A fresh copy of the 32 raw key bytes. */
  public byte[] bytes() {
    return CanonicalBase64.decode(value, Ed25519.PUBLIC_KEY_BYTES, "public key");
  }

  @Override
  public int compareTo(PublicKey other) {
    return value.compareTo(other.value);
  }

  /** The 44-character text form. */
  @Override
  public String toString() {
    return value;
  }
}
