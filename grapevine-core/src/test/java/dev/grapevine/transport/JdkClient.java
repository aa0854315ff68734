package dev.grapevine.transport;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The JDK's {@link WebSocket}, an independent client, with a listener that records everything. */
final class JdkClient implements WebSocket.Listener {
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final boolean reading;
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final List<String> pongs = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final CompletableFuture<Throwable> error = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket webSocket;

  private JdkClient(boolean reading) {
    this.reading = reading;
  }

  /** Connects and reads every message. */
  static JdkClient connect(URI uri) {
    return connect(uri, true);
  }

  /** Connects; with {@code reading == false} it never requests a message, so it reads nothing. */
  static JdkClient connect(URI uri, boolean reading) {
    JdkClient client = new JdkClient(reading);
    try {
      client.webSocket =
          HTTP.newWebSocketBuilder().buildAsync(uri, client).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("JDK WebSocket cannot connect to " + uri, e);
    }
    return client;
  }

  WebSocket socket() {
    return webSocket;
  }

  void send(String text) {
    webSocket.sendText(text, true).join();
  }

  List<String> messages() {
    return List.copyOf(messages);
  }

  String awaitMessage(int index) {
    await().atMost(RecordingLinkHandler.WAIT).until(() -> messages.size() > index);
    return messages.get(index);
  }

  List<String> pongs() {
    return List.copyOf(pongs);
  }

  /** The close code the server sent (1006 if the connection ended without one). */
  int awaitCloseCode() {
    try {
      return closeCode.get(RecordingLinkHandler.WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no close frame; error: " + error.getNow(null), e);
    }
  }

  CompletableFuture<Throwable> error() {
    return error;
  }

  void abort() {
    if (webSocket != null) {
      webSocket.abort();
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
      messages.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
    pongs.add(StandardCharsets.UTF_8.decode(message).toString());
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable e) {
    error.complete(e);
    closeCode.complete(1006);
  }
}
