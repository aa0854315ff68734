package dev.grapevine;

import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.api.ApiConfig;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.conn.ConnConfig;
import dev.grapevine.dashboard.DashboardConfig;
import dev.grapevine.events.EventsConfig;
import dev.grapevine.http.ApdsLimits;
import dev.grapevine.mesh.MeshConfig;
import dev.grapevine.store.StoreConfig;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.transport.TransportConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable, validated configuration of a {@link Node}. Build one with {@link #builder()}, derive
 * variants with {@link #toBuilder()}.
 *
 * @param dataDir where the key pair and the store live (default {@code ~/.grapevine})
 * @param ephemeral keep everything in memory: an in-memory store and, unless {@code keyPair} is
 *     given, a fresh identity that is never written to disk
 * @param keyPair an explicit identity; when empty the node loads or creates {@code dataDir/keypair}
 * @param store store limits and batching
 * @param transport the listening address, frame limits, keepalive and timeouts
 * @param sync the ANProto frame protocol: gossip retries, limits, reconnect backoff
 * @param http limits of the APDS HTTP routes
 * @param conn the connection manager: scheduler autostart, firewall, LAN discovery
 * @param mesh the mesh on {@code /mesh}: network id, seeds, peers, timers, sync batches
 * @param events the event bus and the event API ({@code /ws}): limits, timeouts, system metrics
 * @param api who may use {@code /ws}, {@code /api/...} and {@code /metrics}: tokens, origins, rate
 * @param connect pubs to connect to on start (kept connected, with backoff)
 * @param follows authors announced to pubs on connect; empty means every author in the store
 * @param clock the clock for signed timestamps (inject a fixed or manual clock in tests)
 * @param scheduler the timers' scheduler; when empty the node runs its own on the system clock
 * @param dashboard limits of the dashboard's routes ({@code POST /api/publish}, the snapshot)
 */
public record NodeConfig(
    Path dataDir,
    boolean ephemeral,
    Optional<KeyPair> keyPair,
    StoreConfig store,
    TransportConfig transport,
    SyncConfig sync,
    ApdsLimits http,
    ConnConfig conn,
    MeshConfig mesh,
    EventsConfig events,
    ApiConfig api,
    List<URI> connect,
    List<PublicKey> follows,
    Clock clock,
    Optional<Scheduler> scheduler,
    DashboardConfig dashboard) {

  /** The name of the SQLite database file inside the data directory. */
  public static final String STORE_FILE = "grapevine.db";

  /** Validates the configuration. */
  public NodeConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(keyPair, "keyPair");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(sync, "sync");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(conn, "conn");
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(dashboard, "dashboard");
    connect = List.copyOf(connect);
    follows = List.copyOf(follows);
    for (URI uri : connect) {
      String scheme = uri.getScheme();
      if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
        throw new IllegalArgumentException(
            "Expected a ws:// or wss:// URL to connect to but was " + uri);
      }
    }
  }

  /** The default data directory: {@code $GRAPEVINE_DATA_DIR} if set, else {@code ~/.grapevine}. */
  public static Path defaultDataDir() {
    String env = System.getenv("GRAPEVINE_DATA_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".grapevine");
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.dataDir = dataDir;
    b.ephemeral = ephemeral;
    b.keyPair = keyPair.orElse(null);
    b.store = store;
    b.transport = transport;
    b.sync = sync;
    b.http = http;
    b.conn = conn;
    b.mesh = mesh;
    b.events = events;
    b.api = api;
    b.connect = new ArrayList<>(connect);
    b.follows = new ArrayList<>(follows);
    b.clock = clock;
    b.scheduler = scheduler.orElse(null);
    b.dashboard = dashboard;
    return b;
  }

  /** Builds a {@link NodeConfig}; not thread-safe. */
  public static final class Builder {
    private Path dataDir;
    private boolean ephemeral;
    private KeyPair keyPair;
    private StoreConfig store = StoreConfig.DEFAULT;
    private TransportConfig transport = TransportConfig.DEFAULT;
    private SyncConfig sync = SyncConfig.DEFAULT;
    private ApdsLimits http = ApdsLimits.DEFAULT;
    private ConnConfig conn = ConnConfig.DEFAULT;
    private MeshConfig mesh = MeshConfig.DEFAULT;
    private EventsConfig events = EventsConfig.DEFAULT;
    private ApiConfig api = ApiConfig.DEFAULT;
    private List<URI> connect = new ArrayList<>();
    private List<PublicKey> follows = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Scheduler scheduler;
    private DashboardConfig dashboard = DashboardConfig.DEFAULT;

    private Builder() {}

    /** Sets the data directory. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Keeps the store (and a generated identity) in memory only. */
    public Builder ephemeral(boolean ephemeral) {
      this.ephemeral = ephemeral;
      return this;
    }

    /** Uses this identity instead of the data directory's key pair. */
    public Builder keyPair(KeyPair keyPair) {
      this.keyPair = keyPair;
      return this;
    }

    /** Sets the store limits. */
    public Builder store(StoreConfig store) {
      this.store = store;
      return this;
    }

    /** Sets the transport settings (address, limits, keepalive). */
    public Builder transport(TransportConfig transport) {
      this.transport = transport;
      return this;
    }

    /** Sets the listening port (0 picks a free one); shorthand for the transport setting. */
    public Builder port(int port) {
      this.transport = transport.toBuilder().port(port).build();
      return this;
    }

    /** Sets the ANProto protocol settings. */
    public Builder sync(SyncConfig sync) {
      this.sync = sync;
      return this;
    }

    /** Sets the HTTP route limits. */
    public Builder http(ApdsLimits http) {
      this.http = http;
      return this;
    }

    /** Sets the connection manager's settings. */
    public Builder conn(ConnConfig conn) {
      this.conn = conn;
      return this;
    }

    /** Sets the mesh's settings. */
    public Builder mesh(MeshConfig mesh) {
      this.mesh = mesh;
      return this;
    }

    /** Sets the event bus and event API settings. */
    public Builder events(EventsConfig events) {
      this.events = events;
      return this;
    }

    /** Sets the access rules of {@code /ws}, {@code /api/...} and {@code /metrics}. */
    public Builder api(ApiConfig api) {
      this.api = api;
      return this;
    }

    /** Adds a pub to connect to on start. */
    public Builder connect(URI pub) {
      this.connect.add(pub);
      return this;
    }

    /** Sets the authors announced to pubs on connect (empty: every author in the store). */
    public Builder follows(List<PublicKey> follows) {
      this.follows = new ArrayList<>(follows);
      return this;
    }

    /** Sets the clock for signed timestamps. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Runs the node's timers on {@code scheduler} (owned by the caller; the node does not close
     * it).
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** Sets the dashboard's limits. */
    public Builder dashboard(DashboardConfig dashboard) {
      this.dashboard = dashboard;
      return this;
    }

    /** Validates and builds the configuration. */
    public NodeConfig build() {
      return new NodeConfig(
          dataDir != null ? dataDir : defaultDataDir(),
          ephemeral,
          Optional.ofNullable(keyPair),
          store,
          transport,
          sync,
          http,
          conn,
          mesh,
          events,
          api,
          connect,
          follows,
          clock,
          Optional.ofNullable(scheduler),
          dashboard);
    }

    /** Builds the configuration and starts a node with it. */
    public Node start() throws java.io.IOException {
      return Node.start(build());
    }
  }
}
