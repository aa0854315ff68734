package dev.grapevine.tests.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grapevine.Node;
import dev.grapevine.api.ApiConfig;
import dev.grapevine.events.EventType;
import dev.grapevine.events.EventsConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The event API against PeerVault's acceptance list (PV-1 … PV-12), with the JDK's WebSocket and
 * HTTP clients against a real node.
 */
class EventApiConformanceTest {
  private static final String HEX32 = "[0-9a-f]{32}";

  private final Nodes nodes = new Nodes();
  private final List<EventClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    clients.forEach(EventClient::close);
    nodes.close();
  }

  private EventClient connect(Node node) {
    EventClient c = EventClient.open(Nodes.ws(node));
    clients.add(c);
    c.awaitType("welcome");
    return c;
  }

  private static Set<String> keys(JsonNode n) {
    Set<String> out = new HashSet<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void pv1OperationsRoutesHaveTheReferenceKeysAndARunningTotal() {
    Node node = nodes.start();
    EventClient first = connect(node);
    connect(node);
    first.close();
    await().atMost(EventClient.WAIT).until(() -> node.eventApi().stats().activeConnections() == 1);

    JsonNode health = EventClient.parse(Nodes.get(node, "/ws/health", Map.of()).body());
    JsonNode metrics = EventClient.parse(Nodes.get(node, "/ws/metrics", Map.of()).body());
    JsonNode status = EventClient.parse(Nodes.get(node, "/ws/status", Map.of()).body());

    assertThat(keys(health)).contains("status", "timestamp", "uptime", "version");
    assertThat(health.get("status").asText()).isEqualTo("healthy");
    assertThat(keys(metrics)).contains("fileserver", "timestamp", "websocket");
    assertThat(keys(metrics.get("websocket")))
        .contains("active_connections", "total_connections", "uptime");
    assertThat(metrics.at("/websocket/active_connections").asInt()).isEqualTo(1);
    assertThat(metrics.at("/websocket/total_connections").asInt()).isEqualTo(2);
    assertThat(keys(status)).contains("server", "timestamp", "websocket");
    assertThat(keys(status.get("server"))).contains("name", "status", "uptime", "version");
    assertThat(status.at("/websocket/endpoints").toString())
        .isEqualTo("[\"/ws\",\"/ws/health\",\"/ws/metrics\",\"/ws/status\"]");
    for (String path : List.of("/ws/health", "/ws/metrics", "/ws/status")) {
      HttpResponse<String> post = Nodes.send(node, "POST", path, Map.of());
      assertThat(post.statusCode()).as(path).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD, OPTIONS");
    }
  }

  @Test
  void pv2SubscribeWithDataDeliversTopicEventsUntilUnsubscribedAndCloseRemovesIt() {
    Node node = nodes.start();
    EventClient c = connect(node);

    c.send("{\"type\":\"subscribe\",\"data\":\"file_operations\"}");
    c.awaitType("subscribed");
    node.publish("hello events");
    JsonNode uploaded =
        c.await(
            f ->
                f.path("type").asText().equals("file_uploaded")
                    && f.at("/data/kind").asText().equals("message"));

    assertThat(uploaded.get("topic").asText()).isEqualTo("file_operations");
    assertThat(uploaded.at("/data/author").asText()).isEqualTo(node.publicKey().value());
    assertThat(uploaded.at("/data/key").asText()).hasSize(44);
    assertThat(uploaded.at("/data/size").asInt()).isEqualTo(208);
    assertThat(uploaded.get("timestamp").asText()).endsWith("Z");

    c.send("{\"type\":\"unsubscribe\",\"data\":\"file_operations\"}");
    c.awaitType("unsubscribed");
    int before = c.ofType("file_uploaded").size();
    node.publish("not for you");
    c.barrier("after-unsubscribe");
    assertThat(c.ofType("file_uploaded")).hasSize(before);

    c.send("{\"type\":\"subscribe\",\"data\":\"file_operations\"}");
    c.awaitType("subscribed", 2);
    assertThat(node.eventApi().stats().subscriptions().get("file_operations")).isEqualTo(1);
    c.close();
    await()
        .atMost(EventClient.WAIT)
        .until(() -> node.eventApi().stats().subscriptions().get("file_operations") == 0);
  }

  @Test
  void pv3SubscribeWithTopicWorksAndIsAcknowledgedWithTheRequestId() {
    Node node = nodes.start();
    EventClient c = connect(node);

    c.send("{\"type\":\"subscribe\",\"topic\":\"alerts\",\"id\":\"req-7\"}");
    JsonNode ack = c.awaitType("subscribed");
    node.events()
        .alert(
            EventType.NETWORK_ALERT,
            dev.grapevine.events.AlertLevel.WARNING,
            "test.metric",
            3,
            1,
            "something");
    JsonNode alert = c.awaitType("network_alert");

    assertThat(ack.get("topic").asText()).isEqualTo("alerts");
    assertThat(ack.at("/data/id").asText()).isEqualTo("req-7");
    assertThat(alert.get("topic").asText()).isEqualTo("alerts");
    assertThat(keys(alert.get("data")))
        .contains("level", "message", "metric", "value", "threshold");
  }

  @Test
  void pv4PingGetsAPongWithTheClientId() {
    Node node = nodes.start();
    EventClient c = connect(node);

    c.send("{\"type\":\"ping\"}");
    JsonNode pong = c.awaitType("pong");
    c.send("{\"type\":\"ping\",\"id\":\"p-2\"}");
    JsonNode answered = c.awaitType("pong", 2);

    assertThat(pong.get("clientId").asText())
        .matches(HEX32)
        .isEqualTo(c.awaitType("welcome").at("/data/clientId").asText());
    assertThat(pong.get("timestamp").asText()).isNotBlank();
    assertThat(keys(pong)).containsExactlyInAnyOrder("type", "timestamp", "clientId");
    assertThat(answered.get("id").asText()).isEqualTo("p-2");
  }

  @Test
  void pv5AndPv8ClientIdsAreUniqueAcrossAThousandClientsAndTheNextIsRefused() {
    Node node =
        nodes.start(
            EventsConfig.DEFAULT,
            ApiConfig.DEFAULT,
            Nodes.transport().maxConnections(2000).build());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      EventClient c = EventClient.open(Nodes.ws(node));
      clients.add(c);
    }
    for (EventClient c : clients) {
      String id = c.awaitType("welcome").at("/data/clientId").asText();
      assertThat(id).matches(HEX32);
      ids.add(id);
    }

    assertThat(ids).hasSize(1000);
    assertThat(EventClient.refusalStatus(Nodes.ws(node), Map.of())).isEqualTo(503);
    assertThat(node.eventApi().stats().refusedConnections()).isEqualTo(1);
  }

  @Test
  void pv6TheServerPingsASilentClientAndClosesOneThatNeverAnswers() throws Exception {
    Node node =
        nodes.start(
            EventsConfig.builder()
                .pingPeriod(Duration.ofMillis(300))
                .pongWait(Duration.ofMillis(1500))
                .build(),
            ApiConfig.DEFAULT);
    try (RawWs talker = RawWs.open(Nodes.ws(node), true);
        RawWs mute = RawWs.open(Nodes.ws(node), false)) {
      // The talker answers each ping with a text frame but never with a pong: any inbound frame
      // counts as liveness. The mute client answers nothing.
      await().atMost(EventClient.WAIT).until(() -> mute.pings() >= 1);
      assertThat(mute.awaitCloseCode()).isEqualTo(1001);
      await().atMost(EventClient.WAIT).until(() -> talker.pings() >= 8);
      assertThat(talker.isOpen()).isTrue();
    }
  }

  @Test
  void pv9InvalidJsonAndUnknownTypesGetInvalidMessageAndTheConnectionStaysOpen() {
    Node node = nodes.start();
    EventClient c = connect(node);

    c.send("{not json");
    c.send("[1,2]");
    c.send("{\"type\":\"teleport\"}");
    c.send("{\"type\":\"subscribe\",\"topic\":\"weather\"}");
    c.send("{\"type\":\"subscribe\"}");
    c.barrier("still-open");

    List<String> codes = c.ofType("error").stream().map(e -> e.at("/data/code").asText()).toList();
    assertThat(codes)
        .containsExactly(
            "INVALID_MESSAGE",
            "INVALID_MESSAGE",
            "INVALID_MESSAGE",
            "UNKNOWN_TOPIC",
            "INVALID_MESSAGE");
    assertThat(c.ofType("error").get(2).at("/data/message").asText()).contains("teleport");
    assertThat(c.closedByServer()).isFalse();
  }

  @Test
  void pv10EveryFrameIsExactlyOneJsonObject() {
    Node node = nodes.start();
    EventClient c = connect(node);
    c.send("{\"type\":\"subscribe\",\"topic\":\"file_operations\"}");
    c.send("{\"type\":\"subscribe\",\"topic\":\"peer_network\"}");
    c.awaitType("subscribed", 2);
    for (int i = 0; i < 20; i++) {
      node.publish("burst " + i);
    }
    c.awaitType("file_uploaded", 20);
    c.barrier("done");

    for (String frame : c.raw()) {
      assertThat(frame).doesNotContain("\n");
      JsonNode parsed = EventClient.parse(frame);
      assertThat(parsed.isObject()).as(frame).isTrue();
      assertThat(parsed.has("type")).as(frame).isTrue();
    }
  }

  @Test
  void pv11ASlowConsumerIsClosedBy1013WhileOthersAreServed() {
    Node node =
        nodes.start(
            EventsConfig.builder().queueSize(16).maxOutboundBytes(64 * 1024).build(),
            ApiConfig.DEFAULT);
    EventClient slow = EventClient.open(Nodes.ws(node), Map.of(), false);
    clients.add(slow);
    EventClient fast = connect(node);
    slow.send("{\"type\":\"subscribe\",\"topic\":\"file_operations\"}");
    fast.send("{\"type\":\"subscribe\",\"topic\":\"file_operations\"}");
    fast.send("{\"type\":\"subscribe\",\"topic\":\"alerts\"}");
    fast.awaitType("subscribed", 2);
    await()
        .atMost(EventClient.WAIT)
        .until(() -> node.eventApi().stats().subscriptions().get("file_operations") == 2);

    String payload = "x".repeat(32 * 1024);
    int published = 0;
    while (node.eventApi().stats().slowConsumerCloses() == 0 && published < 4000) {
      node.events().publish(EventType.FILE_UPDATED, Map.of("key", "k" + published, "pad", payload));
      published++;
      if (published % 8 == 0) {
        // Keeps the reading client within its own bounds while the other falls behind.
        fast.barrier("p" + published);
      }
    }

    assertThat(node.eventApi().stats().slowConsumerCloses()).isEqualTo(1);
    // The slow client reads nothing, so it never sees the close frame; the server has let it go.
    await().atMost(EventClient.WAIT).until(() -> node.eventApi().stats().activeConnections() == 1);
    fast.barrier("after");
    assertThat(fast.closedByServer()).isFalse();
    assertThat(fast.ofType("file_updated")).hasSize(published);
    String scraped = Nodes.get(node, "/metrics", Map.of()).body();
    assertThat(scraped).contains("grapevine_events_slow_consumer_closes_total 1.0");
    JsonNode alert = fast.awaitType("network_alert");
    assertThat(alert.at("/data/metric").asText()).isEqualTo("events.slow_consumer_closes");
    assertThat(alert.at("/data/value").asLong()).isEqualTo(1);
  }

  @Test
  void pv11SystemEventsAreDroppedOldestFirstAndTheClientStays() {
    Node node =
        nodes.start(
            EventsConfig.builder().queueSize(8).maxOutboundBytes(64 * 1024).build(),
            ApiConfig.DEFAULT);
    EventClient slow = EventClient.open(Nodes.ws(node), Map.of(), false);
    clients.add(slow);
    slow.send("{\"type\":\"subscribe\",\"topic\":\"system\"}");
    await()
        .atMost(EventClient.WAIT)
        .until(() -> node.eventApi().stats().subscriptions().get("system") == 1);

    String payload = "y".repeat(32 * 1024);
    for (int i = 0; i < 4000 && node.eventApi().stats().dropped() < 50; i++) {
      node.events().publish(EventType.SYSTEM_METRICS, Map.of("round", i, "pad", payload));
    }
    await().atMost(EventClient.WAIT).until(() -> node.eventApi().stats().dropped() >= 50);

    assertThat(node.eventApi().stats().slowConsumerCloses()).isZero();
    assertThat(node.eventApi().stats().activeConnections()).isEqualTo(1);
    assertThat(node.eventApi().stats().queued()).isLessThanOrEqualTo(8);
    assertThat(Nodes.get(node, "/metrics", Map.of()).body())
        .containsPattern("grapevine_events_dropped_total\\{reason=\"slow_consumer\"} [1-9]");
  }

  @Test
  void pv12OnShutdownEveryClientGetsClose1001() {
    Node node = nodes.start();
    List<EventClient> mine = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      mine.add(connect(node));
    }

    node.close();

    for (EventClient c : mine) {
      assertThat(c.awaitCloseCode()).isEqualTo(1001);
    }
  }

  @Test
  void frameTypesAreCountedInTheMetrics() {
    Node node = nodes.start();
    EventClient c = connect(node);
    c.barrier("one");
    c.send("nope");
    c.barrier("two");

    Map<String, Long> in = node.eventApi().stats().messagesIn();
    Map<String, Long> out = node.eventApi().stats().messagesOut();
    assertThat(in).containsEntry("ping", 2L).containsEntry("invalid", 1L);
    assertThat(out)
        .containsEntry("welcome", 1L)
        .containsEntry("pong", 2L)
        .containsEntry("error", 1L);
    Iterator<JsonNode> frames = c.frames().iterator();
    assertThat(frames.next().get("type").asText()).isEqualTo("welcome");
  }
}
