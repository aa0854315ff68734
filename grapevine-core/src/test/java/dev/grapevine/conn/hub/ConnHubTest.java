package dev.grapevine.conn.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.DialException;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.PeerLink;
import java.net.ConnectException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnHubTest {
  static final PublicKey SMALL = key(1);
  static final PublicKey MIDDLE = key(2);
  static final PublicKey LARGE = key(3);
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);

  /** The unreachable peer of the upstream tests, as a ws address. */
  static final ConnAddress TEST_ADDR = ConnAddress.parse("ws://localhost:9752~shs:" + LARGE);

  final ManualExecutor loop = new ManualExecutor();
  final FakeDialer dialer = new FakeDialer();
  final RecordingHandler surface = new RecordingHandler();
  final ConnHub hub = new ConnHub(MIDDLE, dialer, surface, CLOCK, loop);
  final List<HubEvent> events = new ArrayList<>();

  {
    hub.listen(events::add);
  }

  @AfterEach
  void closeHub() {
    hub.close();
    loop.runAll();
  }

  static PublicKey key(int fill) {
    byte[] raw = new byte[32];
    Arrays.fill(raw, (byte) fill);
    return PublicKey.of(raw);
  }

  static ConnAddress address(String hostPort, PublicKey key) {
    return ConnAddress.parse("ws://" + hostPort + "~shs:" + key);
  }

  List<String> types() {
    return events.stream().map(e -> e.type().wireName()).collect(Collectors.toList());
  }

  static Throwable failure(CompletableFuture<?> f) {
    assertThat(f).isCompletedExceptionally();
    try {
      f.get();
      throw new AssertionError("not failed");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  // ------------------------------------------------ ported from ssb-conn-hub test/index.js

  @Test
  void connectToUnreachablePeerFailsWithTheDialError() {
    CompletableFuture<PeerLink> f = hub.connect(TEST_ADDR);
    loop.runAll();
    DialException refused =
        new DialException(TEST_ADDR.uri(), "cannot connect", new ConnectException("refused"));
    dialer.last().fail(refused);
    loop.runAll();
    assertThat(failure(f)).isSameAs(refused);
    assertThat(hub.entries()).isEmpty();
  }

  @Test
  void listenEmitsConnectingThenConnectingFailedAndNothingMore() {
    hub.connect(TEST_ADDR);
    loop.runAll();
    dialer.last().fail(new DialException(TEST_ADDR.uri(), "cannot connect", null));
    loop.runAll();
    assertThat(types()).containsExactly("connecting", "connecting-failed");
    HubEvent connecting = events.get(0);
    assertThat(connecting.address()).isEqualTo(TEST_ADDR);
    assertThat(connecting.key()).isEqualTo(LARGE);
    assertThat(connecting.isClient()).isTrue();
    assertThat(connecting.inferredType()).isEqualTo("internet");
    assertThat(events.get(1).error()).containsInstanceOf(DialException.class);
  }

  @Test
  void updateDuringConnectingMergesDataThenConnectingFailedFollows() {
    hub.connect(TEST_ADDR);
    CompletableFuture<Boolean> updated = hub.update(TEST_ADDR, Map.of("foo", "bar"));
    loop.runAll();
    assertThat(updated).isCompletedWithValue(true);
    assertThat(hub.entries()).hasSize(1);
    assertThat(hub.entries().get(0).data()).containsEntry("foo", "bar");
    assertThat(hub.entries().get(0).toData())
        .containsEntry("foo", "bar")
        .containsEntry("state", "connecting");
    dialer.last().fail(new DialException(TEST_ADDR.uri(), "refused", null));
    loop.runAll();
    assertThat(types()).containsExactly("connecting", "connecting-failed");
  }

  @Test
  void updateOfUnknownAddressReturnsFalse() {
    CompletableFuture<Boolean> updated = hub.update(TEST_ADDR, Map.of("foo", "bar"));
    loop.runAll();
    assertThat(updated).isCompletedWithValue(false);
  }

  @Test
  void liveEntriesEmitsEmptyThenConnectingThenEmpty() {
    List<List<HubEntry>> emissions = new ArrayList<>();
    hub.liveEntries(emissions::add);
    hub.connect(TEST_ADDR);
    loop.runAll();
    dialer.last().fail(new DialException(TEST_ADDR.uri(), "refused", null));
    loop.runAll();
    assertThat(emissions).hasSize(3);
    assertThat(emissions.get(0)).isEmpty();
    assertThat(emissions.get(1))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.state()).isEqualTo(ConnState.CONNECTING);
              assertThat(e.address()).isEqualTo(TEST_ADDR);
            });
    assertThat(emissions.get(2)).isEmpty();
  }

  @Test
  void disconnectOfUnknownAddressResolvesFalse() {
    CompletableFuture<Boolean> f = hub.disconnect(TEST_ADDR);
    loop.runAll();
    assertThat(f).isCompletedWithValue(false);
  }

  @Test
  void afterCloseEntriesThrowInstanceIsClosed() {
    hub.close();
    loop.runAll();
    assertThatThrownBy(hub::entries).hasMessageContaining("instance is closed");
    assertThat(failure(hub.connect(TEST_ADDR))).isInstanceOf(IllegalStateException.class);
  }

  // ------------------------------------------------ duplicate rules (§2.3)

  @Test
  void connectWhileConnectedReturnsTheSameLink() {
    CompletableFuture<PeerLink> first = hub.connect(TEST_ADDR);
    loop.runAll();
    FakeLink link = dialer.last().open();
    loop.runAll();
    assertThat(first).isCompletedWithValue(link);
    CompletableFuture<PeerLink> second = hub.connect(TEST_ADDR);
    // Another address of the same key is the same peer: one link per key.
    CompletableFuture<PeerLink> third = hub.connect(address("10.0.0.9:9000", LARGE));
    loop.runAll();
    assertThat(second).isCompletedWithValue(link);
    assertThat(third).isCompletedWithValue(link);
    assertThat(dialer.dials).hasSize(1);
    assertThat(types()).containsExactly("connecting", "connected");
    assertThat(surface.calls).containsExactly("open " + link.id());
    HubEntry e = hub.entries().get(0);
    assertThat(e.state()).isEqualTo(ConnState.CONNECTED);
    assertThat(e.isClient()).isTrue();
    assertThat(e.link()).contains(link);
  }

  @Test
  void connectWhileConnectingSettlesWithTheFirstAttemptsLink() {
    CompletableFuture<PeerLink> first = hub.connect(TEST_ADDR);
    CompletableFuture<PeerLink> second = hub.connect(TEST_ADDR);
    loop.runAll();
    assertThat(second).isNotDone();
    FakeLink link = dialer.last().open();
    loop.runAll();
    assertThat(first).isCompletedWithValue(link);
    assertThat(second).isCompletedWithValue(link);
    assertThat(dialer.dials).hasSize(1);
  }

  @Test
  void connectWhileConnectingSettlesWithTheFirstAttemptsFailureWithoutWaiting() {
    CompletableFuture<PeerLink> first = hub.connect(TEST_ADDR);
    CompletableFuture<PeerLink> second = hub.connect(TEST_ADDR);
    loop.runAll();
    DialException refused = new DialException(TEST_ADDR.uri(), "refused", null);
    dialer.last().fail(refused);
    loop.runAll();
    assertThat(failure(first)).isSameAs(refused);
    assertThat(failure(second)).isSameAs(refused);
  }

  @Test
  void connectWhileDisconnectingReconnectsAfterTheDisconnectFinishes() {
    hub.connect(TEST_ADDR);
    loop.runAll();
    FakeLink link = dialer.last().open();
    loop.runAll();
    // Hold the link's close report back, as a real transport waits for the close handshake.
    List<Runnable> pendingClose = new ArrayList<>();
    FakeLink.CloseListener report = link.onClosed;
    link.onClosed = (l, r, d) -> pendingClose.add(() -> report.closed(l, r, d));
    CompletableFuture<Boolean> disconnected = hub.disconnect(TEST_ADDR);
    loop.runAll();
    assertThat(hub.state(TEST_ADDR)).contains(ConnState.DISCONNECTING);
    CompletableFuture<PeerLink> again = hub.connect(TEST_ADDR);
    loop.runAll();
    assertThat(again).isNotDone();
    assertThat(dialer.dials).hasSize(1);

    pendingClose.forEach(Runnable::run);
    loop.runAll();
    assertThat(disconnected).isCompletedWithValue(true);
    assertThat(dialer.dials).hasSize(2);
    FakeLink second = dialer.last().open();
    loop.runAll();
    assertThat(again).isCompletedWithValue(second);
    assertThat(types())
        .containsExactly(
            "connecting", "connected", "disconnecting", "disconnected", "connecting", "connected");
  }

  // ------------------------------------------------ disconnect (§2.4)

  @Test
  void disconnectCancelsAnInFlightConnect() {
    CompletableFuture<PeerLink> f = hub.connect(TEST_ADDR);
    loop.runAll();
    FakeDialer.Pending dial = dialer.last();
    CompletableFuture<Boolean> d = hub.disconnect(TEST_ADDR);
    loop.runAll();
    assertThat(d).isCompletedWithValue(true);
    assertThat(dial.future).isCancelled();
    assertThat(failure(f)).isInstanceOf(CancellationException.class);
    assertThat(hub.entries()).isEmpty();
    assertThat(types()).containsExactly("connecting", "disconnecting", "disconnected");
  }

  @Test
  void aLinkThatOpensAfterItsConnectWasCancelledIsClosedAndNeverReachesTheSurface() {
    hub.connect(TEST_ADDR);
    loop.runAll();
    FakeDialer.Pending dial = dialer.last();
    hub.disconnect(TEST_ADDR);
    loop.runAll();
    // The handshake finished anyway (the race upstream leaves open).
    FakeLink late = new FakeLink(Direction.OUTBOUND, dial.uri);
    late.onClosed = dial.handler::onClose;
    dial.handler.onOpen(late);
    loop.runAll();
    assertThat(late.isOpen()).isFalse();
    assertThat(late.closeReason).isEqualTo(CloseReason.NORMAL);
    assertThat(surface.calls).isEmpty();
    assertThat(hub.entries()).isEmpty();
    assertThat(types()).containsExactly("connecting", "disconnecting", "disconnected");
  }

  @Test
  void disconnectedIsEmittedExactlyOncePerConnection() {
    hub.connect(TEST_ADDR);
    loop.runAll();
    FakeLink link = dialer.last().open();
    loop.runAll();
    CompletableFuture<Boolean> d = hub.disconnect(TEST_ADDR);
    loop.runAll();
    // The close reported again (through the server-side entry point), and a second disconnect:
    // still one event.
    hub.linkClosed(link, CloseReason.NORMAL, "again");
    CompletableFuture<Boolean> d2 = hub.disconnect(TEST_ADDR);
    loop.runAll();
    assertThat(d).isCompletedWithValue(true);
    assertThat(d2).isCompletedWithValue(false);
    assertThat(link.closeReason).isEqualTo(CloseReason.NORMAL);
    assertThat(types()).containsExactly("connecting", "connected", "disconnecting", "disconnected");
    HubEvent last = events.get(3);
    assertThat(last.closeReason()).contains(CloseReason.NORMAL);
    assertThat(last.link()).contains(link);
    assertThat(surface.calls)
        .containsExactly("open " + link.id(), "close " + link.id() + " NORMAL");
  }

  @Test
  void aRemoteCloseEmitsDisconnectedOnceWithTheReason() {
    hub.connect(TEST_ADDR);
    loop.runAll();
    FakeLink link = dialer.last().open();
    loop.runAll();
    link.close(CloseReason.REMOTE_CLOSED, "bye");
    loop.runAll();
    assertThat(types()).containsExactly("connecting", "connected", "disconnected");
    assertThat(events.get(2).closeReason()).contains(CloseReason.REMOTE_CLOSED);
    assertThat(events.get(2).detail()).isEqualTo("bye");
    assertThat(hub.entries()).isEmpty();
  }

  @Test
  void aLinkThatClosesBeforeItsDialCompletionIsHandledCountsAsAFailedConnect() {
    CompletableFuture<PeerLink> f = hub.connect(TEST_ADDR);
    loop.runAll();
    FakeDialer.Pending dial = dialer.last();
    FakeLink link = new FakeLink(Direction.OUTBOUND, dial.uri);
    link.onClosed = dial.handler::onClose;
    dial.handler.onOpen(link);
    link.close(CloseReason.CONNECTION_LOST, "reset");
    dial.future.complete(link);
    loop.runAll();
    assertThat(failure(f)).isInstanceOf(IllegalStateException.class);
    assertThat(types()).containsExactly("connecting", "connecting-failed");
    assertThat(hub.entries()).isEmpty();
  }

  @Test
  void disconnectingFailedRestoresTheStateWhenClosingThrows() {
    hub.connect(TEST_ADDR);
    loop.runAll();
    FakeLink link = dialer.last().open();
    loop.runAll();
    link.onClosed =
        (l, r, d) -> {
          throw new IllegalStateException("boom");
        };
    CompletableFuture<Boolean> d = hub.disconnect(TEST_ADDR);
    loop.runAll();
    assertThat(failure(d)).hasMessage("boom");
    assertThat(types())
        .containsExactly("connecting", "connected", "disconnecting", "disconnecting-failed");
    assertThat(hub.state(TEST_ADDR)).contains(ConnState.CONNECTED);
  }

  // ------------------------------------------------ inbound, reset, close

  @Test
  void anInboundLinkIsKeyedByTheRemoteAddressAndKey() {
    FakeLink in = new FakeLink(Direction.INBOUND, URI.create("ws://192.168.1.7:53861"));
    CompletableFuture<Boolean> accepted = hub.inbound(in, LARGE);
    loop.runAll();
    assertThat(accepted).isCompletedWithValue(true);
    ConnAddress expected = address("192.168.1.7:53861", LARGE);
    assertThat(hub.entry(expected))
        .hasValueSatisfying(
            e -> {
              assertThat(e.state()).isEqualTo(ConnState.CONNECTED);
              assertThat(e.isClient()).isFalse();
              assertThat(e.inferredType()).isEqualTo("lan");
            });
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(HubEvent.Type.CONNECTED);
              assertThat(e.direction()).isEqualTo(Direction.INBOUND);
              assertThat(e.address()).isEqualTo(expected);
            });
    // The server reports the close.
    hub.linkClosed(in, CloseReason.REMOTE_CLOSED, "");
    hub.linkClosed(in, CloseReason.REMOTE_CLOSED, "");
    loop.runAll();
    assertThat(types()).containsExactly("connected", "disconnected");
  }

  @Test
  void connectToAPeerConnectedInboundReturnsThatLink() {
    FakeLink in = new FakeLink(Direction.INBOUND, URI.create("ws://192.168.1.7:53861"));
    hub.inbound(in, LARGE);
    CompletableFuture<PeerLink> f = hub.connect(TEST_ADDR);
    loop.runAll();
    assertThat(f).isCompletedWithValue(in);
    assertThat(dialer.dials).isEmpty();
  }

  @Test
  void linksFromOrToOurOwnKeyAreRefused() {
    FakeLink in = new FakeLink(Direction.INBOUND, URI.create("ws://10.0.0.1:1"));
    CompletableFuture<Boolean> accepted = hub.inbound(in, MIDDLE);
    CompletableFuture<PeerLink> f = hub.connect(address("10.0.0.1:9000", MIDDLE));
    loop.runAll();
    assertThat(accepted).isCompletedWithValue(false);
    assertThat(in.isOpen()).isFalse();
    assertThat(failure(f)).isInstanceOf(IllegalArgumentException.class);
    assertThat(hub.entries()).isEmpty();
  }

  @Test
  void resetDisconnectsConnectedEntriesAndLeavesConnectingOnes() {
    hub.connect(TEST_ADDR);
    loop.runAll();
    FakeLink out = dialer.last().open();
    FakeLink in = new FakeLink(Direction.INBOUND, URI.create("ws://10.0.0.2:4000"));
    in.onClosed = hub::linkClosed;
    hub.inbound(in, SMALL);
    ConnAddress pending = address("10.0.0.3:9000", key(4));
    hub.connect(pending);
    loop.runAll();
    CompletableFuture<Void> reset = hub.reset();
    loop.runAll();
    assertThat(reset).isCompleted();
    assertThat(out.closeReason).isEqualTo(CloseReason.NORMAL);
    assertThat(in.closeReason).isEqualTo(CloseReason.NORMAL);
    assertThat(hub.entries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.address()).isEqualTo(pending);
              assertThat(e.state()).isEqualTo(ConnState.CONNECTING);
            });
    assertThat(events.stream().filter(e -> e.type() == HubEvent.Type.DISCONNECTED)).hasSize(2);
    // Idempotent: a second reset finds nothing to do.
    CompletableFuture<Void> again = hub.reset();
    loop.runAll();
    assertThat(again).isCompleted();
    assertThat(hub.entries()).hasSize(1);
  }

  @Test
  void closeShutsEveryLinkCancelsDialsAndEmitsDisconnectedForEach() {
    CompletableFuture<PeerLink> pending = hub.connect(address("10.0.0.3:9000", key(4)));
    hub.connect(TEST_ADDR);
    loop.runAll();
    FakeLink out = dialer.last().open();
    loop.runAll();
    events.clear();
    hub.close();
    loop.runAll();
    assertThat(out.closeReason).isEqualTo(CloseReason.SHUTDOWN);
    assertThat(dialer.dials.get(0).future).isCancelled();
    assertThat(failure(pending)).isInstanceOf(IllegalStateException.class);
    assertThat(types()).containsExactly("disconnected", "disconnected");
  }

  @Test
  void aThrowingListenerDoesNotStopOthers() {
    hub.listen(
        e -> {
          throw new IllegalStateException("listener bug");
        });
    List<HubEvent> after = new ArrayList<>();
    hub.listen(after::add);
    hub.connect(TEST_ADDR);
    loop.runAll();
    assertThat(after).hasSize(1);
  }
}
