package dev.grapevine.tests.conformance;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An independent ANProto client: the JDK's {@link WebSocket}, which shares no code with the node's
 * Netty transport. It records every text message it receives, can wait for one, and offers a
 * ping/pong barrier ({@link #roundTrip()}): once the pong is back, every frame the node queued for
 * this socket before the ping has arrived.
 */
public final class JdkSocket implements WebSocket.Listener, AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  /** One HTTP/1.1 client for every test socket and HTTP request. */
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private static final AtomicInteger PINGS = new AtomicInteger();

  private final List<String> received = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<Void>> pongs = new ConcurrentHashMap<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder(); // only the listener's thread
  private volatile WebSocket socket;

  private JdkSocket() {}

  /** Opens a WebSocket to {@code uri}, waiting for the handshake. */
  public static JdkSocket open(URI uri) {
    JdkSocket s = new JdkSocket();
    try {
      s.socket =
          HTTP.newWebSocketBuilder().buildAsync(uri, s).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("The JDK WebSocket cannot connect to " + uri, e);
    }
    return s;
  }

  /** Sends one text frame and waits until the JDK has written it. */
  public void send(String text) {
    join(socket.sendText(text, true), "sending a text frame");
  }

  /** Sends one text frame; the future fails once the socket is closed. */
  CompletableFuture<WebSocket> trySend(String text) {
    return socket.sendText(text, true);
  }

  /** Sends one binary frame and waits until the JDK has written it. */
  void sendBinary(byte[] data) {
    join(socket.sendBinary(ByteBuffer.wrap(data), true), "sending a binary frame");
  }

  /** Every text message received so far, in order. */
  public List<String> received() {
    return List.copyOf(received);
  }

  /** Waits for a received message matching {@code condition} (one already received counts). */
  String awaitFrame(Predicate<String> condition) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> received.stream().anyMatch(condition));
    return received.stream().filter(condition).findFirst().orElseThrow();
  }

  /** Waits for a received message equal to {@code frame}. */
  public void awaitFrame(String frame) {
    awaitFrame(frame::equals);
  }

  /**
   * Sends a ping and waits for its pong. Frames the node wrote to this socket before it answered
   * the ping have been received when this returns.
   */
  void roundTrip() {
    String payload = "barrier-" + PINGS.incrementAndGet();
    CompletableFuture<Void> pong = new CompletableFuture<>();
    pongs.put(payload, pong);
    join(
        socket.sendPing(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8))),
        "sending a ping");
    join(pong, "waiting for the pong");
  }

  /** The status code of the node's close frame (1006 if the connection ended without one). */
  int awaitCloseCode() {
    return join(closeCode, "waiting for the node to close the socket");
  }

  /** Whether the node closed the socket. */
  public boolean isClosedByPeer() {
    return closeCode.isDone();
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      received.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    received.add("<binary " + data.remaining() + " bytes>");
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
    CompletableFuture<Void> pong = pongs.remove(StandardCharsets.UTF_8.decode(message).toString());
    if (pong != null) {
      pong.complete(null);
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

  /** Closes normally if still open, then drops the connection. */
  @Override
  public void close() {
    WebSocket s = socket;
    if (s == null) {
      return;
    }
    if (!s.isOutputClosed()) {
      try {
        s.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // closing anyway
      }
    }
    s.abort();
  }

  private static <T> T join(CompletableFuture<T> f, String what) {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("Failed " + what, e);
    }
  }
}
