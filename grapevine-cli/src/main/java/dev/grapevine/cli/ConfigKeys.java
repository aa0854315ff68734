package dev.grapevine.cli;

import dev.grapevine.NodeConfig;
import dev.grapevine.api.ApiConfig;
import dev.grapevine.conn.ConnConfig;
import dev.grapevine.conn.firewall.FirewallConfig;
import dev.grapevine.conn.scheduler.SchedulerConfig;
import dev.grapevine.events.EventsConfig;
import dev.grapevine.mesh.MeshConfig;
import dev.grapevine.store.StoreConfig;
import dev.grapevine.transport.TransportConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * Every configuration key: its type, default, environment variables, YAML aliases and where it goes
 * in {@link NodeConfig}. The README's configuration table lists the same keys.
 */
final class ConfigKeys {
  private ConfigKeys() {}

  /** How a key's text or YAML value is read. */
  enum Kind {
    INT,
    INT_OR_ZERO,
    PORT,
    BOOL,
    STRING,
    PATH,
    DURATION,
    DURATION_OR_ZERO,
    RATIO,
    LIST,
    URI_LIST
  }

  /** The builders a loaded configuration is applied to. */
  static final class Builders {
    final NodeConfig.Builder node = NodeConfig.builder();
    final TransportConfig.Builder transport = TransportConfig.builder();
    final EventsConfig.Builder events = EventsConfig.builder();
    final ApiConfig.Builder api = ApiConfig.builder();
    final ConnConfig.Builder conn = ConnConfig.builder();
    final SchedulerConfig.Builder scheduler = SchedulerConfig.builder();
    final FirewallConfig.Builder firewall = FirewallConfig.builder();
    final MeshConfig.Builder mesh = MeshConfig.builder();
    final StoreConfig.Builder store = StoreConfig.builder();
    Path tlsCertificate;
    Path tlsKey;
  }

  /**
   * One key.
   *
   * @param name dotted name, as in YAML and {@code --set}
   * @param kind its type
   * @param defaultValue the value when no source sets it
   * @param env environment variables that set it, strongest first
   * @param aliases other YAML names for it (PeerVault's)
   * @param secret whether {@code config print} hides its value
   * @param apply puts a parsed value into the builders
   */
  record Key(
      String name,
      Kind kind,
      Object defaultValue,
      List<String> env,
      List<String> aliases,
      boolean secret,
      BiConsumer<Builders, Object> apply) {}

  private static final TransportConfig T = TransportConfig.DEFAULT;
  private static final EventsConfig E = EventsConfig.DEFAULT;
  private static final ApiConfig A = ApiConfig.DEFAULT;
  private static final ConnConfig C = ConnConfig.DEFAULT;
  private static final StoreConfig S = StoreConfig.DEFAULT;

  /** Every key, in the order {@code config print} shows them. */
  static final List<Key> ALL = build();

  static Key find(String name) {
    for (Key k : ALL) {
      if (k.name().equals(name) || k.aliases().contains(name)) {
        return k;
      }
    }
    return null;
  }

