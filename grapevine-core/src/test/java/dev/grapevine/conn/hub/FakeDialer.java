package dev.grapevine.conn.hub;

import dev.grapevine.transport.Dialer;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A dialer whose futures the test settles on demand (as Besu's MockConnectionInitializer holds its
 * connection futures).
 */
final class FakeDialer implements Dialer {
  /** One dial: what was asked, and how to settle it. */
  static final class Pending {
    final URI uri;
    final LinkHandler handler;
    final CompletableFuture<PeerLink> future = new CompletableFuture<>();

    Pending(URI uri, LinkHandler handler) {
      this.uri = uri;
      this.handler = handler;
    }

    /** Opens a link as the transport does: onOpen, then the future; its close goes to onClose. */
    FakeLink open() {
      FakeLink link = new FakeLink(Direction.OUTBOUND, uri);
      link.onClosed = handler::onClose;
      handler.onOpen(link);
      future.complete(link);
      return link;
    }

    void fail(Throwable error) {
      future.completeExceptionally(error);
    }
  }

  final List<Pending> dials = new ArrayList<>();

  @Override
  public CompletableFuture<PeerLink> dial(URI uri, LinkHandler handler) {
    Pending p = new Pending(uri, handler);
    dials.add(p);
    return p.future;
  }

  Pending last() {
    return dials.get(dials.size() - 1);
  }
}
