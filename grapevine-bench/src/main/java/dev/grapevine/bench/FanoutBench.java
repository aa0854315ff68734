package dev.grapevine.bench;

import dev.grapevine.Node;
import dev.grapevine.events.EventsConfig;
import dev.grapevine.transport.TransportConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Fan-out: one publisher, many subscribers, on each of the node's two push surfaces.
 *
 * <ul>
 *   <li><b>ANProto</b> ({@code ws://…/}): subscribers are plain WebSocket peers; the pub relays
 *       every new signed message (and its content) to every open link. A delivery is the
 *       208-character signed message frame arriving at a subscriber.
 *   <li><b>Event API</b> ({@code ws://…/ws}): subscribers send {@code {"type":"subscribe",
 *       "topic":"file_operations"}}; a delivery is the {@code file_uploaded} event of kind {@code
 *       message} carrying the msgHash.
 * </ul>
 *
 * <p>For each surface: a fresh pub (a real {@link Node} on 127.0.0.1, in-memory store, default
 * settings but the connection limits raised above the subscriber count), the subscribers (Netty,
 * {@link Subscribers}, spread over loopback source addresses), and one publisher: an independent
 * ANProto client ({@link WebSocketPusher}) that pushes pre-signed posts (signed message, then
 * content). At most {@link Options#window()} messages are in flight, a message leaving the window
 * when every subscriber has it, so the figures describe sustained delivery without unbounded
 * queueing. Publish-to-delivery time runs from just before the publisher hands the signed message
 * to its socket to the subscriber's read of the frame (pub verify, store, relay and both loopback
 * hops included). The first {@link Options#warmupMessages()} messages are not counted.
 *
 * <p>Each surface is measured twice in the same run: with one subscriber (the baseline) and with
 * {@link Options#subscribers()}. The report gives deliveries per second as a multiple of the
 * baseline's: N subscribers served as fast as one would give N×.
 */
public final class FanoutBench {
  /** Signed timestamps of the posts; far from any real clock, as in {@link IngestBench}. */
  static final long START_MILLIS = IngestBench.START_MILLIS;

  private final Options options;
  private final Consumer<String> progress;

  /** A run with {@code options}, reporting progress lines to {@code progress}. */
  public FanoutBench(Options options, Consumer<String> progress) {
    this.options = Objects.requireNonNull(options, "options");
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /** The two surfaces. */
  enum Surface {
    ANPROTO("anproto", "/"),
    EVENTS("events", "/ws");

    final String label;
    final String path;

    Surface(String label, String path) {
      this.label = label;
      this.path = path;
    }
  }

  /**
   * Runs the benchmark. Blocks until both surfaces are measured or the timeout passes; never throws
   * for a failed run: the report's verdict says FAILED and why.
   */
  public FanoutReport run() throws InterruptedException {
    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long deadline = System.nanoTime() + options.timeout().toNanos();
    int total = options.warmupMessages() + options.messages();
    progress.accept("Signing " + total + " posts");
    Corpus corpus = new Corpus(PostCorpus.generate(total, 16, START_MILLIS));
    List<FanoutReport.SurfaceResult> results = new ArrayList<>();
    String failure = null;
    for (Surface surface : Surface.values()) {
      try {
        FanoutReport.Phase one = phase(surface, 1, corpus, deadline);
        FanoutReport.Phase many = phase(surface, options.subscribers(), corpus, deadline);
        results.add(FanoutReport.SurfaceResult.of(surface.label, surface.path, one, many));
      } catch (PhaseFailed e) {
        failure = surface.label + ": " + e.getMessage();
        break;
      }
    }
    return FanoutReport.of(date, options, results, failure, Machine.current());
  }

  private FanoutReport.Phase phase(Surface surface, int subscribers, Corpus corpus, long deadline)
      throws InterruptedException, PhaseFailed {
    int total = corpus.size();
    int warmup = options.warmupMessages();
    int limit = subscribers + 64;
    Node node;
    try {
      node =
          Node.builder()
              .ephemeral(true)
              .port(0)
              .transport(TransportConfig.builder().port(0).maxConnections(limit).build())
              .events(
                  EventsConfig.builder()
                      .maxConnections(limit)
                      .maxConnectionsPerIp(limit)
                      .systemMetricsInterval(Duration.ZERO)
                      .build())
              .start();
    } catch (IOException e) {
      throw new PhaseFailed("cannot start the pub: " + e);
    }
    Delivery delivery = new Delivery(corpus, subscribers, warmup, options.window());
    URI uri = URI.create("ws://127.0.0.1:" + node.localAddress().getPort() + surface.path);
    Subscribers.Receiver receiver =
        surface == Surface.ANPROTO
            ? (s, text, nanos) -> delivery.received(s, corpus.byFrame(text), nanos)
            : (s, text, nanos) -> delivery.received(s, corpus.byEvent(text), nanos);
    String subscribe =
        surface == Surface.EVENTS ? "{\"type\":\"subscribe\",\"topic\":\"file_operations\"}" : null;
    try (node;
        Subscribers subs = new Subscribers(uri, subscribe, "\"subscribed\"", receiver)) {
      long openStart = System.nanoTime();
      progress.accept(
          surface.label + ": opening " + subscribers + " subscriber(s) on " + surface.path);
      try {
        subs.open(subscribers, options.perAddress(), remainingMillis(deadline));
      } catch (IllegalStateException e) {
        throw new PhaseFailed(e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause()));
      }
      long openMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openStart);
      progress.accept(
          surface.label
              + ": "
              + subscribers
              + " subscribed in "
              + openMillis
              + " ms; publishing "
              + total
              + " posts ("
              + warmup
              + " warm-up), window "
              + options.window());
      try (WebSocketPusher publisher =
          WebSocketPusher.connect(node.url(), Duration.ofMillis(remainingMillis(deadline)))) {
        for (int i = 0; i < total; i++) {
          if (!delivery.window.tryAcquire(
              Math.min(options.stallTimeout().toMillis(), remainingMillis(deadline)),
              TimeUnit.MILLISECONDS)) {
            throw new PhaseFailed(delivery.stallDescription(i, subs.closedByServer()));
          }
          PostCorpus.Post p = corpus.posts.get(i);
          delivery.published(i, System.nanoTime());
          try {
            publisher
                .push(List.of(p.signedFrame(), p.content()))
                .get(remainingMillis(deadline) + 1, TimeUnit.MILLISECONDS);
          } catch (java.util.concurrent.ExecutionException
              | java.util.concurrent.TimeoutException e) {
            throw new PhaseFailed("the publisher could not send post " + i + ": " + e);
          }
        }
        // Wait for the last window to drain.
        if (!delivery.window.tryAcquire(
            options.window(),
            Math.min(options.stallTimeout().toMillis(), remainingMillis(deadline)),
            TimeUnit.MILLISECONDS)) {
          throw new PhaseFailed(delivery.stallDescription(total, subs.closedByServer()));
        }
        Optional<String> closed = publisher.closed();
        if (closed.isPresent()) {
          throw new PhaseFailed("the pub closed the publisher: " + closed.get());
        }
      }
      if (subs.closedByServer() > 0) {
        throw new PhaseFailed(subs.closedByServer() + " subscriber(s) closed by the pub");
      }
      FanoutReport.Phase result = delivery.result(openMillis);
      progress.accept(
          String.format(
              java.util.Locale.ROOT,
              "%s, %d subscriber(s): %,.0f deliveries/s, p50 %.2f ms, p99 %.2f ms",
              surface.label,
              subscribers,
              result.deliveriesPerSecond(),
              result.p50Millis(),
              result.p99Millis()));
      return result;
    }
  }

  private static long remainingMillis(long deadline) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  /** A phase that could not complete; its message says why. */
  private static final class PhaseFailed extends Exception {
    private static final long serialVersionUID = 1L;

    PhaseFailed(String message) {
      super(message);
    }
  }

  /** The posts and how a subscriber's frame maps back to one. Read-only after construction. */
  private static final class Corpus {
    private static final String KEY = "\"key\":\"";
    private static final String KIND_MESSAGE = "\",\"kind\":\"message\"";

    final List<PostCorpus.Post> posts;
    private final Map<String, Integer> byFrame = new HashMap<>();
    private final Map<String, Integer> byHash = new HashMap<>();

    Corpus(List<PostCorpus.Post> posts) {
      this.posts = posts;
      for (int i = 0; i < posts.size(); i++) {
        byFrame.put(posts.get(i).signedFrame(), i);
        byHash.put(posts.get(i).message().hash().value(), i);
      }
    }

    int size() {
      return posts.size();
    }

    /** The post whose signed message is {@code frame}, or -1 (content, requests). */
    int byFrame(String frame) {
      return byFrame.getOrDefault(frame, -1);
    }

    /** The post a {@code file_uploaded} event of kind message names, or -1 for other events. */
    int byEvent(String json) {
      if (!json.contains("\"file_uploaded\"")) {
        return -1;
      }
      int k = json.indexOf(KEY);
      if (k < 0) {
        return -1;
      }
      int start = k + KEY.length();
      int end = start + 44;
      if (end > json.length() || !json.startsWith(KIND_MESSAGE, end)) {
        return -1;
      }
      return byHash.getOrDefault(json.substring(start, end), -1);
    }
  }

  /**
   * Who received what and when. {@link #received} runs on the subscribers' I/O threads, {@link
   * #published} on the publisher's; the arrays are atomic so each side sees the other's writes.
   */
  private static final class Delivery {
    final Semaphore window;
    private final int subscribers;
    private final int warmup;
    private final int total;
    private final AtomicLongArray publishedAt;
    private final AtomicIntegerArray missing;

    /** One per subscriber, each touched only by that subscriber's I/O thread. */
    private final BitSet[] seen;

    private final long[] latencies;
    private final AtomicInteger latencyCount = new AtomicInteger();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final AtomicLong lastDelivery = new AtomicLong();

    Delivery(Corpus corpus, int subscribers, int warmup, int window) {
      this.window = new Semaphore(window);
      this.subscribers = subscribers;
      this.warmup = warmup;
      this.total = corpus.size();
      this.publishedAt = new AtomicLongArray(total);
      this.missing = new AtomicIntegerArray(total);
      for (int i = 0; i < total; i++) {
        missing.set(i, subscribers);
      }
      this.seen = new BitSet[subscribers];
      for (int s = 0; s < subscribers; s++) {
        seen[s] = new BitSet(total);
      }
      this.latencies = new long[Math.multiplyExact(total - warmup, subscribers)];
    }

    void published(int i, long nanos) {
      publishedAt.set(i, nanos);
    }

    void received(int subscriber, int i, long nanos) {
      if (i < 0) {
        return;
      }
      if (seen[subscriber].get(i)) {
        duplicates.increment();
        return;
      }
      seen[subscriber].set(i);
      deliveries.increment();
      if (i >= warmup) {
        latencies[latencyCount.getAndIncrement()] = nanos - publishedAt.get(i);
        lastDelivery.accumulateAndGet(nanos, Math::max);
      }
      if (missing.decrementAndGet(i) == 0) {
        window.release();
      }
    }

    String stallDescription(int next, int closed) {
      int oldest = -1;
      for (int i = 0; i < Math.min(next, total); i++) {
        if (missing.get(i) > 0) {
          oldest = i;
          break;
        }
      }
      return "stalled before post "
          + next
          + (oldest < 0
              ? ""
              : ": post " + oldest + " reached " + (subscribers - missing.get(oldest)) + " of ")
          + (oldest < 0 ? "" : subscribers + " subscribers")
          + (closed > 0 ? "; " + closed + " subscriber(s) closed by the pub" : "");
    }

    FanoutReport.Phase result(long openMillis) {
      int n = latencyCount.get();
      long[] sorted = Arrays.copyOf(latencies, n);
      Arrays.sort(sorted);
      long elapsed = lastDelivery.get() - publishedAt.get(warmup);
      double seconds = elapsed / 1e9;
      int messages = total - warmup;
      return new FanoutReport.Phase(
          subscribers,
          messages,
          n,
          duplicates.sum(),
          Reports.round1(elapsed / 1e6),
          Reports.round1(n / seconds),
          Reports.round1(messages / seconds),
          millis(percentile(sorted, 0.50)),
          millis(percentile(sorted, 0.99)),
          millis(n == 0 ? 0 : sorted[n - 1]),
          openMillis);
    }

    private static long percentile(long[] sorted, double q) {
      if (sorted.length == 0) {
        return 0;
      }
      int rank = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    private static double millis(long nanos) {
      return Math.round(nanos / 1e4) / 100.0;
    }
  }

  /**
   * Settings of a run. Immutable; build with {@link #builder()}.
   *
   * @param subscribers subscribers per surface in the fan-out phase (default 1,000)
   * @param messages counted posts per phase (default 1,000)
   * @param warmupMessages posts published first in each phase and not counted (default 200)
   * @param window posts in flight at most: published but not yet at every subscriber (default 16)
   * @param perAddress subscribers per loopback source address (default 250)
   * @param stallTimeout how long the window may stay full before the run fails (default 30 s)
   * @param timeout the whole run (default 600 s)
   */
  public record Options(
      int subscribers,
      int messages,
      int warmupMessages,
      int window,
      int perAddress,
      Duration stallTimeout,
      Duration timeout) {
    /** The defaults. */
    public static final Options DEFAULT = new Builder().build();

    /** Validates. */
    public Options {
      if (subscribers < 1 || messages < 1 || warmupMessages < 0 || window < 1 || perAddress < 1) {
        throw new IllegalArgumentException(
            "Expected subscribers, messages, window and per-address >= 1 and warm-up >= 0");
      }
      Objects.requireNonNull(stallTimeout, "stallTimeout");
      Objects.requireNonNull(timeout, "timeout");
      if (stallTimeout.isNegative() || stallTimeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("Expected positive timeouts");
      }
      // Every delivery's latency is kept for exact percentiles: bound their number.
      if ((long) subscribers * messages > 50_000_000L) {
        throw new IllegalArgumentException(
            "Expected subscribers × messages <= 50,000,000 but was "
                + (long) subscribers * messages);
      }
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder of {@link Options}. Not thread-safe. */
    public static final class Builder {
      private int subscribers = 1_000;
      private int messages = 1_000;
      private int warmupMessages = 200;
      private int window = 16;
      private int perAddress = 250;
      private Duration stallTimeout = Duration.ofSeconds(30);
      private Duration timeout = Duration.ofSeconds(600);

      private Builder() {}

      /** See {@link Options#subscribers()}. */
      public Builder subscribers(int value) {
        subscribers = value;
        return this;
      }

      /** See {@link Options#messages()}. */
      public Builder messages(int value) {
        messages = value;
        return this;
      }

      /** See {@link Options#warmupMessages()}. */
      public Builder warmupMessages(int value) {
        warmupMessages = value;
        return this;
      }

      /** See {@link Options#window()}. */
      public Builder window(int value) {
        window = value;
        return this;
      }

      /** See {@link Options#perAddress()}. */
      public Builder perAddress(int value) {
        perAddress = value;
        return this;
      }

      /** See {@link Options#stallTimeout()}. */
      public Builder stallTimeout(Duration value) {
        stallTimeout = value;
        return this;
      }

      /** See {@link Options#timeout()}. */
      public Builder timeout(Duration value) {
        timeout = value;
        return this;
      }

      /** The options, validated. */
      public Options build() {
        return new Options(
            subscribers, messages, warmupMessages, window, perAddress, stallTimeout, timeout);
      }
    }
  }
}
