package dev.grapevine.transport;

import java.util.concurrent.CompletableFuture;

/**
 * Answers the HTTP requests that are not WebSocket upgrades. Called on an I/O thread: return at
 * once and complete the future later if the answer needs storage or verification. A failed future
 * becomes a 500 with a JSON error body.
 */
public interface HttpHandler {
  /** Handles one request. */
  CompletableFuture<HttpResponse> handle(HttpRequest request);
}
