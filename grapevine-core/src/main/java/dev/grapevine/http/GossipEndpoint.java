package dev.grapevine.http;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one ANProto frame posted to {@code POST /gossip} through the frame protocol, as the
 * reference's {@code handleIncomingMessage} does for a WebSocket frame: a 44-character frame is a
 * request, anything else is data. Implemented by the sync engine.
 *
 * <p>{@link ApdsRoutes} calls it on its reader executor (never on an I/O thread), once per request,
 * with a non-empty body no longer than {@link ApdsLimits#maxFrameChars()}. It should return soon
 * and complete the future when the frame has been handled (for data: after the commit).
 */
@FunctionalInterface
public interface GossipEndpoint {
  /**
   * Handles {@code frame} and completes with every frame the protocol would have sent back to the
   * sender over a WebSocket, in order; they are returned as {@code {"messages":[...]}}. A failed
   * (or null) future, a null element, or a thrown exception answers 500 {@code
   * {"error":"internal_error"}} (503 {@code {"error":"unavailable"}} for a store that is busy or
   * closed).
   *
   * @param frame the request body, exactly as received
   */
  CompletableFuture<List<String>> handleFrame(String frame);
}
