package dev.grapevine.transport;

/**
 * Why a link closed. Fine-grained local reasons map onto a few WebSocket close codes (RFC 6455
 * §7.4); {@link #wireCode()} is what the peer sees.
 */
public enum CloseReason {
  /** Closed on purpose by this side (disconnect, or a finished exchange). */
  NORMAL(1000),
  /** This node is shutting down. */
  SHUTDOWN(1001),
  /** No frame (not even a pong) arrived within the idle timeout. */
  IDLE_TIMEOUT(1001),
  /** The peer broke the WebSocket protocol. */
  PROTOCOL_ERROR(1002),
  /** A binary frame on a text-only surface. */
  BINARY_FRAME(1003),
  /** A text frame that is not valid UTF-8. */
  INVALID_UTF8(1007),
  /** The peer exceeded a limit: junk frames or message rate. */
  POLICY_VIOLATION(1008),
  /** A message larger than the configured maximum frame size. */
  MESSAGE_TOO_BIG(1009),
  /**
   * The peer stopped reading and our outbound buffer for it passed its bound. The connection is cut
   * without a close frame, which would wait behind the bytes the peer does not read; the peer
   * observes 1006.
   */
  SLOW_CONSUMER(1008),
  /** An unexpected error on this side (a bug; logged as an error). */
  INTERNAL_ERROR(1011),
  /**
   * This side is overloaded or the peer fell too far behind (the event API's slow-consumer policy);
   * the peer may reconnect later.
   */
  TRY_AGAIN_LATER(1013),
  /** The peer sent a close frame. */
  REMOTE_CLOSED(1000),
  /** The TCP connection ended or failed without a close frame. */
  CONNECTION_LOST(1006);

  private final int wireCode;

  CloseReason(int wireCode) {
    this.wireCode = wireCode;
  }

  /** The WebSocket close status code sent to the peer (1006 is never sent, only observed). */
  public int wireCode() {
    return wireCode;
  }
}
