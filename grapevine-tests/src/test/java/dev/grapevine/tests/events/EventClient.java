package dev.grapevine.tests.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * An event API client on the JDK's {@link WebSocket}, independent of the node's Netty code. It
 * records every frame (raw and parsed), can wait for one of a type, and can be made to read nothing
 * (a slow consumer).
 */
final class EventClient implements WebSocket.Listener, AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final boolean reading;
  private final List<String> raw = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket socket;

  private EventClient(boolean reading) {
    this.reading = reading;
  }

  static EventClient open(URI uri) {
    return open(uri, Map.of(), true);
  }

  /** Opens a client; {@code reading == false} requests no message, so it reads nothing. */
  static EventClient open(URI uri, Map<String, String> headers, boolean reading) {
    EventClient c = new EventClient(reading);
    WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    headers.forEach(b::header);
    try {
      c.socket = b.buildAsync(uri, c).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("Cannot open " + uri, e);
    }
    return c;
  }

  /** The HTTP status the server refused the upgrade with. */
  static int refusalStatus(URI uri, Map<String, String> headers) {
    WebSocket.Builder b = HTTP.newWebSocketBuilder();
    headers.forEach(b::header);
    try {
      b.buildAsync(uri, new WebSocket.Listener() {}).join().abort();
      throw new AssertionError("The upgrade to " + uri + " was accepted");
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw new AssertionError("Unexpected failure", e);
    }
  }

  void send(String text) {
    socket.sendText(text, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** Sends without waiting for the JDK to write it. */
  CompletableFuture<WebSocket> sendAsync(String text) {
    return socket.sendText(text, true);
  }

  List<String> raw() {
    return List.copyOf(raw);
  }

  List<JsonNode> frames() {
    return raw.stream().map(EventClient::parse).toList();
  }

  List<JsonNode> ofType(String type) {
    return frames().stream().filter(f -> f.path("type").asText().equals(type)).toList();
  }

  JsonNode await(Predicate<JsonNode> condition) {
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(5))
        .until(() -> frames().stream().anyMatch(condition));
    return frames().stream().filter(condition).findFirst().orElseThrow();
  }

  JsonNode awaitType(String type) {
    return await(f -> f.path("type").asText().equals(type));
  }

  /** Waits for the {@code n}th (from 1) frame of {@code type}. */
  JsonNode awaitType(String type, int n) {
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(5))
        .until(() -> ofType(type).size() >= n);
    return ofType(type).get(n - 1);
  }

  /**
   * Sends a ping with an id and waits for its pong: every frame the node queued for this client
   * before it has arrived when this returns.
   */
  JsonNode barrier(String id) {
    send("{\"type\":\"ping\",\"id\":\"" + id + "\"}");
    return await(f -> f.path("type").asText().equals("pong") && f.path("id").asText().equals(id));
  }

  int awaitCloseCode() {
    return closeCode.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  boolean closedByServer() {
    return closeCode.isDone();
  }

  static JsonNode parse(String frame) {
    try {
      return JSON.readTree(frame);
    } catch (IOException e) {
      throw new UncheckedIOException("Not JSON: " + frame, e);
    }
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    if (reading) {
      webSocket.request(1);
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      raw.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeCode.complete(1006);
  }

  @Override
  public void close() {
    WebSocket s = socket;
    if (s != null) {
      s.abort();
    }
  }
}
