package dev.grapevine.conn.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Dialer;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two hubs dial each other at once over an in-memory network. Whatever the order in which the dials
 * complete and the inbound links arrive, both keep exactly one link, the same one: the link dialled
 * by the smaller key.
 */
class SimultaneousDialTest {
  final ManualExecutor loop = new ManualExecutor();
  final Node a = new Node(ConnHubTest.SMALL, "10.0.0.1");
  final Node b = new Node(ConnHubTest.LARGE, "10.0.0.2");

  @AfterEach
  void close() {
    a.hub.close();
    b.hub.close();
    loop.runAll();
  }

  /** One side of the network: a hub, its address, its dials waiting to be opened. */
  final class Node implements Dialer {
    final PublicKey key;
    final String ip;
    final ConnAddress address;
    final ConnHub hub;
    final List<HubEvent> events = new ArrayList<>();
    final List<Dial> dials = new ArrayList<>();

    Node(PublicKey key, String ip) {
      this.key = key;
      this.ip = ip;
      this.address = ConnAddress.parse("ws://" + ip + ":9000~shs:" + key);
      this.hub = new ConnHub(key, this, new RecordingHandler(), ConnHubTest.CLOCK, loop);
      hub.listen(events::add);
    }

    @Override
    public CompletableFuture<PeerLink> dial(URI uri, LinkHandler handler) {
      Dial d = new Dial(this, uri, handler);
      dials.add(d);
      return d.future;
    }

    long count(HubEvent.Type type) {
      return events.stream().filter(e -> e.type() == type).count();
    }

    FakeLink link() {
      assertThat(hub.entries()).hasSize(1);
      HubEntry e = hub.entries().get(0);
      assertThat(e.state()).isEqualTo(ConnState.CONNECTED);
      return (FakeLink) e.link().orElseThrow();
    }
  }

  /** A dial from {@code from}: a connected pair of link ends once opened. */
  final class Dial {
    final Node from;
    final URI uri;
    final LinkHandler handler;
    final CompletableFuture<PeerLink> future = new CompletableFuture<>();
    FakeLink out;
    FakeLink in;

    Dial(Node from, URI uri, LinkHandler handler) {
      this.from = from;
      this.uri = uri;
      this.handler = handler;
    }

    Node to() {
      return uri.getHost().equals(a.ip) ? a : b;
    }

    /** The dialling side sees the link open. */
    void open() {
      out = new FakeLink(Direction.OUTBOUND, uri);
      in = new FakeLink(Direction.INBOUND, URI.create("ws://" + from.ip + ":50000"));
      out.otherEnd = in;
      in.otherEnd = out;
      out.onClosed = handler::onClose;
      Node to = to();
      in.onClosed = to.hub::linkClosed;
      handler.onOpen(out);
      future.complete(out);
    }

    /** The accepting side's server registers the inbound end. */
    void arrive() {
      to().hub.inbound(in, from.key);
    }
  }

  void startBoth() {
    a.hub.connect(b.address);
    b.hub.connect(a.address);
    loop.runAll();
    assertThat(a.dials).hasSize(1);
    assertThat(b.dials).hasSize(1);
  }

  void assertOneSharedLinkDialledBySmallerKey() {
    loop.runAll();
    FakeLink atA = a.link();
    FakeLink atB = b.link();
    assertThat(atA.otherEnd).isSameAs(atB);
    assertThat(atA.isOpen()).isTrue();
    assertThat(atB.isOpen()).isTrue();
    // a has the smaller key, so the link is the one a dialled.
    assertThat(atA.direction()).isEqualTo(Direction.OUTBOUND);
    assertThat(a.hub.entries().get(0).address()).isEqualTo(b.address);
    Dial other = b.dials.get(0);
    assertThat(other.out.isOpen()).isFalse();
    assertThat(other.in.isOpen()).isFalse();
    assertThat(List.of(other.out.closeReason, other.in.closeReason)).contains(CloseReason.NORMAL);
    for (Node n : List.of(a, b)) {
      assertThat(n.count(HubEvent.Type.CONNECTED) - n.count(HubEvent.Type.DISCONNECTED))
          .isEqualTo(1);
    }
  }

  @Test
  void dialsCompleteFirstThenInboundLinksArrive() {
    startBoth();
    a.dials.get(0).open();
    b.dials.get(0).open();
    loop.runAll();
    a.dials.get(0).arrive();
    b.dials.get(0).arrive();
    assertOneSharedLinkDialledBySmallerKey();
    // b had registered its own dial, then replaced it: one disconnected, two connected.
    assertThat(b.count(HubEvent.Type.DISCONNECTED)).isEqualTo(1);
    assertThat(a.count(HubEvent.Type.DISCONNECTED)).isZero();
  }

  @Test
  void inboundLinksArriveWhileBothDialsAreStillConnecting() {
    startBoth();
    a.dials.get(0).open();
    b.dials.get(0).open();
    a.dials.get(0).arrive();
    b.dials.get(0).arrive();
    assertOneSharedLinkDialledBySmallerKey();
  }

  @Test
  void oneDialCompletesAndItsLinkArrivesBeforeTheOtherDialCompletes() {
    startBoth();
    a.dials.get(0).open();
    a.dials.get(0).arrive();
    loop.runAll();
    // b adopted a's link in place of its own dial, which is cancelled.
    assertThat(b.dials.get(0).future).isCancelled();
    assertThat(b.hub.entries().get(0).address()).isEqualTo(a.address);
    assertThat(b.hub.entries().get(0).isClient()).isFalse();
    // The cancelled handshake finished anyway.
    b.dials.get(0).open();
    b.dials.get(0).arrive();
    assertOneSharedLinkDialledBySmallerKey();
    assertThat(b.count(HubEvent.Type.DISCONNECTED)).isZero();
  }

  @Test
  void theLargerKeysLinkArrivesFirstAndIsDropped() {
    startBoth();
    b.dials.get(0).open();
    b.dials.get(0).arrive();
    loop.runAll();
    a.dials.get(0).open();
    a.dials.get(0).arrive();
    assertOneSharedLinkDialledBySmallerKey();
    assertThat(b.dials.get(0).in.closeDetail).isEqualTo(ConnHub.DUPLICATE);
  }
}
