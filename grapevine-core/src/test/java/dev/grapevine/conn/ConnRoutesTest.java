package dev.grapevine.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.Node;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConnRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private Node a;
  private Node b;

  @BeforeEach
  void start() throws Exception {
    a = Node.builder().ephemeral(true).port(0).start();
    b = Node.builder().ephemeral(true).port(0).start();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  private String addressOf(Node n) {
    return "ws://127.0.0.1:" + n.localAddress().getPort() + "~shs:" + n.publicKey().value();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return send(method, path, body, body == null ? null : "application/json");
  }

  private HttpResponse<String> send(String method, String path, String body, String contentType)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(a.httpUrl().resolve(path)).timeout(Duration.ofSeconds(30));
    if (contentType != null) {
      r.header("Content-Type", contentType);
    }
    r.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode ok(String method, String path, String body) throws Exception {
    HttpResponse<String> r = send(method, path, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private String addressBody(String address) {
    return JSON.createObjectNode().put("address", address).toString();
  }

  @Test
  void connectThroughTheApiShowsThePeerConnectedThenDisconnectRemovesIt() throws Exception {
    String address = addressOf(b);

    JsonNode connected = ok("POST", "/api/conn/connect", addressBody(address));
    assertThat(connected.get("connected").booleanValue()).isTrue();

    JsonNode peers = ok("GET", "/api/peers", null);
    assertThat(peers.get("count").intValue()).isEqualTo(1);
    JsonNode p = peers.get("peers").get(0);
    assertThat(p.get("publicKey").textValue()).isEqualTo(b.publicKey().value());
    assertThat(p.get("nodeId").textValue()).hasSize(16).matches("[0-9a-f]{16}");
    assertThat(p.get("status").textValue()).isEqualTo("connected");
    assertThat(p.get("isClient").booleanValue()).isTrue();
    // MiniLedger's address is the peer's mesh base URL; the multiserver address is kept beside it.
    assertThat(p.get("address").textValue())
        .isEqualTo("ws://127.0.0.1:" + b.localAddress().getPort());
    assertThat(p.get("multiserverAddress").textValue()).isEqualTo(address);
    assertThat(p.get("orgId").textValue()).isEqualTo("grapevine");

    JsonNode gone = ok("POST", "/api/conn/disconnect", addressBody(address));
    assertThat(gone.get("disconnected").booleanValue()).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ok("GET", "/api/peers", null).get("count").intValue() == 0);
  }

  @Test
  void rememberForgetStageAndUnstageAreVisibleInTheirLists() throws Exception {
    String address = addressOf(b);
    String withData =
        "{\"address\":\"" + address + "\",\"data\":{\"type\":\"pub\",\"note\":\"seed\"}}";

    JsonNode remembered = ok("POST", "/api/conn/remember", withData);
    assertThat(remembered.get("data").get("note").textValue()).isEqualTo("seed");
    JsonNode db = ok("GET", "/api/conn/db", null);
    assertThat(db.get("count").intValue()).isEqualTo(1);
    assertThat(db.get("entries").get(0).get("address").textValue()).isEqualTo(address);
    assertThat(db.get("entries").get(0).get("data").get("key").textValue())
        .isEqualTo(b.publicKey().value());
    assertThat(db.get("entries").get(0).get("data").has("birth")).isTrue();

    assertThat(ok("POST", "/api/conn/forget", addressBody(address)).get("forgotten").booleanValue())
        .isTrue();
    assertThat(ok("GET", "/api/conn/db", null).get("count").intValue()).isZero();

    assertThat(ok("POST", "/api/conn/stage", addressBody(address)).get("staged").booleanValue())
        .isTrue();
    JsonNode staged = ok("GET", "/api/conn/staged", null);
    assertThat(staged.get("count").intValue()).isEqualTo(1);
    assertThat(staged.get("entries").get(0).get("data").get("type").textValue())
        .isEqualTo("internet");
    assertThat(ok("POST", "/api/conn/unstage", addressBody(address)).get("unstaged").booleanValue())
        .isTrue();
    assertThat(ok("GET", "/api/conn/staged", null).get("count").intValue()).isZero();
  }

  @Test
  void theDbListSaysWhenTheSchedulerMayDialAWaitingPeerNext() throws Exception {
    long failedAt = System.currentTimeMillis();
    String dead = "ws://127.0.0.1:1~shs:" + dev.grapevine.anproto.KeyPair.generate().publicKey();
    ok(
        "POST",
        "/api/conn/remember",
        "{\"address\":\""
            + dead
            + "\",\"data\":{\"type\":\"pub\",\"failure\":3,\"stateChange\":"
            + failedAt
            + "}}");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ok("GET", "/api/conn/db", null).at("/entries/0").has("nextAttempt"));
    JsonNode entry = ok("GET", "/api/conn/db", null).at("/entries/0");

    assertThat(entry.get("address").textValue()).isEqualTo(dead);
    // Nothing connected: (1 s hop + 4 s + 3³ × 10 s) × 0.1 × 3 (only failures), maybe halved.
    assertThat(entry.get("nextAttempt").longValue() - failedAt).isIn(82_500L, 41_250L);
    assertThat(entry.at("/data/failure").intValue()).isEqualTo(3);
  }

  @Test
  void malformedRequestsGetJsonErrorsAndChangeNothing() throws Exception {
    HttpResponse<String> notJson = send("POST", "/api/conn/remember", "{not json");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notJson.body()).get("error").textValue()).isEqualTo("bad_request");

    HttpResponse<String> badAddress =
        send("POST", "/api/conn/remember", addressBody("ws://127.0.0.1:1~shs:nope"));
    assertThat(badAddress.statusCode()).isEqualTo(400);

    HttpResponse<String> wrongMethod = send("GET", "/api/conn/connect", null);
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Allow")).contains("POST");

    HttpResponse<String> unknown = send("POST", "/api/conn/explode", "{}");
    assertThat(unknown.statusCode()).isEqualTo(404);

    assertThat(ok("GET", "/api/conn/db", null).get("count").intValue()).isZero();
  }

  @Test
  void postsThatAreNotJsonGet415SoThatAnotherSitesFormCannotActOnTheNode() throws Exception {
    String address = addressOf(b);
    String form = "address=" + java.net.URLEncoder.encode(address, "UTF-8");

    for (String action : List.of("connect", "remember", "stage")) {
      for (String type : Arrays.asList("application/x-www-form-urlencoded", "text/plain", null)) {
        String body =
            type != null && type.startsWith("application/x") ? form : addressBody(address);
        HttpResponse<String> r = send("POST", "/api/conn/" + action, body, type);
        assertThat(r.statusCode()).as(action + " as " + type).isEqualTo(415);
        assertThat(JSON.readTree(r.body()).get("error").textValue())
            .isEqualTo("unsupported_media_type");
      }
    }
    HttpResponse<String> withCharset =
        send("POST", "/api/conn/remember", addressBody(address), "application/json; charset=utf-8");

    assertThat(withCharset.statusCode()).as(withCharset.body()).isEqualTo(200);
    assertThat(a.conn().peers()).isEmpty();
    assertThat(a.conn().stagedPeers()).isEmpty();
    assertThat(ok("GET", "/api/conn/db", null).get("count").intValue()).isEqualTo(1);
  }

  @Test
  void connectToAClosedPortAnswers502WithTheReason() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String dead = "ws://127.0.0.1:" + closedPort + "~shs:" + b.publicKey().value();

    HttpResponse<String> r = send("POST", "/api/conn/connect", addressBody(dead));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(JSON.readTree(r.body()).get("error").textValue()).isEqualTo("connect_failed");
    assertThat(ok("GET", "/api/peers", null).get("count").intValue()).isZero();
  }

  @Test
  void peersRouteAnswers405ToPost() throws Exception {
    assertThat(send("POST", "/api/peers", "{}").statusCode()).isEqualTo(405);
  }
}
