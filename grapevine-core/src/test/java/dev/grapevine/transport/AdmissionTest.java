package dev.grapevine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A surface's say over its upgrades ({@link LinkHandler#admit}) and its links' own limits. */
class AdmissionTest {
  private final Servers servers = new Servers();
  private final RecordingLinkHandler anproto = new RecordingLinkHandler();

  @AfterEach
  void tearDown() {
    servers.close();
  }

  /** A surface that refuses upgrades without {@code ?let=in} and records what it was asked. */
  private static class Gate extends RecordingLinkHandler {
    final List<HttpRequest> asked = new CopyOnWriteArrayList<>();
    volatile LinkSettings settings;

    @Override
    public Admission admit(HttpRequest upgrade) {
      asked.add(upgrade);
      if (upgrade.queryParam("let").isEmpty()) {
        return Admission.refuse(403, "{\"error\":\"origin_not_allowed\"}");
      }
      return settings == null ? Admission.accept(this) : Admission.accept(this, settings);
    }
  }

  private Transport start(Gate gate) {
    return servers.start(Servers.config().build(), anproto, Map.of("/gate", gate), Servers.OK_HTTP);
  }

  @Test
  void aRefusedUpgradeGetsTheSurfacesStatusAndJsonBodyAndNoLink() throws IOException {
    Gate gate = new Gate();
    Transport t = start(gate);

    try (RawHttp http = new RawHttp(t.localAddress())) {
      http.write(RawHttp.upgradeRequest("/gate?x=1"));
      RawHttp.Response response = http.read();

      assertThat(response.status()).isEqualTo(403);
      assertThat(response.headers().get("content-type")).startsWith("application/json");
      assertThat(response.body()).isEqualTo("{\"error\":\"origin_not_allowed\"}");
      assertThat(http.serverClosed()).isTrue();
    }
    assertThat(gate.events()).isEmpty();
    assertThat(gate.asked).hasSize(1);
    assertThat(gate.asked.get(0).path()).isEqualTo("/gate");
    assertThat(gate.asked.get(0).queryParam("x")).contains("1");
    assertThat(gate.asked.get(0).header("Upgrade")).contains("websocket");
    assertThat(gate.asked.get(0).remoteAddress()).isEqualTo("127.0.0.1");
    assertThat(t.stats().refusedUpgrades()).isEqualTo(1);
  }

  @Test
  void theJdkClientSeesTheRefusalStatus() {
    Gate gate = new Gate();
    Transport t = start(gate);

    Throwable failure =
        JdkClient.HTTP
            .newWebSocketBuilder()
            .buildAsync(Servers.ws(t, "/gate"), new WebSocket.Listener() {})
            .handle((ws, e) -> e)
            .join();

    assertThat(failure).isInstanceOf(CompletionException.class);
    assertThat(failure.getCause()).isInstanceOf(WebSocketHandshakeException.class);
    assertThat(((WebSocketHandshakeException) failure.getCause()).getResponse().statusCode())
        .isEqualTo(403);
  }

  @Test
  void anAcceptedUpgradeReachesTheHandlerTheSurfaceChose() {
    Gate gate = new Gate();
    RecordingLinkHandler perLink = new RecordingLinkHandler();
    Gate chooser =
        new Gate() {
          @Override
          public Admission admit(HttpRequest upgrade) {
            return Admission.accept(perLink);
          }
        };
    Transport t =
        servers.start(
            Servers.config().build(),
            anproto,
            Map.of("/gate", gate, "/chosen", chooser),
            Servers.OK_HTTP);

    JdkClient client = JdkClient.connect(Servers.ws(t, "/chosen"));
    PeerLink link = perLink.awaitOpen(0);
    client.send("hello");

    assertThat(perLink.awaitFrame(link, 0)).isEqualTo("hello");
    assertThat(chooser.events()).isEmpty();
  }

  @Test
  void aSurfacesOwnFrameLimitAppliesToItsLinksOnly() {
    Gate gate = new Gate();
    gate.settings =
        new LinkSettings(
            1024, Duration.ofSeconds(20), Duration.ofSeconds(60), 1 << 20, Duration.ofSeconds(30));
    Transport t = start(gate);

    JdkClient limited = JdkClient.connect(Servers.ws(t, "/gate?let=in"));
    PeerLink link = gate.awaitOpen(0);
    limited.send("x".repeat(1024));
    assertThat(gate.awaitFrame(link, 0)).hasSize(1024);
    limited.send("x".repeat(1025));
    assertThat(limited.awaitCloseCode()).isEqualTo(1009);

    JdkClient other = JdkClient.connect(Servers.ws(t, "/other"));
    PeerLink otherLink = anproto.awaitOpen(0);
    other.send("y".repeat(4096));
    assertThat(anproto.awaitFrame(otherLink, 0)).hasSize(4096);
  }

  @Test
  void aSurfaceThatThrowsRefusesWith500() throws IOException {
    Gate failing =
        new Gate() {
          @Override
          public Admission admit(HttpRequest upgrade) {
            throw new IllegalStateException("bug");
          }
        };
    Transport t =
        servers.start(Servers.config().build(), anproto, Map.of("/gate", failing), Servers.OK_HTTP);

    try (RawHttp http = new RawHttp(t.localAddress())) {
      http.write(RawHttp.upgradeRequest("/gate"));
      assertThat(http.read().status()).isEqualTo(500);
    }
  }

  @Test
  void aLinkThatWasNotWritableReportsWhenItDrains() {
    AtomicInteger writable = new AtomicInteger();
    RecordingLinkHandler surface =
        new RecordingLinkHandler() {
          @Override
          public Admission admit(HttpRequest upgrade) {
            return Admission.accept(
                this,
                new LinkSettings(
                    1 << 20,
                    Duration.ofSeconds(20),
                    Duration.ofSeconds(60),
                    4096,
                    Duration.ofSeconds(30)));
          }

          @Override
          public void onWritable(PeerLink link) {
            writable.incrementAndGet();
          }
        };
    Transport t =
        servers.start(Servers.config().build(), anproto, Map.of("/s", surface), Servers.OK_HTTP);
    JdkClient client = JdkClient.connect(Servers.ws(t, "/s"));
    PeerLink link = surface.awaitOpen(0);

    assertThat(link.isWritable()).isTrue();
    boolean blocked = false;
    // One frame over the bound makes the link unwritable until it is written out; retry in case
    // the I/O thread wrote it before we looked (on a busy machine it can win many times).
    for (int i = 0; i < 1_000 && !blocked; i++) {
      link.send("z".repeat(8000));
      blocked = !link.isWritable();
    }

    assertThat(blocked).isTrue();
    await().atMost(RecordingLinkHandler.WAIT).until(() -> writable.get() == 1);
    assertThat(link.isWritable()).isTrue();
    await().atMost(RecordingLinkHandler.WAIT).until(() -> !client.messages().isEmpty());
  }
}