  /** {@code GRAPEVINE_} and the key in upper case, dots as underscores. */
  static String envName(String key) {
    return "GRAPEVINE_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  @SuppressWarnings("unchecked")
  private static List<Key> build() {
    Adder add = new Adder();
    add.key(
        "data_dir",
        Kind.PATH,
        Path.of(System.getProperty("user.home"), ".grapevine"),
        (b, v) -> b.node.dataDir((Path) v));
    add.key("ephemeral", Kind.BOOL, false, (b, v) -> b.node.ephemeral((Boolean) v));
    add.key(
        "connect", Kind.URI_LIST, List.of(), (b, v) -> ((List<URI>) v).forEach(b.node::connect));
    add.key("server.host", Kind.STRING, T.bindHost(), (b, v) -> b.transport.bindHost((String) v))
        .env("PEERVAULT_WS_HOST")
        .alias("websocket.host");
    add.key("server.port", Kind.PORT, T.port(), (b, v) -> b.transport.port((Integer) v))
        .env("PEERVAULT_WS_PORT")
        .alias("websocket.port");
    add.key(
        "server.max_connections",
        Kind.INT,
        T.maxConnections(),
        (b, v) -> b.transport.maxConnections((Integer) v));
    add.key(
        "server.max_frame_bytes",
        Kind.INT,
        T.maxFrameBytes(),
        (b, v) -> b.transport.maxFrameBytes((Integer) v));
    add.key(
        "server.max_http_body_bytes",
        Kind.INT,
        T.maxHttpBodyBytes(),
        (b, v) -> b.transport.maxHttpBodyBytes((Integer) v));
    add.key(
        "server.ping_interval",
        Kind.DURATION,
        T.pingInterval(),
        (b, v) -> b.transport.pingInterval((Duration) v));
    add.key(
        "server.idle_timeout",
        Kind.DURATION,
        T.idleTimeout(),
        (b, v) -> b.transport.idleTimeout((Duration) v));
    add.key(
        "server.max_outbound_bytes",
        Kind.INT,
        T.maxOutboundBytes(),
        (b, v) -> b.transport.maxOutboundBytes((Integer) v));
    add.key(
        "server.slow_consumer_timeout",
        Kind.DURATION,
        T.slowConsumerTimeout(),
        (b, v) -> b.transport.slowConsumerTimeout((Duration) v));
    add.key(
        "server.io_threads", Kind.INT, T.ioThreads(), (b, v) -> b.transport.ioThreads((Integer) v));
    add.key("server.tls.certificate", Kind.PATH, null, (b, v) -> b.tlsCertificate = (Path) v);
    add.key("server.tls.private_key", Kind.PATH, null, (b, v) -> b.tlsKey = (Path) v);
    add.key("websocket.enabled", Kind.BOOL, E.enabled(), (b, v) -> b.events.enabled((Boolean) v));
    add.key("websocket.cors.enabled", Kind.BOOL, A.cors(), (b, v) -> b.api.cors((Boolean) v));
    add.key(
            "websocket.cors.origins",
            Kind.LIST,
            A.allowedOrigins(),
            (b, v) -> b.api.allowedOrigins((List<String>) v))
        .env("PEERVAULT_WS_CORS_ORIGINS");
    add.key(
            "websocket.timeouts.read",
            Kind.DURATION,
            E.readTimeout(),
            (b, v) -> b.events.readTimeout((Duration) v))
        .env("PEERVAULT_WS_READ_TIMEOUT");
    add.key(
            "websocket.timeouts.write",
            Kind.DURATION,
            E.writeTimeout(),
            (b, v) -> b.events.writeTimeout((Duration) v))
        .env("PEERVAULT_WS_WRITE_TIMEOUT");
    add.key(
            "websocket.timeouts.ping_period",
            Kind.DURATION,
            E.pingPeriod(),
            (b, v) -> b.events.pingPeriod((Duration) v))
        .env("PEERVAULT_WS_PING_PERIOD");
    add.key(
            "websocket.timeouts.pong_wait",
            Kind.DURATION,
            E.pongWait(),
            (b, v) -> b.events.pongWait((Duration) v))
        .env("PEERVAULT_WS_PONG_WAIT");
    add.key(
        "websocket.limits.max_connections",
        Kind.INT,
        E.maxConnections(),
        (b, v) -> b.events.maxConnections((Integer) v));
    add.key(
        "websocket.limits.max_connections_per_ip",
        Kind.INT,
        E.maxConnectionsPerIp(),
        (b, v) -> b.events.maxConnectionsPerIp((Integer) v));
    add.key(
        "websocket.limits.max_message_size",
        Kind.INT,
        E.maxMessageBytes(),
        (b, v) -> b.events.maxMessageBytes((Integer) v));
    add.key(
        "websocket.limits.messages_per_second",
        Kind.INT,
        E.messagesPerSecond(),
        (b, v) -> b.events.messagesPerSecond((Integer) v));
    add.key(
        "websocket.limits.queue_size",
        Kind.INT,
        E.queueSize(),
        (b, v) -> b.events.queueSize((Integer) v));
    add.key(
        "websocket.limits.max_outbound_bytes",
        Kind.INT,
        E.maxOutboundBytes(),
        (b, v) -> b.events.maxOutboundBytes((Integer) v));
    add.key(
        "websocket.bus_capacity",
        Kind.INT,
        E.busCapacity(),
        (b, v) -> b.events.busCapacity((Integer) v));
    add.key(
        "websocket.system_metrics_interval",
        Kind.DURATION_OR_ZERO,
        E.systemMetricsInterval(),
        (b, v) -> b.events.systemMetricsInterval((Duration) v));
    add.key(
        "websocket.alert_interval",
        Kind.DURATION_OR_ZERO,
        E.alertInterval(),
        (b, v) -> b.events.alertInterval((Duration) v));
    add.key(
        "websocket.storage_alert_free_ratio",
        Kind.RATIO,
        E.storageAlertFreeRatio(),
        (b, v) -> b.events.storageAlertFreeRatio((Double) v));
    add.key("auth.tokens", Kind.LIST, A.tokens(), (b, v) -> b.api.tokens((List<String>) v))
        .secret();
    add.key(
        "api.requests_per_second",
        Kind.INT,
        A.requestsPerSecond(),
        (b, v) -> b.api.requestsPerSecond((Integer) v));
    add.key(
        "api.max_tracked_addresses",
        Kind.INT,
        A.maxTrackedAddresses(),
        (b, v) -> b.api.maxTrackedAddresses((Integer) v));
    add.key("conn.autostart", Kind.BOOL, C.autostart(), (b, v) -> b.conn.autostart((Boolean) v));
    add.key(
        "conn.lan_discovery",
        Kind.BOOL,
        C.lanDiscovery(),
        (b, v) -> b.conn.lanDiscovery((Boolean) v));
    add.key(
        "conn.role",
        Kind.STRING,
        "pub",
        (b, v) -> b.scheduler.role(enumValue(SchedulerConfig.Role.class, "conn.role", v)));
    add.key(
        "conn.strategy",
        Kind.STRING,
        C.scheduler().strategy().name().toLowerCase(Locale.ROOT),
        (b, v) ->
            b.scheduler.strategy(enumValue(SchedulerConfig.Strategy.class, "conn.strategy", v)));
    add.key(
        "conn.peer_quota",
        Kind.INT,
        C.scheduler().peerQuota(),
        (b, v) -> b.scheduler.peerQuota((Integer) v));
    add.key(
        "conn.room_quota",
        Kind.INT,
        C.scheduler().roomQuota(),
        (b, v) -> b.scheduler.roomQuota((Integer) v));
    add.key(
        "conn.firewall.reject_blocked",
        Kind.BOOL,
        C.firewall().rejectBlocked(),
        (b, v) -> b.firewall.rejectBlocked((Boolean) v));
    add.key(
        "conn.firewall.reject_unknown",
        Kind.BOOL,
        C.firewall().rejectUnknown(),
        (b, v) -> b.firewall.rejectUnknown((Boolean) v));
    MeshConfig M = MeshConfig.DEFAULT;
    add.key("mesh.enabled", Kind.BOOL, M.enabled(), (b, v) -> b.mesh.enabled((Boolean) v));
    add.key("mesh.org_id", Kind.STRING, M.orgId(), (b, v) -> b.mesh.orgId((String) v));
    add.key(
        "mesh.peers",
        Kind.URI_LIST,
        List.of(),
        (b, v) -> {
          @SuppressWarnings("unchecked")
          List<URI> seeds = (List<URI>) v;
          b.mesh.seeds(seeds);
        });
    add.key(
        "mesh.advertised_url",
        Kind.STRING,
        "",
        (b, v) -> b.mesh.advertisedUrl(((String) v).isEmpty() ? null : URI.create((String) v)));
    add.key("mesh.max_peers", Kind.INT, M.maxPeers(), (b, v) -> b.mesh.maxPeers((Integer) v));
    add.key(
        "mesh.ping_interval",
        Kind.DURATION,
        M.pingInterval(),
        (b, v) -> b.mesh.pingInterval((java.time.Duration) v));
    add.key(
        "mesh.ping_timeout",
        Kind.DURATION,
        M.pingTimeout(),
        (b, v) -> b.mesh.pingTimeout((java.time.Duration) v));
    add.key(
        "mesh.handshake_timeout",
        Kind.DURATION,
        M.handshakeTimeout(),
        (b, v) -> b.mesh.handshakeTimeout((java.time.Duration) v));
    add.key("mesh.sync_batch", Kind.INT, M.syncBatch(), (b, v) -> b.mesh.syncBatch((Integer) v));
    add.key(
        "mesh.sync_timeout",
        Kind.DURATION,
        M.syncTimeout(),
        (b, v) -> b.mesh.syncTimeout((java.time.Duration) v));
    add.key(
        "mesh.catch_up_interval",
        Kind.DURATION,
        M.catchUpInterval(),
        (b, v) -> b.mesh.catchUpInterval((java.time.Duration) v));
    add.key(
        "mesh.max_frame_bytes",
        Kind.INT,
        M.maxFrameBytes(),
        (b, v) -> b.mesh.maxFrameBytes((Integer) v));
    add.key(
        "mesh.frames_per_second",
        Kind.INT,
        M.framesPerSecond(),
        (b, v) -> b.mesh.framesPerSecond((Integer) v));
    add.key(
        "mesh.decoded_keys", Kind.INT, M.decodedKeys(), (b, v) -> b.mesh.decodedKeys((Integer) v));
    add.key(
        "store.commit_window",
        Kind.DURATION_OR_ZERO,
        S.commitWindow(),
        (b, v) -> b.store.commitWindow((Duration) v));
    add.key(
        "store.commit_window_min_writes",
        Kind.INT,
        S.commitWindowMinWrites(),
        (b, v) -> b.store.commitWindowMinWrites((Integer) v));
    add.key(
        "store.recent_keys",
        Kind.INT_OR_ZERO,
        S.recentKeys(),
        (b, v) -> b.store.recentKeys((Integer) v));
    add.key(
        "store.read_mmap_bytes",
        Kind.INT_OR_ZERO,
        S.readMapBytes(),
        (b, v) -> b.store.readMapBytes((Integer) v));
    add.key(
        "store.idle_checkpoint",
        Kind.DURATION_OR_ZERO,
        S.idleCheckpoint(),
        (b, v) -> b.store.idleCheckpoint((Duration) v));
    return add.drafts.stream().map(Draft::key).toList();
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String key, Object value) {
    try {
      return Enum.valueOf(type, ((String) value).trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> names = new ArrayList<>();
      for (E c : type.getEnumConstants()) {
        names.add(c.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException(
          "Expected " + key + " to be one of " + names + " but was " + value, e);
    }
  }

  /** Collects keys with their optional parts, in order. */
  private static final class Adder {
    private final List<Draft> drafts = new ArrayList<>();

    Draft key(String name, Kind kind, Object def, BiConsumer<Builders, Object> apply) {
      Draft d = new Draft(name, kind, def, apply);
      drafts.add(d);
      return d;
    }
  }

  private static final class Draft {
    private final String name;
    private final Kind kind;
    private final Object def;
    private final BiConsumer<Builders, Object> apply;
    private final List<String> env = new ArrayList<>();
    private final List<String> aliases = new ArrayList<>();
    private boolean secret;

    Draft(String name, Kind kind, Object def, BiConsumer<Builders, Object> apply) {
      this.name = name;
      this.kind = kind;
      this.def = def;
      this.apply = apply;
      env.add(envName(name));
    }

    Draft env(String name) {
      env.add(name);
      return this;
    }

    Draft alias(String name) {
      aliases.add(name);
      return this;
    }

    Draft secret() {
      secret = true;
      return this;
    }

    Key key() {
      return new Key(name, kind, def, List.copyOf(env), List.copyOf(aliases), secret, apply);
    }
  }
}
