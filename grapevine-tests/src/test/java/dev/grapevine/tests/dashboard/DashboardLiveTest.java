package dev.grapevine.tests.dashboard;

import static dev.grapevine.tests.dashboard.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.Node;
import dev.grapevine.conn.ConnAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The page against the documented event API and token authentication, served through {@link
 * EventApiStub} in front of a real node: the page subscribes to every topic, shows alerts as they
 * arrive, refetches only when an event says something changed, and carries the token on every
 * request and on the socket.
 */
class DashboardLiveTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "s3cret-token";

  private Node a;
  private Node b;
  private EventApiStub stub;
  private Browser browser;

  @BeforeEach
  void start() throws Exception {
    Browser.assumeInstalled();
    a = Node.builder().ephemeral(true).port(0).start();
    b = Node.builder().ephemeral(true).port(0).start();
    stub = new EventApiStub(a.httpUrl(), TOKEN);
    browser = Browser.start();
  }

  @AfterEach
  void stop() throws Exception {
    Browser.closeAll(browser, stub, a, b);
  }

  private static String event(String type, String topic, ObjectNode data) {
    ObjectNode e = JSON.createObjectNode().put("type", type).put("topic", topic);
    e.set("data", data);
    return e.put("timestamp", System.currentTimeMillis()).toString();
  }

  private Set<String> subscribedTopics() throws Exception {
    Set<String> topics = new TreeSet<>();
    for (String frame : new ArrayList<>(stub.received)) {
      JsonNode m = JSON.readTree(frame);
      if ("subscribe".equals(m.path("type").asText())) {
        topics.add(m.path("topic").asText());
      }
    }
    return topics;
  }

  private long requestsTo(String path) {
    return stub.requests.stream().filter(r -> r.contains(" " + path)).count();
  }

  private long apiRequests() {
    return stub.requests.stream().filter(r -> r.contains(" /api/") || r.contains(" /all")).count();
  }

  @Test
  void thePageFollowsTheEventsItIsSentAndFetchesOnlyWhenTheySayWhat() throws Exception {
    browser.open(stub.url() + "?token=" + TOKEN);

    // The token left the address bar for this tab's storage and opened the API and the socket.
    eventually().until(() -> a.publicKey().value().equals(browser.text("node-key")));
    assertThat(browser.driver.getCurrentUrl()).doesNotContain("token");
    assertThat(browser.js("return sessionStorage.getItem('grapevine.token');")).isEqualTo(TOKEN);
    eventually().until(this::subscribedTopics, t -> t.size() == 4);
    assertThat(subscribedTopics())
        .containsExactly("alerts", "file_operations", "peer_network", "system");
    eventually().until(() -> browser.one("#live").getAttribute("data-state"), "live"::equals);
    assertThat(browser.text("live-client")).contains("0123456789abcdef0123456789abcdef");

    // Once each panel has been fetched, nothing happens, so nothing is fetched: no polling.
    List<String> panels =
        List.of(
            "/api/dashboard",
            "/api/status",
            "/api/peers",
            "/api/conn/staged",
            "/api/conn/db",
            "/api/conn/firewall",
            "/all?");
    eventually()
        .until(
            () ->
                panels.stream()
                    .allMatch(p -> stub.requests.stream().anyMatch(r -> r.contains(" " + p))));
    eventually().until(() -> browser.text("posts"), t -> t.contains("No posts yet."));
    long quiet = apiRequests();
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> apiRequests() == quiet);

    // An alert shows as it happens, with its level and metric.
    ObjectNode alert =
        JSON.createObjectNode()
            .put("level", "critical")
            .put("message", "3 messages with bad signatures from 127.0.0.9")
            .put("metric", "invalid_signatures")
            .put("value", 3)
            .put("threshold", 1);
    stub.send(event("security_alert", "alerts", alert));
    eventually()
        .until(
            () ->
                browser.all("#alerts li[data-kind=security_alert]").size() == 1
                    && browser.text("alerts").contains("bad signatures from 127.0.0.9"));
    assertThat(browser.one("#alerts li[data-kind=security_alert]").getAttribute("data-level"))
        .isEqualTo("critical");

    // A stored message: the chart moves at once and the counts are fetched again.
    a.publish("stored while the page watches");
    ObjectNode uploaded =
        JSON.createObjectNode()
            .put("key", a.store().getLatest(a.publicKey()).orElseThrow().hash().value())
            .put("size", 208)
            .put("node", a.publicKey().value())
            .put("author", a.publicKey().value());
    stub.send(event("file_uploaded", "file_operations", uploaded));
    eventually().until(() -> browser.one("#ingest-chart").getAttribute("data-total"), "1"::equals);
    eventually().until(() -> browser.text("store-messages"), "1"::equals);
    eventually()
        .until(() -> browser.text("posts"), t -> t.contains("stored while the page watches"));

    // A peer connected behind the page's back: the event brings it into the list, and a second
    // later the snapshot (link traffic) and the remembered peers are fetched again.
    long snapshots = requestsTo("/api/dashboard");
    long dbs = requestsTo("/api/conn/db");
    a.conn()
        .connect(
            ConnAddress.parse(
                "ws://127.0.0.1:" + b.localAddress().getPort() + "~shs:" + b.publicKey().value()))
        .get();
    stub.send(
        event(
            "peer_connected",
            "peer_network",
            JSON.createObjectNode().put("id", b.publicKey().value()).put("address", "127.0.0.1")));
    String row = "#peers .vrows .row" + Browser.attr("data-key", b.publicKey().value());
    eventually().until(() -> browser.one(row).getAttribute("data-state"), "connected"::equals);
    eventually()
        .until(() -> requestsTo("/api/dashboard") > snapshots && requestsTo("/api/conn/db") > dbs);

    // Its health event carries the round-trip time, shown without a fetch.
    long before = apiRequests();
    stub.send(
        event(
            "peer_health_changed",
            "peer_network",
            JSON.createObjectNode().put("publicKey", b.publicKey().value()).put("rtt", 42.4)));
    eventually().until(() -> browser.one(row).getText(), t -> t.contains("42 ms"));
    assertThat(apiRequests()).isEqualTo(before);

    // System metrics are shown as they come.
    ObjectNode metrics = JSON.createObjectNode();
    metrics.putObject("network").put("activeConnections", 7);
    stub.send(event("system_metrics", "system", metrics));
    eventually().until(() -> browser.text("system"), t -> t.contains("network.activeConnections"));

    // An error frame is shown as an alert and the socket stays usable.
    stub.send(
        "{\"type\":\"error\",\"data\":{\"code\":\"RATE_LIMIT_EXCEEDED\",\"message\":\"slow down\","
            + "\"retryAfter\":60}}");
    eventually().until(() -> browser.text("alerts"), t -> t.contains("RATE_LIMIT_EXCEEDED"));
    assertThat(browser.one("#live").getAttribute("data-state")).isEqualTo("live");
    browser.screenshot("dashboard-live");
  }

  @Test
  void withoutATokenThePageAsksForOneAndThenWorks() throws Exception {
    browser.open(stub.url().toString());

    eventually().until(() -> browser.one("#auth").isDisplayed());
    eventually().until(() -> browser.one("#live").getAttribute("data-state"), "auth"::equals);
    assertThat(browser.text("node-key")).isEmpty();
    List<String> refused = new ArrayList<>(stub.requests);
    assertThat(refused).anyMatch(r -> r.startsWith("GET /api/dashboard"));

    browser.type("auth-token", TOKEN);
    browser.click("#auth button[type=submit]");

    eventually().until(() -> a.publicKey().value().equals(browser.text("node-key")));
    eventually().until(() -> browser.one("#live").getAttribute("data-state"), "live"::equals);
    assertThat(browser.one("#auth").isDisplayed()).isFalse();
    assertThat(stub.openSockets()).isEqualTo(1);
  }
}
