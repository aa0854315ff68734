package dev.grapevine.transport;

import java.util.concurrent.CompletableFuture;

/**
 * Answers the HTTP requests that are not WebSocket upgrades. Called on an I/O thread: return at
 * once and complete the future later (from any thread) if the answer needs storage or verification.
 * A failed future, a thrown exception or a null response becomes a 500 with a JSON error body.
 * Requests on one connection are handed over one at a time, in order: the next one waits until the
 * previous future completed, so the future must always complete.
 */
public interface HttpHandler {
  /** Handles one request. */
  CompletableFuture<HttpResponse> handle(HttpRequest request);
}
