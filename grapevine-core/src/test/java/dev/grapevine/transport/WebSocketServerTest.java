package dev.grapevine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server side of WebSocket links, driven by the JDK client and a raw Netty client. */
class WebSocketServerTest {
  private final Servers servers = new Servers();

  @AfterEach
  void tearDown() {
    servers.close();
  }

  @Test
  void textFramesTravelBothWaysAndTheHandlerSeesOneOpenAndOneClose() {
    RecordingLinkHandler server = RecordingLinkHandler.echoing();
    Transport t = servers.start(Servers.config().build(), server);
    JdkClient client = JdkClient.connect(Servers.ws(t, "/"));

    PeerLink link = server.awaitOpen(0);
    assertThat(link.direction()).isEqualTo(Direction.INBOUND);
    assertThat(link.id()).isEqualTo("in-1");
    assertThat(link.remote().toString()).startsWith("ws://127.0.0.1:");
    client.send("hello");
    client.send("é ✓ 𝄞");
    assertThat(server.awaitFrame(link, 1)).isEqualTo("é ✓ 𝄞");
    assertThat(client.awaitMessage(1)).isEqualTo("é ✓ 𝄞");
    assertThat(client.messages()).containsExactly("hello", "é ✓ 𝄞");
    assertThat(link.send("from server")).isTrue();
    assertThat(client.awaitMessage(2)).isEqualTo("from server");

    client.socket().sendClose(1000, "bye").join();
    RecordingLinkHandler.Close close = server.awaitClose(link);
    assertThat(close.reason()).isEqualTo(CloseReason.REMOTE_CLOSED);
    assertThat(close.detail()).contains("1000").contains("bye");
    assertThat(client.awaitCloseCode()).isEqualTo(1000);
    assertThat(link.isOpen()).isFalse();
    assertThat(link.send("too late")).isFalse();
    server.assertContractKept();
  }

  @Test
  void fragmentedMessageArrivesWhole() {
    RecordingLinkHandler server = new RecordingLinkHandler();
    Transport t = servers.start(Servers.config().build(), server);
    JdkClient client = JdkClient.connect(Servers.ws(t, "/"));
    PeerLink link = server.awaitOpen(0);

    client.socket().sendText("BSY7/er4VJIu08o39NaRAiPY", false).join();
    client.socket().sendText("/MAvd7oQhlGCRDABjYU=", true).join();

    assertThat(server.awaitFrame(link, 0))
        .isEqualTo("BSY7/er4VJIu08o39NaRAiPY/MAvd7oQhlGCRDABjYU=");
    assertThat(server.frames(link)).hasSize(1);
    server.assertContractKept();
  }

  @Test
  void messageOverMaxFrameBytesClosesWith1009AndOtherLinksKeepWorking() {
    RecordingLinkHandler server = RecordingLinkHandler.echoing();
    Transport t = servers.start(Servers.config().maxFrameBytes(64 * 1024).build(), server);
    JdkClient big = JdkClient.connect(Servers.ws(t, "/"));
    PeerLink bigLink = server.awaitOpen(0);
    JdkClient other = JdkClient.connect(Servers.ws(t, "/"));
    PeerLink otherLink = server.awaitOpen(1);

    big.socket().sendText("x".repeat(100_000), true);

    assertThat(big.awaitCloseCode()).isEqualTo(1009);
    assertThat(server.awaitClose(bigLink).reason()).isEqualTo(CloseReason.MESSAGE_TOO_BIG);
    other.send("still fine");
    assertThat(other.awaitMessage(0)).isEqualTo("still fine");
    assertThat(otherLink.isOpen()).isTrue();
    server.assertContractKept();
  }

  @Test
  void fragmentsAddingUpToMoreThanMaxFrameBytesCloseWith1009() {
    RecordingLinkHandler server = new RecordingLinkHandler();
    Transport t = servers.start(Servers.config().maxFrameBytes(64 * 1024).build(), server);
    JdkClient client = JdkClient.connect(Servers.ws(t, "/"));
    PeerLink link = server.awaitOpen(0);

    String part = "y".repeat(30_000);
    client.socket().sendText(part, false).join();
    client.socket().sendText(part, false).join();
    client.socket().sendText(part, true);

    assertThat(client.awaitCloseCode()).isEqualTo(1009);
    assertThat(server.awaitClose(link).reason()).isEqualTo(CloseReason.MESSAGE_TOO_BIG);
    assertThat(server.frames(link)).isEmpty();
  }

  @Test
  void binaryFrameClosesWith1003() {
    RecordingLinkHandler server = new RecordingLinkHandler();
    Transport t = servers.start(Servers.config().build(), server);
    JdkClient client = JdkClient.connect(Servers.ws(t, "/"));
    PeerLink link = server.awaitOpen(0);

    client.socket().sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true);

