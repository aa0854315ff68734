package dev.grapevine.tests.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grapevine.Node;
import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.api.ApiConfig;
import dev.grapevine.events.Event;
import dev.grapevine.events.EventType;
import dev.grapevine.events.EventsConfig;
import dev.grapevine.testing.TestKeys;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node's own event sources: storage, peers, alerts, periodic metrics, and /metrics. */
class EventSourcesTest {
  private final Nodes nodes = new Nodes();
  private final List<EventClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    clients.forEach(EventClient::close);
    nodes.close();
  }

  private EventClient subscribed(Node node, String... topics) {
    EventClient c = EventClient.open(Nodes.ws(node));
    clients.add(c);
    c.awaitType("welcome");
    for (String t : topics) {
      c.send("{\"type\":\"subscribe\",\"topic\":\"" + t + "\"}");
    }
    c.awaitType("subscribed", topics.length);
    return c;
  }

  private EventClient anproto(Node node) {
    URI uri = URI.create("ws://127.0.0.1:" + node.localAddress().getPort() + "/");
    EventClient c = EventClient.open(uri);
    clients.add(c);
    return c;
  }

  @Test
  void systemMetricsArePublishedEveryIntervalOnTheSchedulersClock() {
    Node node = nodes.start();
    EventClient c = subscribed(node, "system");

    nodes.scheduler.advance(Duration.ofSeconds(10));
    JsonNode m = c.awaitType("system_metrics");
    nodes.scheduler.advance(Duration.ofSeconds(10));
    c.awaitType("system_metrics", 2);

    assertThat(m.get("topic").asText()).isEqualTo("system");
    assertThat(m.at("/data/storage/totalSpace").asLong()).isPositive();
    assertThat(m.at("/data/storage").has("usedSpace")).isTrue();
    assertThat(m.at("/data/storage").has("availableSpace")).isTrue();
    assertThat(m.at("/data/network").has("activeConnections")).isTrue();
    assertThat(m.at("/data/network").has("totalBytesTransferred")).isTrue();
    assertThat(m.at("/data/performance").has("averageCommitMillis")).isTrue();
    c.awaitType("storage_metrics");
    c.awaitType("network_metrics");
    c.awaitType("performance_metrics");
  }

  @Test
  void aNearlyFullDiskRaisesAStorageAlertOncePerInterval() {
    // A threshold of 100 % free: every real disk is below it.
    Node node =
        nodes.start(
            EventsConfig.builder()
                .storageAlertFreeRatio(1.0)
                .alertInterval(Duration.ofSeconds(60))
                .build(),
            ApiConfig.DEFAULT);
    EventClient c = subscribed(node, "alerts");

    nodes.scheduler.advance(Duration.ofSeconds(30));
    JsonNode alert = c.awaitType("storage_alert");
    nodes.scheduler.advance(Duration.ofSeconds(30));
    c.barrier("within-interval");
    assertThat(c.ofType("storage_alert")).hasSize(1);
    nodes.scheduler.advance(Duration.ofSeconds(40));
    JsonNode second = c.awaitType("storage_alert", 2);

    assertThat(alert.at("/data/metric").asText()).isEqualTo("storage.free_ratio");
    assertThat(alert.at("/data/threshold").asDouble()).isEqualTo(1.0);
    assertThat(alert.at("/data/level").asText()).isIn("warning", "critical");
    assertThat(second.at("/data/count").asLong()).isGreaterThan(1);
  }

  @Test
  void eventsDroppedForAFullBusRaiseAPerformanceAlertAtTheNextMetricsRound() {
    // Room for one metrics round (four events and its alerts), not for a burst from a loop.
    Node node = nodes.start(EventsConfig.builder().busCapacity(16).build(), ApiConfig.DEFAULT);
    EventClient c = subscribed(node, "alerts");
    nodes.scheduler.advance(Duration.ofSeconds(10)); // the first round is the baseline

    for (int i = 0; i < 1_000_000 && node.events().stats().dropped() == 0; i++) {
      node.events().publish(EventType.FILE_UPDATED, Map.of("key", "k" + i));
    }
    assertThat(node.events().stats().dropped()).isPositive();
    await().atMost(EventClient.WAIT).until(() -> node.events().stats().queued() == 0);
    nodes.scheduler.advance(Duration.ofSeconds(10));

    JsonNode alert = c.await(f -> f.at("/data/metric").asText().equals("events.dropped_per_round"));
    assertThat(alert.get("type").asText()).isEqualTo("performance_alert");
    assertThat(alert.at("/data/value").asLong()).isPositive();
  }

  @Test
  void aBadSignatureRaisesASecurityAlert() {
    Node node = nodes.start();
    EventClient c = subscribed(node, "alerts");
    KeyPair honest = TestKeys.key(1);
    KeyPair forger = TestKeys.key(2);
    String content = "forged";
    String forged =
        honest.publicKey().value()
            + AnProto.sign(Hash.of(content), 1_700_000_000_000L, forger)
                .signed()
                .value()
                .substring(44);

    anproto(node).send(forged);
    JsonNode alert = c.awaitType("security_alert");

    assertThat(alert.at("/data/metric").asText()).isEqualTo("sync.invalid_messages");
    assertThat(alert.at("/data/count").asLong()).isEqualTo(1);
    assertThat(node.store().count()).isZero();
    assertThat(Nodes.get(node, "/metrics", Map.of()).body())
        .contains("grapevine_verify_failures_total 1.0");
  }

  @Test
  void anprotoPeersConnectingDisconnectingAndReplicationArePublished() {
    Node node = nodes.start();
    EventClient c = subscribed(node, "peer_network", "file_operations");
    List<Event> seen = new CopyOnWriteArrayList<>();
    node.events().addListener(seen::add);

    EventClient peer = anproto(node);
    JsonNode connected = c.awaitType("peer_connected");
    node.publish("relayed to the peer");
    JsonNode replicated =
        c.await(
            f ->
                f.path("type").asText().equals("file_replicated")
                    && f.at("/data/kind").asText().equals("message"));
    peer.close();
    JsonNode disconnected = c.awaitType("peer_disconnected");

    assertThat(connected.at("/data/protocol").asText()).isEqualTo("anproto");
    assertThat(connected.at("/data/direction").asText()).isEqualTo("inbound");
    assertThat(connected.at("/data/address").asText()).startsWith("ws://127.0.0.1:");
    assertThat(replicated.at("/data/peers").asInt()).isEqualTo(1);
    assertThat(disconnected.at("/data/id").asText()).isEqualTo(connected.at("/data/id").asText());
    assertThat(disconnected.at("/data/reason").asText()).isNotBlank();
    await()
        .atMost(EventClient.WAIT)
        .until(() -> seen.stream().anyMatch(e -> e.type().equals("peer_disconnected")));
  }

  @Test
  void theMetricsEndpointServesPrometheusTextWithTheNodesMeters() {
    Node node = nodes.start();
    subscribed(node, "system");
    node.publish("counted");
    anproto(node).send("not a hash, not a message: a small blob nobody wants");

    HttpResponse<String> r = Nodes.get(node, "/metrics", Map.of());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(r.body())
        .contains(
            "grapevine_connections{state=\"open\",surface=\"ws\"} 1.0",
            "grapevine_connections{state=\"open\",surface=\"anproto\"}",
            "grapevine_connections_opened_total{surface=\"ws\"}",
            "grapevine_connections_closed_total{",
            "grapevine_sync_frames_total{direction=\"in\"}",
            "grapevine_sync_frames_total{direction=\"out\"}",
            "grapevine_events_messages_total{direction=\"in\",type=\"subscribe\"} 1.0",
            "grapevine_events_messages_total{direction=\"out\",type=\"welcome\"} 1.0",
            "grapevine_transport_bytes_total{direction=\"in\"}",
            "grapevine_events_bytes_total{direction=\"out\"}",
            "grapevine_verify_failures_total",
            "grapevine_sync_rejections_total{reason=\"invalid_message\"}",
            "grapevine_store_messages 1.0",
            "grapevine_store_blob_bytes",
            "grapevine_store_commit_seconds_count",
            "grapevine_sync_gossip_rounds_total",
            "grapevine_sync_requests_total{kind=\"received\"}",
            "grapevine_queue_depth{queue=\"verify\"}",
            "grapevine_queue_depth{queue=\"store_writes\"}",
            "grapevine_queue_depth{queue=\"event_clients\"}",
            "grapevine_events_dropped_total{reason=\"bus_full\"}",
            "grapevine_sync_dropped_total",
            "grapevine_rate_limited_total{surface=\"ws\"}",
            "grapevine_rate_limited_total{surface=\"api\"}",
            "grapevine_events_subscriptions{topic=\"system\"} 1.0",
            "jvm_memory_used_bytes",
            "jvm_threads_live_threads",
            "process_uptime_seconds");
    assertThat(Nodes.send(node, "POST", "/metrics", Map.of()).statusCode()).isEqualTo(405);
  }
}
