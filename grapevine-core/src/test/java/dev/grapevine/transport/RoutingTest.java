package dev.grapevine.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which handler an upgrade reaches, by path. */
class RoutingTest {
  private final Servers servers = new Servers();
  private final RecordingLinkHandler anproto = new RecordingLinkHandler();
  private final RecordingLinkHandler mesh = new RecordingLinkHandler();

  @AfterEach
  void tearDown() {
    servers.close();
  }

  private Transport start() {
    return servers.start(Servers.config().build(), anproto, Map.of("/mesh", mesh), Servers.OK_HTTP);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/", "/anything", "/BSY7/er4VJIu08o39NaRAiPY/MAvd7oQhlGCRDABjYU=", "/mesh/"})
  void upgradeOnAnUnreservedPathReachesTheAnprotoHandler(String path) {
    Transport t = start();

    JdkClient client = JdkClient.connect(Servers.ws(t, path));
    PeerLink link = anproto.awaitOpen(0);
    client.send("ping?");

    assertThat(anproto.awaitFrame(link, 0)).isEqualTo("ping?");
    assertThat(mesh.events()).isEmpty();
  }

  @Test
  void upgradeOnARegisteredSurfaceReachesThatHandler() {
    Transport t = start();

    JdkClient client = JdkClient.connect(Servers.ws(t, "/mesh"));
    PeerLink link = mesh.awaitOpen(0);
    client.send("{\"type\":\"HANDSHAKE\"}");

    assertThat(mesh.awaitFrame(link, 0)).isEqualTo("{\"type\":\"HANDSHAKE\"}");
    assertThat(anproto.events()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/all",
        "/latest",
        "/gossip",
        "/gossip/poll",
        "/metrics",
        "/api",
        "/api/peers",
        "/ws",
        "/ws/health"
      })
  void upgradeOnAReservedPathWithoutASurfaceGets404Json(String path) throws IOException {
    Transport t = start();

    try (RawHttp http = new RawHttp(t.localAddress())) {
      http.write(RawHttp.upgradeRequest(path));
      RawHttp.Response response = http.read();

      assertThat(response.status()).isEqualTo(404);
      assertThat(response.headers().get("content-type")).startsWith("application/json");
      assertThat(response.body()).isEqualTo("{\"error\":\"not_found\"}");
    }
    assertThat(anproto.events()).isEmpty();
    assertThat(mesh.events()).isEmpty();
  }

  @Test
  void reservedPathsAreExactlyTheListedOnes() {
    assertThat(Surfaces.isReserved("/ws/status")).isTrue();
    assertThat(Surfaces.isReserved("/gossip/")).isTrue();
    assertThat(Surfaces.isReserved("/api")).isTrue();
    assertThat(Surfaces.isReserved("/")).isFalse();
    assertThat(Surfaces.isReserved("/wsx")).isFalse();
    assertThat(Surfaces.isReserved("/allx")).isFalse();
    assertThat(Surfaces.isReserved("/apis")).isFalse();
  }

  @Test
  void surfacePathsMustStartWithASlash() {
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> new Surfaces(anproto, Map.of("mesh", mesh)))
        .withMessageContaining("\"mesh\"");
  }
}
