package dev.grapevine.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An independent ANProto client for benchmarks: the JDK's {@link java.net.http.WebSocket}, not our
 * Netty transport, pushing a list of text frames over one connection as fast as the peer takes
 * them.
 *
 * <p><b>Backpressure.</b> The JDK allows one outstanding {@code sendText} at a time; the next frame
 * is sent when the previous send's future completes, which is when the frame has been handed to the
 * socket. So when the pub stops reading (its verify pool or store writer is full), TCP's window
 * fills and the pusher waits: the sender is held, never dropped, and no frame is ever sent twice.
 * (Our own {@link dev.grapevine.transport.PeerLink#send} never blocks and exposes no writability,
 * so a bulk sender on it would have to guess a rate or overrun its outbound bound and be closed as
 * a slow consumer.)
 *
 * <p><b>Receiving.</b> Every frame the pub sends (requests for hashes it wants) is counted and
 * remembered, and never answered: the benchmark pushes each frame exactly once.
 *
 * <p>Thread-safe. Runs on its own {@code grapevine-bench-ws-N} threads, stopped by {@link
 * #close()}.
 */
final class WebSocketPusher implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final ExecutorService executor;
  private final WebSocket socket;
  private final Listener listener;
  private final AtomicLong sent = new AtomicLong();

  private WebSocketPusher(ExecutorService executor, WebSocket socket, Listener listener) {
    this.executor = executor;
    this.socket = socket;
    this.listener = listener;
  }

  /**
   * Opens a WebSocket to {@code uri}, waiting up to {@code timeout} for the handshake.
   *
   * @throws IllegalStateException if the connection cannot be opened in time
   */
  static WebSocketPusher connect(URI uri, Duration timeout) {
    int n = INSTANCES.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "grapevine-bench-ws-" + n + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    Listener listener = new Listener();
    try {
      HttpClient client =
          HttpClient.newBuilder().executor(executor).connectTimeout(timeout).build();
      WebSocket socket =
          client
              .newWebSocketBuilder()
              .connectTimeout(timeout)
              .buildAsync(uri, listener)
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new WebSocketPusher(executor, socket, listener);
    } catch (ExecutionException | TimeoutException e) {
      executor.shutdownNow();
      throw new IllegalStateException("Cannot open a WebSocket to " + uri, e);
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while connecting to " + uri, e);
    }
  }

  /**
   * Sends {@code frames} in order, each once, one outstanding send at a time. The future completes
   * when the last frame has been handed to the socket, or fails with the first send's error (for
   * example the connection closed).
   */
  CompletableFuture<Void> push(List<String> frames) {
    Objects.requireNonNull(frames, "frames");
    CompletableFuture<Void> done = new CompletableFuture<>();
    new Pump(frames, done).run();
    return done;
  }

  /** Frames handed to the socket so far. */
  long sent() {
    return sent.get();
  }

  /** Frames received from the peer so far. */
  long received() {
    return listener.received.get();
  }

  /** The distinct frames received (requests) with how often each came. */
  ConcurrentHashMap<String, AtomicInteger> receivedFrames() {
    return listener.frames;
  }

  /** Why the connection closed or failed, if it did. */
  Optional<String> closed() {
    return Optional.ofNullable(listener.closed.get());
  }

  /** Sends a normal close, waits briefly, then drops the connection and stops the threads. */
  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "benchmark done").get(2, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      // Already closed or closing; abort below.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      socket.abort();
      executor.shutdownNow();
    }
  }

  /** Sends the next frame when the previous send completes; loops while sends complete at once. */
  private final class Pump implements Runnable {
    private final List<String> frames;
    private final CompletableFuture<Void> done;
    private int next;

    Pump(List<String> frames, CompletableFuture<Void> done) {
      this.frames = frames;
      this.done = done;
    }

    @Override
    public void run() {
      // Only one thread runs this at a time: the caller first, then the thread completing the one
      // outstanding send.
      while (next < frames.size()) {
        CompletableFuture<WebSocket> f;
        try {
          f = socket.sendText(frames.get(next), true);
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
          return;
        }
        next++;
        if (!f.isDone()) {
          f.whenComplete(
              (ws, err) -> {
                if (err != null) {
                  done.completeExceptionally(err);
                } else {
                  sent.incrementAndGet();
                  run();
                }
              });
          return;
        }
        try {
          f.join();
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
          return;
        }
        sent.incrementAndGet();
      }
      done.complete(null);
    }
  }

  /** Counts and remembers incoming frames; records a close or error. */
  private static final class Listener implements WebSocket.Listener {
    final AtomicLong received = new AtomicLong();
    final ConcurrentHashMap<String, AtomicInteger> frames = new ConcurrentHashMap<>();
    final AtomicReference<String> closed = new AtomicReference<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      // Calls for one WebSocket are sequential (each waits for our request(1)).
      partial.append(data);
      if (last) {
        String frame = partial.toString();
        partial.setLength(0);
        received.incrementAndGet();
        frames.computeIfAbsent(frame, k -> new AtomicInteger()).incrementAndGet();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.compareAndSet(null, "closed by the pub with " + statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.compareAndSet(null, "connection failed: " + error);
    }
  }
}
