package dev.grapevine.transport;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** Opens outgoing links. The transport is the real one; tests may connect links in memory. */
public interface Dialer {
  /**
   * Connects to {@code uri} ({@code ws://} or {@code wss://}) and hands the link to {@code
   * handler}. The future completes with the open link (after {@code handler.onOpen}) or fails with
   * the connection error; it never completes before the WebSocket handshake.
   */
  CompletableFuture<PeerLink> dial(URI uri, LinkHandler handler);
}
