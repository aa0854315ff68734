package dev.grapevine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Plain HTTP requests reach the {@link HttpHandler}; limits and failures get JSON errors. */
class HttpServerTest {
  private static final HttpClient CLIENT = JdkClient.HTTP;

  private final Servers servers = new Servers();
  private final List<HttpRequest> seen = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    servers.close();
  }

  private Transport start(TransportConfig config, HttpHandler http) {
    return servers.start(config, new RecordingLinkHandler(), Map.of(), http);
  }

  private HttpHandler recording(HttpResponse response) {
    return request -> {
      seen.add(request);
      return CompletableFuture.completedFuture(response);
    };
  }

  private static java.net.http.HttpResponse<String> get(Transport t, String pathAndQuery)
      throws IOException, InterruptedException {
    return CLIENT.send(
        java.net.http.HttpRequest.newBuilder(Servers.http(t, pathAndQuery)).GET().build(),
        BodyHandlers.ofString());
  }

  @Test
  void getReachesTheHandlerWithTheRawPathAndTheDecodedQuery() throws Exception {
    Transport t = start(Servers.config().build(), recording(HttpResponse.json(200, "[]")));

    var response =
        get(t, "/BSY7/er4VJIu08o39NaRAiPY/MAvd7oQhlGCRDABjYU=?since=12&q=a%2Bb+c&q=second");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("[]");
    HttpRequest request = seen.get(0);
    assertThat(request.method()).isEqualTo("GET");
    assertThat(request.path()).isEqualTo("/BSY7/er4VJIu08o39NaRAiPY/MAvd7oQhlGCRDABjYU=");
    assertThat(request.queryParam("since")).contains("12");
    assertThat(request.query().get("q")).containsExactly("a+b c", "second");
    assertThat(request.remoteAddress()).isEqualTo("127.0.0.1");
    assertThat(request.header("Host")).isPresent();
  }

  @Test
  void clientOfferingAnH2cUpgradeIsAnsweredWithPlainHttp11() throws Exception {
    Transport t = start(Servers.config().build(), recording(HttpResponse.json(200, "{}")));
    HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

    var response =
        http2.send(
            java.net.http.HttpRequest.newBuilder(Servers.http(t, "/latest")).build(),
            BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(seen.get(0).path()).isEqualTo("/latest");
  }

  @Test
  void headGetsTheHeadersWithoutTheBody() throws Exception {
    Transport t = start(Servers.config().build(), recording(HttpResponse.json(200, "[1,2,3]")));

    try (RawHttp http = new RawHttp(t.localAddress())) {
      http.write("HEAD /all HTTP/1.1\r\nHost: x\r\n\r\nGET /all HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response head = http.readHead();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.headers().get("content-length")).isEqualTo("7");
      // The next bytes on the connection are the GET's response: HEAD sent no body.
      assertThat(http.read().body()).isEqualTo("[1,2,3]");
    }
    assertThat(seen).extracting(HttpRequest::method).containsExactly("HEAD", "GET");
  }

  @Test
  void percentEscapesInThePathAreNotDecoded() throws Exception {
    Transport t = start(Servers.config().build(), recording(HttpResponse.json(200, "{}")));

    get(t, "/a%2Fb+c%3D");

    assertThat(seen.get(0).path()).isEqualTo("/a%2Fb+c%3D");
  }

  @Test
  void postBodyAndHeadersReachTheHandlerAndResponseHeadersComeBack() throws Exception {
    HttpResponse answer =
        new HttpResponse(201, "text/plain; charset=utf-8", Map.of(), "stored ✓")
            .withHeader("Access-Control-Allow-Origin", "*");
    Transport t = start(Servers.config().build(), recording(answer));

    var response =
        CLIENT.send(
            java.net.http.HttpRequest.newBuilder(Servers.http(t, "/gossip"))
                .header("Content-Type", "text/plain")
                .header("X-Custom", "Value")
                .POST(BodyPublishers.ofString("Hello World é"))
                .build(),
            BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.body()).isEqualTo("stored ✓");
    assertThat(response.headers().firstValue("access-control-allow-origin")).contains("*");
    assertThat(response.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
    HttpRequest request = seen.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/gossip");
    assertThat(request.body()).isEqualTo("Hello World é");
    assertThat(request.headers()).containsKeys("content-type", "x-custom");
    assertThat(request.header("X-CUSTOM")).contains("Value");
  }

  @Test
  void bodyOverTheLimitGets413Json() throws Exception {
    Transport t =
        start(
            Servers.config().maxHttpBodyBytes(1024).build(),
            recording(HttpResponse.json(200, "{}")));

    var response =
        CLIENT.send(
            java.net.http.HttpRequest.newBuilder(Servers.http(t, "/gossip"))
                .POST(BodyPublishers.ofString("x".repeat(2000)))
                .build(),
            BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).isEqualTo("{\"error\":\"payload_too_large\"}");
    assertThat(seen).isEmpty();
    assertThat(get(t, "/after").statusCode()).isEqualTo(200);
  }

  @Test
  void bodyOverTheLimitWithExpectContinueGets413JsonBeforeTheBodyIsSent() throws Exception {
    Transport t =
        start(
            Servers.config().maxHttpBodyBytes(1024).build(),
            recording(HttpResponse.json(200, "{}")));

    try (RawHttp http = new RawHttp(t.localAddress())) {
      http.write(
          "POST /gossip HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
              + "Expect: 100-continue\r\n\r\n");
      RawHttp.Response response = http.read();

      assertThat(response.status()).isEqualTo(413);
      assertThat(response.body()).isEqualTo("{\"error\":\"payload_too_large\"}");
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void failedHandlerFutureGets500Json() throws Exception {
    Transport t =
        start(
            Servers.config().build(),
            request -> CompletableFuture.failedFuture(new IllegalStateException("store down")));

    var response = get(t, "/all");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo("{\"error\":\"internal_error\"}");
  }

  @Test
  void handlerThatThrowsGets500Json() throws Exception {
    Transport t =
        start(
            Servers.config().build(),
            request -> {
              throw new IllegalStateException("bug");
            });

    var response = get(t, "/all");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo("{\"error\":\"internal_error\"}");
    assertThat(get(t, "/again").statusCode()).isEqualTo(500);
  }

  @Test
  void handlerMayAnswerLaterFromAnotherThread() throws Exception {
    CompletableFuture<HttpResponse> later = new CompletableFuture<>();
    Transport t = start(Servers.config().build(), request -> later);

    var pending =
        CLIENT.sendAsync(
            java.net.http.HttpRequest.newBuilder(Servers.http(t, "/slow")).build(),
            BodyHandlers.ofString());
    new Thread(() -> later.complete(HttpResponse.json(200, "{\"late\":true}")), "answerer").start();

    assertThat(pending.get().body()).isEqualTo("{\"late\":true}");
  }

  @Test
  void pipelinedRequestsOnOneConnectionAreHandledOneAtATimeAndAnsweredInOrder() throws Exception {
    CompletableFuture<HttpResponse> slow = new CompletableFuture<>();
    Transport t =
        start(
            Servers.config().build(),
            request -> {
              seen.add(request);
              return request.path().equals("/slow")
                  ? slow
                  : CompletableFuture.completedFuture(HttpResponse.json(200, "\"fast\""));
            });

    try (RawHttp http = new RawHttp(t.localAddress())) {
      http.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
      await().atMost(RecordingLinkHandler.WAIT).until(() -> seen.size() == 1);
      assertThat(seen.get(0).path()).isEqualTo("/slow");
      slow.complete(HttpResponse.json(200, "\"slow\""));

      assertThat(http.read().body()).isEqualTo("\"slow\"");
      assertThat(http.read().body()).isEqualTo("\"fast\"");
    }
    assertThat(seen).extracting(HttpRequest::path).containsExactly("/slow", "/fast");
  }

  @Test
  void connectionsOverTheLimitGet503JsonAndAreClosed() throws Exception {
    Transport t =
        start(Servers.config().maxConnections(2).build(), recording(HttpResponse.json(200, "{}")));
    JdkClient first = JdkClient.connect(Servers.ws(t, "/"));
    JdkClient.connect(Servers.ws(t, "/"));

    try (RawHttp http = new RawHttp(t.localAddress())) {
      http.write("GET /all HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response response = http.read();

      assertThat(response.status()).isEqualTo(503);
      assertThat(response.body()).isEqualTo("{\"error\":\"too_many_connections\"}");
      assertThat(response.headers().get("connection")).isEqualTo("close");
      assertThat(http.serverClosed()).isTrue();
    }
    assertThat(seen).isEmpty();

    first.socket().sendClose(1000, "making room").join();
    await().atMost(RecordingLinkHandler.WAIT).until(() -> get(t, "/all").statusCode() == 200);
  }

  @Test
  void connectionOverTheLimitThatSendsNothingIsClosedAfterTheHandshakeTimeout() throws Exception {
    Transport t =
        start(
            Servers.config().maxConnections(1).handshakeTimeout(Duration.ofMillis(300)).build(),
            recording(HttpResponse.json(200, "{}")));
    JdkClient.connect(Servers.ws(t, "/"));

    try (RawHttp silent = new RawHttp(t.localAddress())) {
      assertThat(silent.serverClosed()).isTrue();
    }
  }
}
