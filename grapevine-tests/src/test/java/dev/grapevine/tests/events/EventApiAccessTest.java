package dev.grapevine.tests.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grapevine.Node;
import dev.grapevine.api.ApiConfig;
import dev.grapevine.events.EventsConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tokens, origins, CORS and rate limits on {@code /ws} and {@code /api} (PV-7, PV-8). */
class EventApiAccessTest {
  private static final String TOKEN = "s3cret-token-0123456789";
  private static final ApiConfig WITH_TOKEN = ApiConfig.builder().token(TOKEN).build();

  private final Nodes nodes = new Nodes();
  private final List<EventClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    clients.forEach(EventClient::close);
    nodes.close();
  }

  private EventClient open(Node node, String query, Map<String, String> headers) {
    EventClient c = EventClient.open(Nodes.ws(node, query), headers, true);
    clients.add(c);
    return c;
  }

  @Test
  void pv7AClientWithoutATokenThatDoesNotAuthenticateFirstGetsAuthFailedThen1008() {
    Node node = nodes.start(EventsConfig.DEFAULT, WITH_TOKEN);
    EventClient c = open(node, "", Map.of());
    JsonNode welcome = c.awaitType("welcome");
    assertThat(welcome.at("/data/authRequired").asBoolean()).isTrue();
    assertThat(welcome.at("/data/authenticated").asBoolean()).isFalse();

    c.send("{\"type\":\"subscribe\",\"topic\":\"alerts\"}");

    assertThat(c.awaitType("error").at("/data/code").asText()).isEqualTo("AUTH_FAILED");
    assertThat(c.awaitCloseCode()).isEqualTo(1008);
    assertThat(node.eventApi().stats().authFailures()).isEqualTo(1);
  }

  @Test
  void pv7AClientThatSendsNothingIsClosedAfterTheReadTimeout() {
    Node node = nodes.start(EventsConfig.DEFAULT, WITH_TOKEN);
    EventClient c = open(node, "", Map.of());
    c.awaitType("welcome");
    await().atMost(EventClient.WAIT).until(() -> node.eventApi().stats().pendingAuth() == 1);

    nodes.scheduler.advance(Duration.ofSeconds(29));
    assertThat(c.closedByServer()).isFalse();
    assertThat(node.eventApi().stats().pendingAuth()).isEqualTo(1);
    nodes.scheduler.advance(Duration.ofSeconds(1));

    assertThat(c.awaitCloseCode()).isEqualTo(1008);
    assertThat(c.awaitType("error").at("/data/message").asText()).contains("no auth message");
  }

  @Test
  void pv7ABadTokenInTheQueryGetsAuthFailedThen1008AndRaisesASecurityAlert() {
    Node node = nodes.start(EventsConfig.DEFAULT, WITH_TOKEN);
    EventClient watcher = open(node, "token=" + TOKEN, Map.of());
    watcher.send("{\"type\":\"subscribe\",\"topic\":\"alerts\"}");
    watcher.awaitType("subscribed");
    EventClient c = open(node, "token=wrong", Map.of());

    assertThat(c.awaitType("error").at("/data/code").asText()).isEqualTo("AUTH_FAILED");
    assertThat(c.awaitCloseCode()).isEqualTo(1008);
    assertThat(c.ofType("welcome")).isEmpty();
    JsonNode alert = watcher.awaitType("security_alert");
    assertThat(alert.at("/data/metric").asText()).isEqualTo("api.bad_token");
    assertThat(alert.at("/data/message").asText()).contains("127.0.0.1");
  }

  @Test
  void pv7ATokenInTheQueryTheHeaderOrAnAuthMessageIsAccepted() {
    Node node = nodes.start(EventsConfig.DEFAULT, WITH_TOKEN);
    EventClient query = open(node, "token=" + TOKEN, Map.of());
    EventClient header = open(node, "", Map.of("Authorization", "Bearer " + TOKEN));
    EventClient message = open(node, "", Map.of());

    message.awaitType("welcome");
    message.send("{\"type\":\"auth\",\"token\":\"" + TOKEN + "\"}");

    assertThat(query.awaitType("welcome").at("/data/authenticated").asBoolean()).isTrue();
    assertThat(header.awaitType("welcome").at("/data/authenticated").asBoolean()).isTrue();
    message.awaitType("authenticated");
    for (EventClient c : List.of(query, header, message)) {
      c.send("{\"type\":\"subscribe\",\"topic\":\"system\"}");
      c.awaitType("subscribed");
      c.barrier("ok");
      assertThat(c.closedByServer()).isFalse();
    }
  }

  @Test
  void pv7AnOriginNotOnTheListIsRefusedWith403AtTheUpgrade() {
    Node node =
        nodes.start(
            EventsConfig.DEFAULT,
            ApiConfig.builder().allowedOrigins(List.of("https://dash.example")).build());

    assertThat(EventClient.refusalStatus(Nodes.ws(node), Map.of("Origin", "http://evil.example")))
        .isEqualTo(403);
    open(node, "", Map.of("Origin", "https://dash.example")).awaitType("welcome");
    open(node, "", Map.of()).awaitType("welcome");
    assertThat(node.eventApi().stats().refusedConnections()).isEqualTo(1);
  }

  @Test
  void pastThePerAddressCapAnUpgradeGets429UntilAClientFromThereLeaves() {
    Node node =
        nodes.start(EventsConfig.builder().maxConnectionsPerIp(2).build(), ApiConfig.DEFAULT);
    EventClient first = open(node, "", Map.of());
    open(node, "", Map.of()).awaitType("welcome");
    first.awaitType("welcome");

    assertThat(EventClient.refusalStatus(Nodes.ws(node), Map.of())).isEqualTo(429);
    assertThat(node.eventApi().stats().refusedConnections()).isEqualTo(1);
    first.close();
    await().atMost(EventClient.WAIT).until(() -> node.eventApi().stats().activeConnections() == 1);
    open(node, "", Map.of()).awaitType("welcome");
    assertThat(node.eventApi().stats().activeConnections()).isEqualTo(2);
  }

  @Test
  void aMessageOfTheSizeLimitIsReadAndOneByteMoreClosesWith1009() {
    int limit = 1024;
    Node node =
        nodes.start(EventsConfig.builder().maxMessageBytes(limit).build(), ApiConfig.DEFAULT);
    EventClient c = open(node, "", Map.of());
    c.awaitType("welcome");
    String head = "{\"type\":\"ping\",\"id\":\"";
    String tail = "\"}";

    String fits = head + "a".repeat(limit - head.length() - tail.length()) + tail;
    c.send(fits);
    assertThat(fits).hasSize(limit);
    assertThat(c.awaitType("pong").get("id").asText()).startsWith("aaa");
    c.send(head + "b".repeat(limit + 1 - head.length() - tail.length()) + tail);

    assertThat(c.awaitCloseCode()).isEqualTo(1009);
    assertThat(c.ofType("pong")).hasSize(1);
  }

  @Test
  void pv8The101stMessageInASecondGetsRateLimitExceededWithRetryAfter() {
    Node node = nodes.start();
    EventClient c = open(node, "", Map.of());
    c.awaitType("welcome");

    // The node's clock is the manual scheduler's: no token comes back during the burst.
    for (int i = 0; i < 101; i++) {
      c.sendAsync("{\"type\":\"ping\",\"id\":\"" + i + "\"}");
    }
    JsonNode error = c.awaitType("error");

    assertThat(error.at("/data/code").asText()).isEqualTo("RATE_LIMIT_EXCEEDED");
    assertThat(error.at("/data/retryAfter").asLong()).isPositive();
    await().atMost(EventClient.WAIT).until(() -> c.ofType("pong").size() == 100);
    assertThat(c.closedByServer()).isFalse();
    nodes.scheduler.advance(Duration.ofSeconds(1));
    assertThat(c.barrier("later").get("type").asText()).isEqualTo("pong");
  }

  @Test
  void aFloodAtTenTimesTheRateIsClosedAndOtherClientsAreStillServed() {
    Node node = nodes.start();
    EventClient flooder = open(node, "", Map.of());
    EventClient other = open(node, "", Map.of());
    flooder.awaitType("welcome");
    other.send("{\"type\":\"subscribe\",\"topic\":\"file_operations\"}");
    other.awaitType("subscribed");

    List<CompletableFuture<?>> sends = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      sends.add(flooder.sendAsync("{\"type\":\"ping\"}").exceptionally(e -> null));
    }
    node.publish("still serving");

    assertThat(flooder.awaitCloseCode()).isEqualTo(1008);
    other.await(f -> f.path("type").asText().equals("file_uploaded"));
    assertThat(other.barrier("alive").get("type").asText()).isEqualTo("pong");
    assertThat(node.eventApi().stats().rateLimitCloses()).isEqualTo(1);
    assertThat(node.eventApi().stats().rateLimited()).isGreaterThan(100);
    assertThat(flooder.ofType("pong")).hasSizeLessThanOrEqualTo(100);
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
  }

  @Test
  void theApiAndMetricsNeedTheTokenButHealthDoesNot() {
    Node node = nodes.start(EventsConfig.DEFAULT, WITH_TOKEN);

    HttpResponse<String> none = Nodes.get(node, "/api/status", Map.of());
    HttpResponse<String> bad = Nodes.get(node, "/api/status", Map.of("Authorization", "Bearer x"));
    HttpResponse<String> good =
        Nodes.get(node, "/api/status", Map.of("Authorization", "Bearer " + TOKEN));
    HttpResponse<String> viaQuery = Nodes.get(node, "/api/status?token=" + TOKEN, Map.of());

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(none.body()).isEqualTo("{\"error\":\"unauthorized\"}");
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(good.statusCode()).isEqualTo(200);
    assertThat(viaQuery.statusCode()).isEqualTo(200);
    assertThat(Nodes.get(node, "/metrics", Map.of()).statusCode()).isEqualTo(401);
    assertThat(Nodes.get(node, "/ws/metrics", Map.of()).statusCode()).isEqualTo(401);
    assertThat(Nodes.get(node, "/api/anything", Map.of()).statusCode()).isEqualTo(401);
    assertThat(Nodes.get(node, "/ws/health", Map.of()).statusCode()).isEqualTo(200);
    assertThat(node.apiAuth().refusals().get(dev.grapevine.api.ApiAuth.Refusal.BAD_TOKEN))
        .isEqualTo(1);
  }

  @Test
  void apiStatusReportsTheNodeInMiniLedgersShape() {
    Node node = nodes.start();
    node.publish("one");
    node.publish("two");

    JsonNode status = EventClient.parse(Nodes.get(node, "/api/status", Map.of()).body());

    assertThat(status.get("nodeId").asText()).matches("[0-9a-f]{16}");
    assertThat(status.get("publicKey").asText()).isEqualTo(node.publicKey().value());
    assertThat(status.get("peerCount").asInt()).isZero();
    assertThat(status.get("uptime").asLong()).isNotNegative();
    assertThat(status.get("version").asText()).isNotBlank();
    assertThat(status.at("/store/messages").asLong()).isEqualTo(2);
    assertThat(status.at("/store/blobs").asLong()).isEqualTo(2);
    assertThat(Nodes.send(node, "DELETE", "/api/status", Map.of()).statusCode()).isEqualTo(405);

    // An ANProto peer counts; the event API clients do not.
    clients.add(
        EventClient.open(
            java.net.URI.create("ws://127.0.0.1:" + node.localAddress().getPort() + "/")));
    open(node, "", Map.of()).awaitType("welcome");
    await()
        .atMost(EventClient.WAIT)
        .until(
            () ->
                EventClient.parse(Nodes.get(node, "/api/status", Map.of()).body())
                        .get("peerCount")
                        .asInt()
                    == 1);
  }

  @Test
  void corsEchoesOnlyListedOriginsWithCredentialsAndNeverAnArbitraryOne() {
    Node listed =
        nodes.start(
            EventsConfig.DEFAULT,
            ApiConfig.builder().allowedOrigins(List.of("https://dash.example")).build());
    Node any =
        nodes.start(EventsConfig.DEFAULT, ApiConfig.builder().allowedOrigins(List.of("*")).build());

    HttpResponse<String> ok =
        Nodes.get(listed, "/api/status", Map.of("Origin", "https://dash.example"));
    HttpResponse<String> evil =
        Nodes.get(listed, "/api/status", Map.of("Origin", "http://evil.example"));
    HttpResponse<String> star =
        Nodes.get(any, "/api/status", Map.of("Origin", "http://evil.example"));
    HttpResponse<String> preflight =
        Nodes.send(listed, "OPTIONS", "/api/status", Map.of("Origin", "https://dash.example"));

    assertThat(ok.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://dash.example");
    assertThat(ok.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(ok.headers().firstValue("Vary")).hasValue("Origin");
    assertThat(evil.statusCode()).isEqualTo(403);
    assertThat(evil.body()).isEqualTo("{\"error\":\"origin_not_allowed\"}");
    assertThat(evil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(star.statusCode()).isEqualTo(200);
    assertThat(star.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    assertThat(star.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
        .hasValueSatisfying(h -> assertThat(h).contains("Authorization"));
  }

  @Test
  void theApiAnswers429PastThePerAddressRequestRate() {
    Node node = nodes.start(EventsConfig.DEFAULT, ApiConfig.builder().requestsPerSecond(5).build());

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      statuses.add(Nodes.get(node, "/api/status", Map.of()).statusCode());
    }
    HttpResponse<String> limited = Nodes.get(node, "/api/status", Map.of());

    assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(limited.body()).startsWith("{\"error\":\"rate_limited\"");
    nodes.scheduler.advance(Duration.ofSeconds(1));
    assertThat(Nodes.get(node, "/api/status", Map.of()).statusCode()).isEqualTo(200);
  }
}
