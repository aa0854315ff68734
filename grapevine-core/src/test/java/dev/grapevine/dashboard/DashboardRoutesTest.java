package dev.grapevine.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.Node;
import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.store.LogEntry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DashboardRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private Node a;

  @BeforeEach
  void start() throws Exception {
    a =
        Node.builder()
            .ephemeral(true)
            .port(0)
            .dashboard(DashboardConfig.builder().maxPostChars(1_000).maxNameChars(20).build())
            .start();
  }

  @AfterEach
  void stop() {
    a.close();
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(a.httpUrl().resolve(path)).timeout(Duration.ofSeconds(30));
    if (headers.length > 0) {
      r.headers(headers);
    } else if (body != null) {
      r.header("Content-Type", "application/json");
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
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    return JSON.readTree(r.body());
  }

  private static void assertJsonError(HttpResponse<String> r, int status, String code)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("error").textValue()).isEqualTo(code);
    assertThat(body.get("message").textValue()).isNotBlank();
  }

  // ---- the page and its files ----

  @Test
  void rootServesThePageAsHtmlWithAPolicyThatAllowsOnlyThisOrigin() throws Exception {
    HttpResponse<String> r = send("GET", "/", null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(r.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(
            csp -> assertThat(csp).contains("default-src 'none'", "script-src 'self'"));
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.headers().firstValue("ETag"))
        .hasValueSatisfying(e -> assertThat(e).matches("\"[A-Za-z0-9_-]{22}\""));
    assertThat(r.body()).contains("<script type=\"module\" src=\"dashboard/app.js\"></script>");
  }

  @Test
  void everyFileIsServedWithTheContentTypeOfItsKind() throws Exception {
    for (String f : Assets.FILES) {
      HttpResponse<String> r = send("GET", "/dashboard/" + f, null);
      assertThat(r.statusCode()).as(f).isEqualTo(200);
      String expected =
          switch (f.substring(f.lastIndexOf('.') + 1)) {
            case "js" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "svg" -> "image/svg+xml; charset=utf-8";
            default -> throw new AssertionError(f);
          };
      assertThat(r.headers().firstValue("Content-Type")).as(f).hasValue(expected);
      assertThat(r.headers().firstValue("ETag")).as(f).isPresent();
      assertThat(r.body()).as(f).isNotBlank();
    }
  }

  @Test
  void theModulesImportOnlyFilesThatAreServed() throws Exception {
    java.util.regex.Pattern imports = java.util.regex.Pattern.compile("from '\\./([a-z]+\\.js)'");
    for (String f : Assets.FILES) {
      if (!f.endsWith(".js")) {
        continue;
      }
      var m = imports.matcher(send("GET", "/dashboard/" + f, null).body());
      while (m.find()) {
        assertThat(Assets.FILES).as(f + " imports " + m.group(1)).contains(m.group(1));
      }
    }
  }

  @Test
  void aCopyWithTheCurrentEtagIsConfirmedWith304AndNoBody() throws Exception {
    String etag = send("GET", "/dashboard/app.js", null).headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> same = send("GET", "/dashboard/app.js", null, "If-None-Match", etag);
    HttpResponse<String> other =
        send("GET", "/dashboard/app.js", null, "If-None-Match", "\"something-else\"");

    assertThat(same.statusCode()).isEqualTo(304);
    assertThat(same.body()).isEmpty();
    assertThat(same.headers().firstValue("ETag")).hasValue(etag);
    assertThat(other.statusCode()).isEqualTo(200);
  }

  @Test
  void headAnswersTheHeadersOfGetWithoutTheBody() throws Exception {
    HttpResponse<String> get = send("GET", "/dashboard/style.css", null);
    HttpResponse<String> head = send("HEAD", "/dashboard/style.css", null);

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
    assertThat(head.headers().firstValue("Content-Length"))
        .hasValue(
            String.valueOf(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
  }

  @Test
  void unknownFilesUnderTheDashboardPrefixGet404Json() throws Exception {
    for (String path :
        new String[] {
          "/dashboard/", "/dashboard/nope.js", "/dashboard/index.html", "/dashboard/app.js/x"
        }) {
      assertJsonError(send("GET", path, null), 404, "not_found");
    }
  }

  @Test
  void methodsOtherThanGetAndHeadOnThePageGet405WithAllow() throws Exception {
    HttpResponse<String> post = send("POST", "/", "{}");
    HttpResponse<String> delete = send("DELETE", "/dashboard/app.js", null);

    assertJsonError(post, 405, "method_not_allowed");
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertJsonError(delete, 405, "method_not_allowed");
  }

  @Test
  void theApdsRoutesStillAnswerBesideThePage() throws Exception {
    assertThat(ok("GET", "/all", null).isArray()).isTrue();
  }

  // ---- GET /api/dashboard ----

  @Test
  void theSnapshotDescribesTheNodeItsStoreAndItsIngestHistory() throws Exception {
    JsonNode s = ok("GET", "/api/dashboard", null);

    JsonNode node = s.get("node");
    assertThat(node.get("publicKey").textValue()).isEqualTo(a.publicKey().value());
    assertThat(node.get("nodeId").textValue()).matches("[0-9a-f]{16}");
    assertThat(node.get("version").textValue()).isNotBlank();
    assertThat(node.get("urls").get(0).textValue()).isEqualTo(a.url().toString());
    assertThat(node.get("urls").get(1).textValue()).isEqualTo(a.httpUrl().toString());
    assertThat(node.get("ephemeral").booleanValue()).isTrue();
    assertThat(node.get("dataDir").isNull()).isTrue();
    assertThat(node.get("uptimeMs").longValue()).isNotNegative();
    assertThat(s.get("store").get("messages").longValue()).isZero();
    assertThat(s.get("ingest").get("bucketMillis").longValue()).isEqualTo(1_000);
    assertThat(s.get("ingest").get("counts")).hasSize(120);
    assertThat(s.get("gossip").get("missingCount").intValue()).isZero();
    assertThat(s.get("links")).isEmpty();
    assertThat(s.get("sync").has("framesIn")).isTrue();
  }

  @Test
  void theSnapshotListsTheHashesTheGossipQueueWants() throws Exception {
    Hash wanted = Hash.of("something this node does not have");
    a.sync().gossip().want(wanted);

    JsonNode gossip = ok("GET", "/api/dashboard", null).get("gossip");

    assertThat(gossip.get("missingCount").intValue()).isEqualTo(1);
    assertThat(gossip.get("missing").get(0).textValue()).isEqualTo(wanted.value());
  }

  @Test
  void theSnapshotCountsTheFramesOfEachConnectedPeer() throws Exception {
    try (Node b = Node.builder().ephemeral(true).port(0).start()) {
      ConnAddress address =
          ConnAddress.parse(
              "ws://127.0.0.1:" + b.localAddress().getPort() + "~shs:" + b.publicKey().value());
      a.conn().connect(address).get();
      a.publish("a post for b to receive");
      await().atMost(Duration.ofSeconds(10)).until(() -> b.store().count() == 1);

      JsonNode link = ok("GET", "/api/dashboard", null).get("links").get(0);

      assertThat(link.get("publicKey").textValue()).isEqualTo(b.publicKey().value());
      assertThat(link.get("state").textValue()).isEqualTo("connected");
      assertThat(link.get("framesOut").longValue()).isPositive();
      assertThat(link.get("linkId").textValue()).isNotBlank();
      assertThat(link.get("since").longValue()).isPositive();
    }
  }

  @Test
  void theSnapshotRouteAnswersOnlyGetAndHead() throws Exception {
    HttpResponse<String> r = send("POST", "/api/dashboard", "{}");

    assertJsonError(r, 405, "method_not_allowed");
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  // ---- POST /api/publish ----

  @Test
  void publishStoresAPostByTheNodeAndAnswersItsHashes() throws Exception {
    ObjectNode body = JSON.createObjectNode().put("text", "hello from the page").put("name", "ev");

    JsonNode r = ok("POST", "/api/publish", body.toString());

    LogEntry e = a.store().getLatest(a.publicKey()).orElseThrow();
    assertThat(r.get("hash").textValue()).isEqualTo(e.hash().value());
    assertThat(r.get("contentHash").textValue()).isEqualTo(e.opened().contentHash().value());
    assertThat(r.get("timestamp").longValue()).isEqualTo(e.opened().timestampMillis());
    Content c = Content.parse(e.text().orElseThrow());
    assertThat(c.body()).isEqualTo("hello from the page");
    assertThat(c.attributes()).containsEntry("name", "ev");

    JsonNode s = ok("GET", "/api/dashboard", null);
    assertThat(s.get("store").get("messages").longValue()).isEqualTo(1);
    long ingested =
        StreamSupport.stream(s.get("ingest").get("counts").spliterator(), false)
            .mapToLong(JsonNode::longValue)
            .sum();
    assertThat(ingested).isEqualTo(1);
  }

  @Test
  void publishRejectsBadBodiesWith400AndStoresNothing() throws Exception {
    String[] bad = {
      "",
      "not json",
      "[\"text\"]",
      "{}",
      "{\"text\": 5}",
      "{\"text\": \"   \"}",
      "{\"text\": \"hi\", \"nmae\": \"typo\"}",
      "{\"text\": \"hi\", \"name\": \"two\\nlines\"}",
      "{\"text\": \"hi\", \"name\": \"a name longer than twenty\"}",
      "{\"text\": \"hi\", \"name\": 7}",
      // content of exactly 44 characters would read as a request on the wire
      "{\"text\": \"" + "x".repeat(44) + "\"}",
    };
    for (String body : bad) {
      assertJsonError(send("POST", "/api/publish", body), 400, "bad_request");
    }
    assertThat(a.store().count()).isZero();
  }

  @Test
  void publishRefusesATextOverTheLimitWith413() throws Exception {
    String body = JSON.createObjectNode().put("text", "x".repeat(1_001)).toString();

    assertJsonError(send("POST", "/api/publish", body), 413, "payload_too_large");
    assertThat(a.store().count()).isZero();
  }

  @Test
  void publishTakesOnlyJsonSoThatOtherSitesCannotPostWithoutAPreflight() throws Exception {
    String body = JSON.createObjectNode().put("text", "posted by another site").toString();

    HttpResponse<String> text = send("POST", "/api/publish", body, "Content-Type", "text/plain");
    HttpResponse<String> form =
        send("POST", "/api/publish", body, "Content-Type", "application/x-www-form-urlencoded");
    HttpResponse<String> json =
        send("POST", "/api/publish", body, "Content-Type", "application/json; charset=utf-8");

    assertJsonError(text, 415, "unsupported_media_type");
    assertJsonError(form, 415, "unsupported_media_type");
    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(a.store().count()).isEqualTo(1);
  }

  @Test
  void publishAnswersOnlyPost() throws Exception {
    HttpResponse<String> r = send("GET", "/api/publish", null);

    assertJsonError(r, 405, "method_not_allowed");
    assertThat(r.headers().firstValue("Allow")).hasValue("POST");
  }
}
