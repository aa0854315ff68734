/**
 * Access to the node's operator surfaces: {@link dev.grapevine.api.ApiAuth} (bearer tokens, browser
 * origin allow-list, CORS, per-address request rate) in front of {@code /api/...}, {@code /metrics}
 * and the event API, and {@link dev.grapevine.api.StatusRoute} ({@code GET /api/status}).
 *
 * <p>To protect a route of your own, wrap its handler: {@code http.prefix("/api/peers",
 * apiAuth.wrap(peersHandler))}, where {@code apiAuth} is the node's ({@code Node.apiAuth()}). The
 * wrapped handler is called only for requests that pass every rule, and its responses get the CORS
 * headers.
 */
package dev.grapevine.api;
