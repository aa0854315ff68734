package dev.grapevine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outgoing links: {@link Transport#dial} against our own server and against failures. */
class DialTest {
  private final Servers servers = new Servers();

  @AfterEach
  void tearDown() {
    servers.close();
  }

  private static PeerLink await(CompletableFuture<PeerLink> dial) throws Exception {
    return dial.get(10, TimeUnit.SECONDS);
  }

  private static Throwable failureOf(CompletableFuture<PeerLink> dial) {
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> dial.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void dialGivesALinkPairThatWorksBothWays() throws Exception {
    RecordingLinkHandler serverSide = new RecordingLinkHandler();
    RecordingLinkHandler clientSide = new RecordingLinkHandler();
    Transport server = servers.start(Servers.config().build(), serverSide);
    Transport client = servers.start(Servers.config().build(), new RecordingLinkHandler());
    URI uri = Servers.ws(server, "/");

    PeerLink out = await(client.dial(uri, clientSide));

    assertThat(clientSide.opened()).containsExactly(out);
    assertThat(out.id()).isEqualTo("out-1");
    assertThat(out.direction()).isEqualTo(Direction.OUTBOUND);
    assertThat(out.remote()).isEqualTo(uri);
    assertThat(client.links()).containsExactly(out);
    PeerLink in = serverSide.awaitOpen(0);
    assertThat(in.direction()).isEqualTo(Direction.INBOUND);

    assertThat(out.send("from client")).isTrue();
    assertThat(serverSide.awaitFrame(in, 0)).isEqualTo("from client");
    assertThat(in.send("x".repeat(200_000))).isTrue();
    assertThat(clientSide.awaitFrame(out, 0)).hasSize(200_000);

    out.close(CloseReason.NORMAL, "done");
    assertThat(clientSide.awaitClose(out).reason()).isEqualTo(CloseReason.NORMAL);
    RecordingLinkHandler.Close serverClose = serverSide.awaitClose(in);
    assertThat(serverClose.reason()).isEqualTo(CloseReason.REMOTE_CLOSED);
    assertThat(serverClose.detail()).contains("1000").contains("done");
    assertThat(client.links()).isEmpty();
    clientSide.assertContractKept();
    serverSide.assertContractKept();
  }

  @Test
  void dialByHostNameResolvesOffTheIoThreads() throws Exception {
    RecordingLinkHandler serverSide = new RecordingLinkHandler();
    Transport server = servers.start(Servers.config().build(), serverSide);
    Transport client = servers.start(Servers.config().build(), new RecordingLinkHandler());
    RecordingLinkHandler clientSide = new RecordingLinkHandler();

    PeerLink out =
        await(
            client.dial(
                URI.create("ws://localhost:" + server.localAddress().getPort() + "/"), clientSide));

    assertThat(out.send("by name")).isTrue();
    assertThat(serverSide.awaitFrame(serverSide.awaitOpen(0), 0)).isEqualTo("by name");
  }

  @Test
  void dialToAClosedPortFailsWithoutHandlerCalls() throws Exception {
    Transport client = servers.start(Servers.config().build(), new RecordingLinkHandler());
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    RecordingLinkHandler handler = new RecordingLinkHandler();

    Throwable failure =
        failureOf(client.dial(URI.create("ws://127.0.0.1:" + closedPort + "/"), handler));

    assertThat(failure).isInstanceOf(DialException.class).hasMessageContaining("cannot connect");
    assertThat(failure).hasRootCauseInstanceOf(ConnectException.class);
    assertThat(handler.events()).isEmpty();
  }

  @Test
  void dialToAReservedPathFailsWithTheServersStatus() {
    Transport server = servers.start(Servers.config().build(), new RecordingLinkHandler());
    Transport client = servers.start(Servers.config().build(), new RecordingLinkHandler());
    RecordingLinkHandler handler = new RecordingLinkHandler();

    Throwable failure = failureOf(client.dial(Servers.ws(server, "/all"), handler));

    assertThat(failure).isInstanceOf(DialException.class).hasMessageContaining("404");
    assertThat(handler.events()).isEmpty();
  }

  @Test
  void dialToAServerThatNeverAnswersTimesOut() throws Exception {
    Transport client =
        servers.start(
            Servers.config().handshakeTimeout(Duration.ofMillis(300)).build(),
            new RecordingLinkHandler());
    RecordingLinkHandler handler = new RecordingLinkHandler();
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      URI uri = URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/");

      Throwable failure = failureOf(client.dial(uri, handler));

      assertThat(failure)
          .isInstanceOf(DialException.class)
          .hasMessageContaining("no WebSocket handshake within PT0.3S");
    }
    assertThat(handler.events()).isEmpty();
  }

  @Test
  void dialRejectsUrisThatAreNotWebSockets() {
    Transport client = servers.start(Servers.config().build(), new RecordingLinkHandler());

    assertThat(client.dial(URI.create("http://127.0.0.1:1/"), new RecordingLinkHandler()))
        .failsWithin(Duration.ofSeconds(1))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void incomingMessageOverTheClientsLimitClosesTheOutboundLinkWith1009() throws Exception {
    RecordingLinkHandler serverSide = new RecordingLinkHandler();
    RecordingLinkHandler clientSide = new RecordingLinkHandler();
    Transport server = servers.start(Servers.config().build(), serverSide);
    Transport client =
        servers.start(
            Servers.config().maxFrameBytes(64 * 1024).build(), new RecordingLinkHandler());
    PeerLink out = await(client.dial(Servers.ws(server, "/"), clientSide));
    PeerLink in = serverSide.awaitOpen(0);

    in.send("z".repeat(100_000));

    assertThat(clientSide.awaitClose(out).reason()).isEqualTo(CloseReason.MESSAGE_TOO_BIG);
    assertThat(serverSide.awaitClose(in).detail()).contains("1009");
    assertThat(clientSide.frames(out)).isEmpty();
  }

  @Test
  void wssDialReachesATlsServerWithASelfSignedCertificateItTrusts(@TempDir Path dir)
      throws Exception {
    TestCertificates.PemFiles cert = TestCertificates.selfSigned(dir);
    RecordingLinkHandler serverSide = RecordingLinkHandler.echoing();
    RecordingLinkHandler clientSide = new RecordingLinkHandler();
    Transport server =
        servers.start(
            Servers.config().tls(cert.certificate(), cert.privateKey()).build(), serverSide);
    Transport client =
        servers.start(
            Servers.config().trustedCertificates(cert.certificate()).build(),
            new RecordingLinkHandler());
    URI uri = URI.create("wss://127.0.0.1:" + server.localAddress().getPort() + "/mesh-less");

    PeerLink out = await(client.dial(uri, clientSide));
    out.send("over tls");

    assertThat(clientSide.awaitFrame(out, 0)).isEqualTo("over tls");
    assertThat(serverSide.awaitOpen(0).remote().getScheme()).isEqualTo("ws");
  }

  @Test
  void wssDialFailsWhenTheCertificateIsNotTrusted(@TempDir Path dir) throws Exception {
    TestCertificates.PemFiles cert = TestCertificates.selfSigned(dir);
    RecordingLinkHandler serverSide = new RecordingLinkHandler();
    Transport server =
        servers.start(
            Servers.config().tls(cert.certificate(), cert.privateKey()).build(),
            serverSide,
            Map.of(),
            Servers.OK_HTTP);
    Transport client = servers.start(Servers.config().build(), new RecordingLinkHandler());
    RecordingLinkHandler handler = new RecordingLinkHandler();

    Throwable failure =
        failureOf(
            client.dial(
                URI.create("wss://127.0.0.1:" + server.localAddress().getPort() + "/"), handler));

    assertThat(failure).isInstanceOf(DialException.class);
    assertThat(failure).hasMessageContaining("TLS");
    assertThat(handler.events()).isEmpty();
    assertThat(serverSide.events()).isEmpty();
  }

  @Test
  void dialAfterCloseFails() {
    Transport client =
        Transport.start(
            Servers.config().build(), new RecordingLinkHandler(), Map.of(), Servers.OK_HTTP);
    client.close();

    assertThatThrownBy(
            () -> client.dial(URI.create("ws://127.0.0.1:1/"), new RecordingLinkHandler()).join())
        .hasCauseInstanceOf(DialException.class)
        .hasMessageContaining("closed");
  }
}
