package dev.grapevine.anproto;

/**
 * An ANProto string (hash, key, signed message or content) that is not well formed or does not
 * verify. {@link #reason()} classifies the failure; the message says what was expected and what was
 * found.
 */
public final class InvalidMessageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Why a string was rejected. */
  public enum Reason {
    /** The string has the wrong number of characters or bytes. */
    BAD_LENGTH,
    /** Not canonical standard padded base64 (whitespace, missing padding, trailing bits). */
    BAD_BASE64,
    /** The signed timestamp is not 13 decimal digits. */
    BAD_TIMESTAMP,
    /** The signature's scalar S is not below the group order L (a malleated signature). */
    NON_CANONICAL_SIGNATURE,
    /** The Ed25519 signature does not verify against the author's key. */
    BAD_SIGNATURE,
    /** The signed payload is not valid UTF-8 of the expected shape. */
    BAD_PAYLOAD,
    /** Content front matter could not be parsed or emitted. */
    BAD_FRONT_MATTER
  }

  private final Reason reason;

  /** Creates an exception with a reason and a message of the form "Expected X but was Y". */
  public InvalidMessageException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** The classified cause of the rejection. */
  public Reason reason() {
    return reason;
  }
}
