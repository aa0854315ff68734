package dev.grapevine.mesh;

import java.util.Locale;
import java.util.Objects;

/**
 * A mesh frame that cannot be accepted. The {@link Reason}'s {@link Reason#code() code} is what the
 * {@code ERROR} reply to the peer carries.
 */
public final class MeshProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a frame was refused. */
  public enum Reason {
    /** The frame is not JSON. */
    INVALID_JSON,
    /** The frame is JSON but not an envelope: a field is missing or has the wrong type. */
    INVALID_ENVELOPE,
    /** The envelope's version is not one this node speaks. */
    UNSUPPORTED_VERSION,
    /** No handler is registered for the envelope's type. */
    UNKNOWN_TYPE,
    /** The payload does not have the fields its type needs. */
    INVALID_PAYLOAD,
    /** Only a handshake is accepted before the handshake is done. */
    HANDSHAKE_REQUIRED,
    /** The envelope's {@code from} is not the nodeId the handshake proved. */
    WRONG_SENDER,
    /** The peer sends frames faster than allowed; the frame was dropped. */
    RATE_LIMITED;

    /** The lower-case code sent in {@code ERROR} replies, for example {@code "unknown_type"}. */
    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;

  /** A refusal for {@code reason}, explained by {@code message}. */
  public MeshProtocolException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why the frame was refused. */
  public Reason reason() {
    return reason;
  }
}
