package dev.grapevine.mesh.reconcile;

/**
 * A reconciliation message that cannot be accepted, or a session that cannot go on. {@link
 * #reason()} classifies the failure; the message says what was expected and what was found. A
 * session that threw is finished: start a new one (with this or another peer) to try again.
 */
public final class ReconcileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a message or session failed. */
  public enum Reason {
    /** The message is longer than {@link ReconcileConfig#maxMessageBytes()}. */
    TOO_LARGE,
    /** The message ends in the middle of a field. */
    TRUNCATED,
    /**
     * The message is not well formed: bad varint, unknown mode, bounds not increasing, a timestamp
     * out of range, a duplicate id, non-zero padding bits.
     */
    MALFORMED,
    /** The message is not base64, or not canonical base64. */
    BAD_BASE64,
    /**
     * The peer speaks another protocol version; on the responder, answer with {@link
     * ReconcileCodec#versionMessage()}.
     */
    UNSUPPORTED_VERSION,
    /**
     * Well formed but out of turn: a message after the session ended, an answer to a list that was
     * never sent, {@code start} on a responder.
     */
    PROTOCOL,
    /** The session exchanged more than {@link ReconcileConfig#maxRounds()} messages. */
    TOO_MANY_ROUNDS
  }

  private final Reason reason;

  /** Creates an exception with a reason and a message. */
  public ReconcileException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** The classified cause. */
  public Reason reason() {
    return reason;
  }
}