    assertThat(client.awaitCloseCode()).isEqualTo(1003);
    RecordingLinkHandler.Close close = server.awaitClose(link);
    assertThat(close.reason()).isEqualTo(CloseReason.BINARY_FRAME);
    assertThat(server.frames(link)).isEmpty();
    server.assertContractKept();
  }

  @Test
  void invalidUtf8ClosesWith1007() {
    RecordingLinkHandler server = new RecordingLinkHandler();
    Transport t = servers.start(Servers.config().build(), server);
    try (RawClient raw = RawClient.connect(Servers.ws(t, "/"), true)) {
      PeerLink link = server.awaitOpen(0);

      raw.write(
          new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'a', (byte) 0xC3, 0x28})));

      assertThat(raw.awaitCloseCode()).isEqualTo(1007);
      assertThat(server.awaitClose(link).reason()).isEqualTo(CloseReason.INVALID_UTF8);
      assertThat(server.frames(link)).isEmpty();
    }
  }

  @Test
  void unmaskedClientFrameClosesWith1002() {
    RecordingLinkHandler server = new RecordingLinkHandler();
    Transport t = servers.start(Servers.config().build(), server);
    try (RawClient raw = RawClient.connect(Servers.ws(t, "/"), false)) {
      PeerLink link = server.awaitOpen(0);

      raw.write(new TextWebSocketFrame("not masked"));

      assertThat(raw.awaitCloseCode()).isEqualTo(1002);
      assertThat(server.awaitClose(link).reason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
    }
  }

  @Test
  void pingGetsPongWithTheSamePayload() {
    RecordingLinkHandler server = new RecordingLinkHandler();
    Transport t = servers.start(Servers.config().build(), server);
    JdkClient client = JdkClient.connect(Servers.ws(t, "/"));
    server.awaitOpen(0);

    client.socket().sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8)));

    await().atMost(RecordingLinkHandler.WAIT).until(() -> !client.pongs().isEmpty());
    assertThat(client.pongs()).containsExactly("are you there");
  }

  @Test
  void silentPeerThatNeverAnswersPingsIsClosedForIdleness() {
    RecordingLinkHandler server = new RecordingLinkHandler();
    TransportConfig config =
        Servers.config()
            .pingInterval(Duration.ofMillis(100))
            .idleTimeout(Duration.ofMillis(400))
            .build();
    Transport t = servers.start(config, server);
    try (RawClient raw = RawClient.connect(Servers.ws(t, "/"), true)) {
      PeerLink link = server.awaitOpen(0);

      RecordingLinkHandler.Close close = server.awaitClose(link);

      assertThat(close.reason()).isEqualTo(CloseReason.IDLE_TIMEOUT);
      assertThat(raw.awaitCloseCode()).isEqualTo(1001);
      assertThat(raw.pings()).as("pings before giving up").isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void silentPeerThatAnswersPingsStaysOpen() {
    RecordingLinkHandler server = new RecordingLinkHandler();
    TransportConfig config =
        Servers.config()
            .pingInterval(Duration.ofMillis(100))
            .idleTimeout(Duration.ofMillis(400))
            .build();
    Transport t = servers.start(config, server);
    JdkClient client = JdkClient.connect(Servers.ws(t, "/"));
    PeerLink link = server.awaitOpen(0);

    // The JDK client answers pings by itself; three idle timeouts pass without a close.
    await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3)).until(link::isOpen);
    assertThat(server.close(link)).isNull();
    client.send("still here");
    assertThat(server.awaitFrame(link, 0)).isEqualTo("still here");
  }

  @Test
  void pausedReadingHoldsFramesBackWithoutAnIdleCloseAndResumingDeliversThem() {
    // Paused on the I/O thread, as a protocol does from its callbacks: no read is in flight.
    RecordingLinkHandler server = new RecordingLinkHandler().onOpen(l -> l.setReading(false));
    TransportConfig config =
        Servers.config()
            .pingInterval(Duration.ofMillis(100))
            .idleTimeout(Duration.ofMillis(300))
            .build();
    Transport t = servers.start(config, server);
    JdkClient client = JdkClient.connect(Servers.ws(t, "/"));
    PeerLink link = server.awaitOpen(0);

    client.send("held back");
    await()
        .during(Duration.ofMillis(900))
        .atMost(Duration.ofSeconds(3))
        .until(() -> link.isOpen() && server.frames(link).isEmpty());
    link.setReading(true);

    assertThat(server.awaitFrame(link, 0)).isEqualTo("held back");
    assertThat(link.isOpen()).isTrue();
  }

  @Test
  void handlerThatThrowsClosesItsLinkWith1011() {
    RecordingLinkHandler server =
        new RecordingLinkHandler()
            .onFrame(
                (link, text) -> {
                  throw new IllegalStateException("boom");
                });
    Transport t = servers.start(Servers.config().build(), server);
    JdkClient client = JdkClient.connect(Servers.ws(t, "/"));
    PeerLink link = server.awaitOpen(0);

    client.send("trigger");

    assertThat(client.awaitCloseCode()).isEqualTo(1011);
    RecordingLinkHandler.Close close = server.awaitClose(link);
    assertThat(close.reason()).isEqualTo(CloseReason.INTERNAL_ERROR);
    assertThat(close.detail()).contains("boom");
    server.assertContractKept();
  }

  @Test
  void closeByTheProtocolSendsItsCodeAndReportsItsReason() {
    RecordingLinkHandler server = new RecordingLinkHandler();
    Transport t = servers.start(Servers.config().build(), server);
    JdkClient client = JdkClient.connect(Servers.ws(t, "/"));
    PeerLink link = server.awaitOpen(0);

    link.close(CloseReason.POLICY_VIOLATION, "rate limit");
    link.close(CloseReason.NORMAL, "second close is ignored");

    assertThat(client.awaitCloseCode()).isEqualTo(1008);
    RecordingLinkHandler.Close close = server.awaitClose(link);
    assertThat(close.reason()).isEqualTo(CloseReason.POLICY_VIOLATION);
    assertThat(close.detail()).isEqualTo("rate limit");
    assertThat(t.links()).isEmpty();
    server.assertContractKept();
  }

  @Test
  void peerThatVanishesWithoutACloseFrameIsReportedAsConnectionLost() {
    RecordingLinkHandler server = new RecordingLinkHandler();
    Transport t = servers.start(Servers.config().build(), server);
    RawClient raw = RawClient.connect(Servers.ws(t, "/"), true);
    PeerLink link = server.awaitOpen(0);

    raw.close();

    assertThat(server.awaitClose(link).reason()).isEqualTo(CloseReason.CONNECTION_LOST);
    server.assertContractKept();
  }
}
