/**
 * HTTP routes. {@link dev.grapevine.http.ApdsRoutes} is the APDS pub's HTTP API ({@code GET /all},
 * {@code /latest}, {@code /<key>}, {@code POST /gossip}, {@code GET /gossip/poll}) that Wiredove
 * browsers use when they have no WebSocket and to confirm a post; {@link
 * dev.grapevine.http.GossipEndpoint} is its seam to the frame protocol and {@link
 * dev.grapevine.http.ApdsLimits} its limits.
 *
 * <p>Handlers implement {@link dev.grapevine.transport.HttpHandler}: they are called on an I/O
 * thread, never block it (store reads run on an executor), and always complete with a response; bad
 * input becomes a JSON error with a 4xx status, failures a 5xx. Bodies are written with Jackson in
 * {@code JSON.stringify}'s shapes. Every parameter and return value is non-null unless documented
 * otherwise.
 *
 * <p>Known cost: {@code /all}, {@code /latest} and timestamp polls walk the whole log in arrival
 * order (in pages, holding only the answer), because the store has no timestamp-range read yet;
 * {@code /<pubkey>} and {@code /all?search=} read all matches before cutting the page.
 */
package dev.grapevine.http;
