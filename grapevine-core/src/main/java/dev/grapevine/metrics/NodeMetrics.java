package dev.grapevine.metrics;

import dev.grapevine.api.ApiAuth;
import dev.grapevine.events.EventApiStats;
import dev.grapevine.events.EventBusStats;
import dev.grapevine.events.LinkEvents;
import dev.grapevine.events.Topic;
import dev.grapevine.store.CommitStats;
import dev.grapevine.store.StoreStats;
import dev.grapevine.sync.SyncListener;
import dev.grapevine.sync.SyncStats;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.HttpHandler;
import dev.grapevine.transport.HttpResponse;
import dev.grapevine.transport.TransportStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A node's metrics in a Micrometer registry of its own, served as Prometheus text at {@code GET
 * /metrics}. Every meter reads the node's own counters when scraped (no work on the hot paths); the
 * list is in the README. Applications may add meters to {@link #registry()}.
 *
 * <p>Thread-safe. {@link #close()} unregisters the JVM listeners and closes the registry.
 */
public final class NodeMetrics implements AutoCloseable {
  /** The {@code Content-Type} of the Prometheus text format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String[] EVENT_MESSAGES_IN = {
    "subscribe", "unsubscribe", "ping", "auth", "invalid", "rate_limited"
  };
  private static final String[] EVENT_MESSAGES_OUT = {
    "welcome", "event", "subscribed", "unsubscribed", "pong", "authenticated", "error"
  };

  /** Where the meters read from; each method returns a fresh snapshot and must be cheap. */
  public interface Sources {
    /** The ANProto protocol's counters. */
    SyncStats sync();

    /** Gossip rounds run so far. */
    long gossipRounds();

    /** Refused frames by reason. */
    Map<SyncListener.Rejection, Long> rejections();

    /** The store's sizes. */
    StoreStats store();

    /** The store's commit timings. */
    CommitStats commits();

    /** Bytes of the store's files on disk (0 in memory). */
    long storeFileBytes();

    /** The transport's counters. */
    TransportStats transport();

    /** The event bus's counters. */
    EventBusStats events();

    /** The event API's counters. */
    EventApiStats eventApi();

    /** Refusals of the access rules. */
    Map<ApiAuth.Refusal, Long> apiRefusals();

    /** Requests waiting for the HTTP read pool. */
    int httpQueue();
  }

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Sources sources;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private NodeMetrics(Sources sources, LinkEvents... surfaces) {
    this.sources = Objects.requireNonNull(sources, "sources");
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    connections(surfaces);
    sync();
    store();
    transport();
    events();
    queues();
  }

  /**
   * Registers the node's meters.
   *
   * @param sources the node's counters
   * @param surfaces the link observers of the peer protocols, for connection meters by surface
   */
  public static NodeMetrics create(Sources sources, LinkEvents... surfaces) {
    return new NodeMetrics(sources, surfaces);
  }

  /** The registry, for meters of an application's own. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The metrics in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * {@code GET /metrics}: the Prometheus text; other methods get 405. Wrap it in the access rules.
   */
  public HttpHandler route() {
    return request -> {
      if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
        return CompletableFuture.completedFuture(
            HttpResponse.json(405, "{\"error\":\"method_not_allowed\"}")
                .withHeader("Allow", "GET, HEAD, OPTIONS"));
      }
      return CompletableFuture.completedFuture(
          new HttpResponse(200, CONTENT_TYPE, Map.of(), scrape()));
    };
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }

  // ---- meters ----

  private void connections(LinkEvents[] surfaces) {
    for (LinkEvents s : surfaces) {
      gauge("grapevine.connections", () -> s.open(), "surface", s.protocol(), "state", "open");
      counter("grapevine.connections.opened", x -> s.opened(), "surface", s.protocol());
      for (CloseReason r : CloseReason.values()) {
        counter(
            "grapevine.connections.closed",
            x -> s.closed().getOrDefault(r, 0L),
            "surface",
            s.protocol(),
            "reason",
            r.name().toLowerCase(Locale.ROOT));
      }
    }
    gauge(
        "grapevine.connections",
        () -> sources.sync().pausedLinks(),
        "surface",
        "anproto",
        "state",
        "paused");
    gauge(
        "grapevine.connections",
        () -> sources.eventApi().activeConnections(),
        "surface",
        "ws",
        "state",
        "open");
    gauge(
        "grapevine.connections",
        () -> sources.eventApi().pendingAuth(),
        "surface",
        "ws",
        "state",
        "pending_auth");
    gauge(
        "grapevine.connections",
        () -> {
          TransportStats t = sources.transport();
          return Math.max(0, t.connections() - t.inboundLinks());
        },
        "surface",
        "http",
        "state",
        "open");
    counter(
        "grapevine.connections.opened",
        x -> sources.eventApi().totalConnections(),
        "surface",
        "ws");
    counter(
        "grapevine.connections.refused",
        x -> sources.eventApi().refusedConnections(),
        "surface",
        "ws");
    counter(
        "grapevine.connections.refused",
        x -> sources.transport().refusedConnections(),
        "surface",
        "transport");
  }

  private void sync() {
    counter("grapevine.sync.frames", x -> sources.sync().framesIn(), "direction", "in");
    counter("grapevine.sync.frames", x -> sources.sync().framesOut(), "direction", "out");
    counter("grapevine.sync.requests", x -> sources.sync().requestsIn(), "kind", "received");
    counter("grapevine.sync.requests", x -> sources.sync().requestsServed(), "kind", "served");
    counter("grapevine.sync.requests", x -> sources.sync().requestsSent(), "kind", "sent");
    counter("grapevine.sync.stored", x -> sources.sync().messagesStored(), "kind", "message");
    counter("grapevine.sync.stored", x -> sources.sync().blobsStored(), "kind", "blob");
    counter("grapevine.sync.duplicates", x -> sources.sync().duplicates());
    counter("grapevine.sync.relayed", x -> sources.sync().relayed());
    counter("grapevine.sync.dropped", x -> sources.sync().dropped());
    counter("grapevine.sync.junk.closures", x -> sources.sync().junkClosures());
    counter("grapevine.sync.gossip.rounds", x -> sources.gossipRounds());
    for (SyncListener.Rejection r : SyncListener.Rejection.values()) {
      counter(
          "grapevine.sync.rejections",
          x -> sources.rejections().getOrDefault(r, 0L),
          "reason",
          r.name().toLowerCase(Locale.ROOT));
    }
    counter(
        "grapevine.verify.failures",
        x -> sources.rejections().getOrDefault(SyncListener.Rejection.INVALID_MESSAGE, 0L));
  }

  private void store() {
    gauge("grapevine.store.messages", () -> sources.store().messages());
    gauge("grapevine.store.authors", () -> sources.store().authors());
    gauge("grapevine.store.blobs", () -> sources.store().blobs());
    gauge("grapevine.store.blob.bytes", () -> sources.store().blobBytes());
    gauge("grapevine.store.file.bytes", sources::storeFileBytes);
    FunctionTimer.builder(
            "grapevine.store.commit",
            sources,
            s -> s.commits().commits(),
            s -> s.commits().totalNanos(),
            TimeUnit.NANOSECONDS)
        .description("SQLite COMMITs (the WAL sync) and the time spent in them")
        .register(registry);
    gauge("grapevine.store.commit.max.seconds", () -> sources.commits().maxNanos() / 1e9);
  }

  private void transport() {
    counter("grapevine.transport.bytes", x -> sources.transport().bytesIn(), "direction", "in");
    counter("grapevine.transport.bytes", x -> sources.transport().bytesOut(), "direction", "out");
    counter("grapevine.transport.upgrades.refused", x -> sources.transport().refusedUpgrades());
    gauge(
        "grapevine.transport.links",
        () -> sources.transport().inboundLinks(),
        "direction",
        "inbound");
    gauge(
        "grapevine.transport.links",
        () -> sources.transport().outboundLinks(),
        "direction",
        "outbound");
  }

  private void events() {
    counter("grapevine.events.published", x -> sources.events().published());
    counter("grapevine.events.dropped", x -> sources.events().dropped(), "reason", "bus_full");
    counter(
        "grapevine.events.dropped", x -> sources.eventApi().dropped(), "reason", "slow_consumer");
    counter("grapevine.events.slow.consumer.closes", x -> sources.eventApi().slowConsumerCloses());
    counter("grapevine.events.auth.failures", x -> sources.eventApi().authFailures());
    counter("grapevine.rate.limited", x -> sources.eventApi().rateLimited(), "surface", "ws");
    counter("grapevine.events.rate.limit.closes", x -> sources.eventApi().rateLimitCloses());
    counter(
        "grapevine.rate.limited",
        x -> sources.apiRefusals().getOrDefault(ApiAuth.Refusal.RATE_LIMIT, 0L),
        "surface",
        "api");
    for (ApiAuth.Refusal r : ApiAuth.Refusal.values()) {
      counter(
          "grapevine.api.refusals",
          x -> sources.apiRefusals().getOrDefault(r, 0L),
          "reason",
          r.name().toLowerCase(Locale.ROOT));
    }
    counter("grapevine.events.bytes", x -> sources.eventApi().bytesIn(), "direction", "in");
    counter("grapevine.events.bytes", x -> sources.eventApi().bytesOut(), "direction", "out");
    for (String type : EVENT_MESSAGES_IN) {
      counter(
          "grapevine.events.messages",
          x -> sources.eventApi().messagesIn().getOrDefault(type, 0L),
          "direction",
          "in",
          "type",
          type);
    }
    for (String type : EVENT_MESSAGES_OUT) {
      counter(
          "grapevine.events.messages",
          x -> sources.eventApi().messagesOut().getOrDefault(type, 0L),
          "direction",
          "out",
          "type",
          type);
    }
    for (Topic t : Topic.values()) {
      gauge(
          "grapevine.events.subscriptions",
          () -> sources.eventApi().subscriptions().getOrDefault(t.wireName(), 0),
          "topic",
          t.wireName());
    }
  }

  private void queues() {
    gauge("grapevine.queue.depth", () -> sources.sync().pendingFrames(), "queue", "verify");
    gauge("grapevine.queue.depth", () -> sources.sync().missingHashes(), "queue", "gossip");
    gauge("grapevine.queue.depth", () -> sources.sync().pendingRequests(), "queue", "requests");
    gauge(
        "grapevine.queue.depth", () -> sources.sync().unclaimedBlobs(), "queue", "unclaimed_blobs");
    gauge("grapevine.queue.depth", () -> sources.store().queued(), "queue", "store_writes");
    gauge("grapevine.queue.depth", () -> sources.events().queued(), "queue", "event_bus");
    gauge("grapevine.queue.depth", () -> sources.eventApi().queued(), "queue", "event_clients");
    gauge("grapevine.queue.depth", sources::httpQueue, "queue", "http_reads");
  }

  private void gauge(String name, java.util.function.Supplier<Number> value, String... tags) {
    Gauge.builder(name, value).tags(tags).strongReference(true).register(registry);
  }

  private void counter(String name, ToDoubleFunction<Sources> value, String... tags) {
    FunctionCounter.builder(name, sources, value).tags(tags).register(registry);
  }
}
