package dev.grapevine.conn.hub;

import dev.grapevine.conn.ConnAddress;
import dev.grapevine.transport.Dialer;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.util.concurrent.CompletableFuture;

/**
 * Opens the link the hub asks for. Unlike {@link Dialer}, it sees the whole address, key included,
 * so an authenticating dialer (the mesh handshake) can check that the peer holds the key.
 */
@FunctionalInterface
public interface ConnDialer {
  /**
   * Connects to {@code address} and hands the link to {@code handler}; the same contract as {@link
   * Dialer#dial}: the future completes with the open link after {@code handler.onOpen}, or fails.
   */
  CompletableFuture<PeerLink> dial(ConnAddress address, LinkHandler handler);

  /** Dials {@link ConnAddress#uri()} with a plain transport dialer; the key is not checked. */
  static ConnDialer of(Dialer dialer) {
    return (address, handler) -> dialer.dial(address.uri(), handler);
  }
}
