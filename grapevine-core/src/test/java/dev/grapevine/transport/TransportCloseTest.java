package dev.grapevine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link Transport#close()}: every link hears 1001, every handler hears SHUTDOWN, no thread stays.
 */
class TransportCloseTest {

  private static Set<Thread> transportThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(
            th ->
                th.getName().startsWith("grapevine-io-")
                    || th.getName().startsWith("grapevine-resolve-"))
        .collect(Collectors.toSet());
  }

  @Test
  void closeSendsGoingAwayToPeersReportsShutdownAndLeavesNoThreads() throws Exception {
    Set<Thread> before = transportThreads();
    RecordingLinkHandler serverSide = new RecordingLinkHandler();
    RecordingLinkHandler remoteSide = new RecordingLinkHandler();
    RecordingLinkHandler outSide = new RecordingLinkHandler();
    // One I/O thread, started by the bind, so that its thread exists before the snapshot below.
    Transport remote =
        Transport.start(
            Servers.config().ioThreads(1).build(), remoteSide, Map.of(), Servers.OK_HTTP);
    try {
      Set<Thread> beforeT = transportThreads();
      Transport t =
          Transport.start(Servers.config().build(), serverSide, Map.of(), Servers.OK_HTTP);
      JdkClient first = JdkClient.connect(Servers.ws(t, "/"));
      JdkClient second = JdkClient.connect(Servers.ws(t, "/"));
      PeerLink out = t.dial(Servers.ws(remote, "/"), outSide).get(10, TimeUnit.SECONDS);
      PeerLink remoteLink = remoteSide.awaitOpen(0);
      PeerLink in1 = serverSide.awaitOpen(0);
      PeerLink in2 = serverSide.awaitOpen(1);
      assertThat(t.links()).containsExactlyInAnyOrder(in1, in2, out);

      t.close();

      assertThat(first.awaitCloseCode()).isEqualTo(1001);
      assertThat(second.awaitCloseCode()).isEqualTo(1001);
      assertThat(serverSide.close(in1).reason()).isEqualTo(CloseReason.SHUTDOWN);
      assertThat(serverSide.close(in2).reason()).isEqualTo(CloseReason.SHUTDOWN);
      assertThat(outSide.close(out).reason()).isEqualTo(CloseReason.SHUTDOWN);
      assertThat(remoteSide.awaitClose(remoteLink).detail()).contains("1001");
      assertThat(t.links()).isEmpty();
      awaitThreadsWithin(beforeT);
      serverSide.assertContractKept();
      outSide.assertContractKept();

      t.close(); // idempotent
    } finally {
      remote.close();
    }
    awaitThreadsWithin(before);
  }

  /** Threads of other, already closed transports may take a moment to finish exiting. */
  private static void awaitThreadsWithin(Set<Thread> allowed) {
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(transportThreads()).isSubsetOf(allowed));
  }

  @Test
  void closeFailsADialStillInItsHandshake() throws Exception {
    Transport t =
        Transport.start(
            Servers.config().build(), new RecordingLinkHandler(), Map.of(), Servers.OK_HTTP);
    RecordingLinkHandler handler = new RecordingLinkHandler();
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      CompletableFuture<PeerLink> dial =
          t.dial(URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/"), handler);

      t.close();

      assertThat(dial)
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(DialException.class);
    }
    assertThat(handler.events()).isEmpty();
  }

  @Test
  void closeWithoutLinksReturnsPromptlyAndFreesThePort() {
    Transport t =
        Transport.start(
            Servers.config().build(), new RecordingLinkHandler(), Map.of(), Servers.OK_HTTP);
    int port = t.localAddress().getPort();
    assertThat(port).isPositive();

    t.close();

    Transport again =
        Transport.start(
            Servers.config().port(port).build(),
            new RecordingLinkHandler(),
            Map.of(),
            Servers.OK_HTTP);
    assertThat(again.localAddress().getPort()).isEqualTo(port);
    again.close();
  }

  @Test
  void closeFromAnIoThreadIsRefused() throws Exception {
    CompletableFuture<Throwable> refused = new CompletableFuture<>();
    Transport[] self = new Transport[1];
    RecordingLinkHandler handler =
        new RecordingLinkHandler()
            .onFrame(
                (link, text) -> {
                  try {
                    self[0].close();
                    refused.complete(null);
                  } catch (IllegalStateException e) {
                    refused.complete(e);
                  }
                });
    Transport t = Transport.start(Servers.config().build(), handler, Map.of(), Servers.OK_HTTP);
    self[0] = t;
    try {
      JdkClient.connect(Servers.ws(t, "/")).send("close yourself");

      assertThat(refused.get(10, TimeUnit.SECONDS))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("I/O thread");
    } finally {
      t.close();
    }
  }

  @Test
  void bindingABusyPortFailsClearly() {
    Transport t =
        Transport.start(
            Servers.config().build(), new RecordingLinkHandler(), Map.of(), Servers.OK_HTTP);
    try {
      int port = t.localAddress().getPort();
      assertThatThrownBy(
              () ->
                  Transport.start(
                      Servers.config().port(port).build(),
                      new RecordingLinkHandler(),
                      Map.of(),
                      Servers.OK_HTTP))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("Cannot bind 127.0.0.1:" + port);
    } finally {
      t.close();
    }
  }
}
