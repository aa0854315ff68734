package dev.grapevine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Outbound bounds: a peer that stops reading is closed; everyone else is served on. */
class SlowConsumerTest {
  private static final int BOUND = 256 * 1024;

  /** Enough to fill any loopback socket buffers many times over if the peer did read. */
  private static final int MAX_FRAMES = 20_000;

  private final Servers servers = new Servers();

  @AfterEach
  void tearDown() {
    servers.close();
  }

  @Test
  void peerThatStopsReadingIsClosedOnceItsQueuePassesTheHardCapAndOthersStayServed() {
    RecordingLinkHandler server = RecordingLinkHandler.echoing();
    Transport t = servers.start(Servers.config().maxOutboundBytes(BOUND).build(), server);
    JdkClient stalled = JdkClient.connect(Servers.ws(t, "/"), false);
    PeerLink link = server.awaitOpen(0);
    JdkClient healthy = JdkClient.connect(Servers.ws(t, "/"));
    server.awaitOpen(1);

    String chunk = "x".repeat(64 * 1024);
    int accepted = 0;
    while (link.send(chunk)) {
      accepted++;
      assertThat(accepted)
          .as("frames accepted by a peer that reads nothing")
          .isLessThan(MAX_FRAMES);
    }

    RecordingLinkHandler.Close close = server.awaitClose(link);
    assertThat(close.reason()).isEqualTo(CloseReason.SLOW_CONSUMER);
    assertThat(close.detail()).contains("outbound queue");
    assertThat(link.send("more")).isFalse();
    healthy.send("are you still serving?");
    assertThat(healthy.awaitMessage(0)).isEqualTo("are you still serving?");
    stalled.abort();
    server.assertContractKept();
  }

  @Test
  void peerThatStaysUnwritableForTheSlowConsumerTimeoutIsClosed() {
    RecordingLinkHandler server = new RecordingLinkHandler();
    TransportConfig config =
        Servers.config()
            .maxOutboundBytes(BOUND)
            .slowConsumerTimeout(Duration.ofMillis(300))
            .build();
    Transport t = servers.start(config, server);
    try (RawClient raw = RawClient.connect(Servers.ws(t, "/"), true)) {
      raw.stopReading();
      WebSocketLink link = (WebSocketLink) server.awaitOpen(0);

      // Keep more than the bound queued (the link stays unwritable once the socket buffers are
      // full) but never more than the hard cap of twice the bound, until the link is closed.
      String chunk = "y".repeat(16 * 1024);
      await()
          .atMost(RecordingLinkHandler.WAIT)
          .pollInterval(Duration.ofMillis(1))
          .until(
              () -> {
                while (link.isOpen() && link.queuedBytes() < BOUND + BOUND / 2) {
                  link.send(chunk);
                }
                return server.close(link) != null;
              });

      RecordingLinkHandler.Close close = server.awaitClose(link);
      assertThat(close.reason()).isEqualTo(CloseReason.SLOW_CONSUMER);
      assertThat(close.detail()).contains("for PT0.3S");
    }
    server.assertContractKept();
  }
}
