package dev.grapevine.mesh;

import java.util.Objects;

/**
 * A dial whose handshake did not succeed: the peer answered {@code accepted: false}, or its answer
 * did not prove the key it claimed. {@link #permanent()} says whether dialling again can help; the
 * connection manager's backoff still applies to every refusal.
 */
public final class MeshRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String reason;

  /** A refusal with the peer's (or our) {@code reason} code and a sentence about it. */
  public MeshRefusedException(String reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * The reason code, for example {@code "duplicate"}, {@code "self"} or {@code "bad_signature"}.
   */
  public String reason() {
    return reason;
  }

  /**
   * Whether the refusal will not change by itself (our own node, another network or protocol
   * version, an identity that does not match), as opposed to {@code duplicate} or {@code full}.
   */
  public boolean permanent() {
    switch (reason) {
      case Handshakes.DUPLICATE:
      case Handshakes.FULL:
      case Handshakes.TIMEOUT:
      case Handshakes.CLOSED:
      case "refused":
        return false;
      default:
        return true;
    }
  }
}
