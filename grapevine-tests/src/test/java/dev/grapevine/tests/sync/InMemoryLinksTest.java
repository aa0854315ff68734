package dev.grapevine.tests.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.testing.InMemoryLinks;
import dev.grapevine.testing.RecordingLinkHandler;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The in-memory links the sync tests run on behave like the transport's. */
class InMemoryLinksTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void framesArriveInOrderOnTheReceiversOwnThread() {
    try (InMemoryLinks net = InMemoryLinks.create()) {
      RecordingLinkHandler client = new RecordingLinkHandler();
      List<String> threads = new ArrayList<>();
      RecordingLinkHandler serverFrames = new RecordingLinkHandler();
      LinkHandler server =
          new LinkHandler() {
            @Override
            public void onOpen(PeerLink link) {
              serverFrames.onOpen(link);
            }

            @Override
            public void onFrame(PeerLink link, String text) {
              synchronized (threads) {
                threads.add(Thread.currentThread().getName());
              }
              serverFrames.onFrame(link, text);
            }

            @Override
            public void onClose(PeerLink link, CloseReason reason, String detail) {}
          };
      InMemoryLinks.Pair pair = net.connect(client, server);

      for (int i = 0; i < 1000; i++) {
        client.send("frame " + i);
      }

      for (int i = 0; i < 1000; i++) {
        assertThat(serverFrames.take()).isEqualTo("frame " + i);
      }
      assertThat(threads).containsOnly(pair.server().id());
      assertThat(pair.client().direction()).isEqualTo(Direction.OUTBOUND);
      assertThat(pair.server().direction()).isEqualTo(Direction.INBOUND);
    }
  }

  @Test
  void setReadingPausesAndResumesDelivery() {
    try (InMemoryLinks net = InMemoryLinks.create()) {
      RecordingLinkHandler client = new RecordingLinkHandler();
      RecordingLinkHandler server = new RecordingLinkHandler();
      InMemoryLinks.Pair pair = net.connect(client, server);
      server.link().setReading(false);

      client.send("held");

      await().atMost(WAIT).until(() -> pair.server().queuedFrames() == 1);
      assertThat(server.received()).isEmpty();
      server.link().setReading(true);
      assertThat(server.take()).isEqualTo("held");
    }
  }

  @Test
  void closeReachesBothEndsAfterTheFramesSentBeforeIt() {
    try (InMemoryLinks net = InMemoryLinks.create()) {
      RecordingLinkHandler client = new RecordingLinkHandler();
      RecordingLinkHandler server = new RecordingLinkHandler();
      net.connect(client, server);
      server.link();

      client.send("last words");
      client.link().close(CloseReason.POLICY_VIOLATION, "enough");

      assertThat(client.closed()).succeedsWithin(WAIT).isEqualTo(CloseReason.POLICY_VIOLATION);
      assertThat(server.closed()).succeedsWithin(WAIT).isEqualTo(CloseReason.REMOTE_CLOSED);
      assertThat(server.received()).containsExactly("last words");
      assertThat(server.closeDetail()).contains("1008");
      assertThat(client.send("too late")).isFalse();
    }
  }

  @Test
  void theOutboundBoundClosesASlowConsumer() {
    try (InMemoryLinks net = InMemoryLinks.withOutboundBound(3)) {
      RecordingLinkHandler client = new RecordingLinkHandler();
      RecordingLinkHandler server = new RecordingLinkHandler();
      net.connect(client, server);
      server.link().setReading(false);

      boolean[] accepted = new boolean[4];
      for (int i = 0; i < 4; i++) {
        accepted[i] = client.send("f" + i);
      }

      assertThat(accepted).containsExactly(true, true, true, false);
      assertThat(client.closed()).succeedsWithin(WAIT).isEqualTo(CloseReason.SLOW_CONSUMER);
    }
  }

  @Test
  void theDialerConnectsToRegisteredHandlersAndFailsOtherwise() throws Exception {
    try (InMemoryLinks net = InMemoryLinks.create()) {
      URI uri = URI.create("ws://somewhere.test/");
      CompletableFuture<PeerLink> refused = net.dialer().dial(uri, new RecordingLinkHandler());
      assertThat(refused)
          .failsWithin(WAIT)
          .withThrowableThat()
          .withCauseInstanceOf(ConnectException.class);

      RecordingLinkHandler server = new RecordingLinkHandler();
      net.register(uri, server);
      RecordingLinkHandler client = new RecordingLinkHandler();
      PeerLink link = net.dialer().dial(uri, client).get();

      assertThat(client.opened()).as("onOpen before the future completes").isDone();
      assertThat(link.remote()).isEqualTo(uri);
      link.send("hi");
      assertThat(server.take()).isEqualTo("hi");
      assertThat(net.dialCount()).isEqualTo(2);
    }
  }

  @Test
  void aHandlerThatThrowsClosesItsEndWithInternalError() {
    try (InMemoryLinks net = InMemoryLinks.create()) {
      RecordingLinkHandler client = new RecordingLinkHandler();
      CompletableFuture<CloseReason> serverClosed = new CompletableFuture<>();
      net.connect(
          client,
          new LinkHandler() {
            @Override
            public void onOpen(PeerLink link) {}

            @Override
            public void onFrame(PeerLink link, String text) {
              throw new IllegalStateException("boom");
            }

            @Override
            public void onClose(PeerLink link, CloseReason reason, String detail) {
              serverClosed.complete(reason);
            }
          });

      client.send("anything");

      assertThat(serverClosed).succeedsWithin(WAIT).isEqualTo(CloseReason.INTERNAL_ERROR);
      assertThat(client.closed()).succeedsWithin(WAIT).isEqualTo(CloseReason.REMOTE_CLOSED);
    }
  }
}
