/**
 * The network: a Netty server that serves HTTP and WebSocket upgrades on one port, and a Netty
 * client for outgoing ws:// and wss:// connections. Protocols see only {@link
 * dev.grapevine.transport.PeerLink} and {@link dev.grapevine.transport.LinkHandler}; limits,
 * keepalive and backpressure are enforced here.
 *
 * <p>Public: {@link dev.grapevine.transport.Transport} (start, dial, links, close), its settings
 * {@link dev.grapevine.transport.TransportConfig}, the seam types ({@code PeerLink}, {@code
 * LinkHandler}, {@code Dialer}, {@code HttpHandler}, {@code HttpRequest}, {@code HttpResponse},
 * {@code CloseReason}, {@code Direction}) and {@link dev.grapevine.transport.DialException}.
 * Everything else is package-private Netty plumbing.
 *
 * <p>Threads: every network event runs on the transport's {@code grapevine-io-N} threads, and each
 * connection stays on one of them; handler callbacks arrive there and must not block. No lock is
 * held across I/O or callbacks (see {@code CONCURRENCY-transport.md} beside these sources).
 */
package dev.grapevine.transport;
