/**
 * The network: a Netty server that serves HTTP and WebSocket upgrades on one port, and a Netty
 * client for outgoing ws:// and wss:// connections. Protocols see only {@link
 * dev.grapevine.transport.PeerLink} and {@link dev.grapevine.transport.LinkHandler}; limits,
 * keepalive and backpressure are enforced here.
 */
package dev.grapevine.transport;
