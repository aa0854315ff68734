package dev.grapevine.mesh;

import dev.grapevine.conn.hub.ConnHub;
import dev.grapevine.transport.CloseReason;
import java.net.URI;
import java.net.URISyntaxException;

/** Mesh URLs: what a peer advertises, where to dial it, and refusal codes for close reasons. */
final class Addresses {
  private Addresses() {}

  /**
   * The base URL a peer listens on: its {@code listenAddress} if that is a ws/wss URL with a host
   * and port, otherwise the remote IP of its socket with its {@code listenPort} (IPv6 in brackets,
   * unlike MiniLedger, which lost it), otherwise null: a peer without a port cannot be dialled.
   */
  static URI advertised(String listenAddress, int listenPort, URI remote) {
    if (listenAddress != null) {
      try {
        URI u = new URI(listenAddress);
        if (("ws".equals(u.getScheme()) || "wss".equals(u.getScheme()))
            && u.getHost() != null
            && u.getPort() > 0) {
          return base(u);
        }
      } catch (URISyntaxException e) {
        // Fall back to the socket's address.
      }
    }
    if (listenPort <= 0 || listenPort > 65535 || remote == null || remote.getHost() == null) {
      return null;
    }
    return URI.create("ws://" + remote.getHost() + ":" + listenPort);
  }

  /** {@code uri} without path, query or fragment. */
  static URI base(URI uri) {
    String host = uri.getHost();
    if (host == null) {
      return null;
    }
    return URI.create(
        uri.getScheme() + "://" + host + (uri.getPort() > 0 ? ":" + uri.getPort() : ""));
  }

  /** The mesh endpoint of a base URL. */
  static URI mesh(URI base) {
    return URI.create(base(base) + Mesh.PATH);
  }

  /** The refusal code for a close of a link still in its handshake. */
  static String refusalCode(CloseReason reason, String detail) {
    String d = detail == null ? "" : detail;
    if (d.equals(ConnHub.DUPLICATE)
        || d.contains("already connected")
        || d.contains("disconnecting")) {
      return Handshakes.DUPLICATE;
    }
    if (d.contains("own key")) {
      return Handshakes.SELF;
    }
    if (d.contains("firewall")) {
      return Handshakes.BLOCKED;
    }
    if (reason == CloseReason.SHUTDOWN) {
      return Handshakes.CLOSED;
    }
    return "refused";
  }
}
