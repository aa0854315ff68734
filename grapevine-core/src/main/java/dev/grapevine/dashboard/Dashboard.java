package dev.grapevine.dashboard;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.conn.Conn;
import dev.grapevine.http.RouteTable;
import dev.grapevine.store.MessageStore;
import dev.grapevine.sync.AnprotoSync;
import dev.grapevine.sync.SyncListener;
import dev.grapevine.transport.HttpHandler;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A node's dashboard: the page at {@code GET /} with its files under {@code /dashboard/}, {@code
 * GET /api/dashboard} (a snapshot of the node: identity, URLs, uptime, store counts, protocol
 * counters, the gossip queue's missing hashes, the ingest-rate history and per-connection traffic)
 * and {@code POST /api/publish {text, name?}} → {@code {hash, contentHash, timestamp}}. Build one
 * with {@link #builder()}, add its routes with {@link #routes}, register {@link #ingest()} as a
 * sync listener, and close it with the node.
 *
 * <p><b>Threads.</b> The routes answer on the I/O thread except the snapshot (on the read executor
 * given to the builder) and publishes, which run one at a time on the dashboard's own publish
 * thread ({@code grapevine-publish-N}) behind a bounded queue. {@link #close()} stops taking
 * publishes and waits up to 10 s for the queued ones. Thread-safe.
 */
public final class Dashboard implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /** Publishes a post as the node: see {@code Node.publish(String, Map)}. May block. */
  @FunctionalInterface
  public interface Publisher {
    /** Composes, signs, stores and sends a post; returns once it is stored. */
    VerifiedMessage publish(String text, Map<String, String> meta);
  }

  final DashboardConfig config;
  final PublicKey publicKey;
  final MessageStore store;
  final AnprotoSync sync;
  final java.util.function.Function<
          dev.grapevine.transport.PeerLink, java.util.Optional<dev.grapevine.sync.LinkTraffic>>
      traffic;
  final Conn conn;
  final Supplier<List<URI>> urls;
  final Path dataDir;
  final Publisher publisher;
  final Executor reads;
  final Clock clock;

  private final IngestHistory ingest;
  private final ThreadPoolExecutor publishes;
  private final Assets assets;
  private final NodeApi api;

  private Dashboard(Builder b) {
    this.config = b.config;
    this.publicKey = Objects.requireNonNull(b.publicKey, "publicKey");
    this.store = Objects.requireNonNull(b.store, "store");
    this.sync = Objects.requireNonNull(b.sync, "sync");
    this.traffic = b.traffic != null ? b.traffic : b.sync::traffic;
    this.conn = Objects.requireNonNull(b.conn, "conn");
    this.urls = Objects.requireNonNull(b.urls, "urls");
    this.dataDir = b.dataDir;
    this.publisher = Objects.requireNonNull(b.publisher, "publisher");
    this.reads = Objects.requireNonNull(b.reads, "reads");
    this.clock = b.clock;
    this.assets = new Assets();
    this.ingest = new IngestHistory(clock, config.ingestBucket(), config.ingestBuckets());
    String name = "grapevine-publish-" + INSTANCES.incrementAndGet();
    this.publishes =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(config.publishQueue()),
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    publishes.allowCoreThreadTimeOut(true);
    this.api = new NodeApi(this, ingest, publishes);
  }

  /** A builder; every part but the configuration, the data directory and the clock is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds the dashboard's routes to {@code http}: {@code /} and the prefix {@code /dashboard/} (the
   * page), {@code /api/dashboard} and {@code /api/publish}.
   *
   * @return {@code http}
   */
  public RouteTable.Builder routes(RouteTable.Builder http) {
    return routes(http, UnaryOperator.identity());
  }

  /**
   * Adds the page's routes to {@code http}, the API routes ({@code /api/dashboard}, {@code
   * /api/publish}) wrapped by {@code guard} (the node's token and origin checks); the page and its
   * files stay public, since the page loads before it has a token.
   */
  public RouteTable.Builder routes(RouteTable.Builder http, UnaryOperator<HttpHandler> guard) {
    HttpHandler guarded = guard.apply(api);
    return http.exact("/", assets)
        .prefix(Assets.PREFIX, assets)
        .exact(NodeApi.SNAPSHOT, guarded)
        .exact(NodeApi.PUBLISH, guarded);
  }

  /** The listener that counts stored messages for the ingest-rate history; add it to the sync. */
  public SyncListener ingest() {
    return ingest;
  }

  /** Stops taking publishes and waits up to 10 s for the queued ones. Idempotent. */
  @Override
  public void close() {
    publishes.shutdown();
    try {
      if (!publishes.awaitTermination(10, TimeUnit.SECONDS)) {
        publishes.shutdownNow();
      }
    } catch (InterruptedException e) {
      publishes.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Builds a {@link Dashboard}; not thread-safe. */
  public static final class Builder {
    private DashboardConfig config = DashboardConfig.DEFAULT;
    private PublicKey publicKey;
    private MessageStore store;
    private AnprotoSync sync;
    private java.util.function.Function<
            dev.grapevine.transport.PeerLink, java.util.Optional<dev.grapevine.sync.LinkTraffic>>
        traffic;
    private Conn conn;
    private Supplier<List<URI>> urls;
    private Path dataDir;
    private Publisher publisher;
    private Executor reads;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The limits (default {@link DashboardConfig#DEFAULT}). */
    public Builder config(DashboardConfig value) {
      this.config = Objects.requireNonNull(value, "config");
      return this;
    }

    /** The node's parts the snapshot reads. */
    public Builder node(PublicKey publicKey, MessageStore store, AnprotoSync sync, Conn conn) {
      this.publicKey = publicKey;
      this.store = store;
      this.sync = sync;
      this.conn = conn;
      return this;
    }

    /**
     * Frame counts of a connection-manager link; default the ANProto protocol's. The node adds the
     * mesh's for mesh links.
     */
    public Builder traffic(
        java.util.function.Function<
                dev.grapevine.transport.PeerLink,
                java.util.Optional<dev.grapevine.sync.LinkTraffic>>
            value) {
      this.traffic = value;
      return this;
    }

    /**
     * The node's URLs as clients should use them; asked on every snapshot (the port is known only
     * once the server is bound).
     */
    public Builder urls(Supplier<List<URI>> value) {
      this.urls = value;
      return this;
    }

    /** Where the node keeps its files; null (the default) for an ephemeral node. */
    public Builder dataDir(Path value) {
      this.dataDir = value;
      return this;
    }

    /** What {@code POST /api/publish} calls, on the publish thread. */
    public Builder publisher(Publisher value) {
      this.publisher = value;
      return this;
    }

    /** Runs the snapshots (which may read the store); must be bounded. */
    public Builder reads(Executor value) {
      this.reads = value;
      return this;
    }

    /** The clock of uptime and the ingest history (default the system clock). */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /** Builds the dashboard, reading its files from the jar. */
    public Dashboard build() {
      return new Dashboard(this);
    }
  }
}
