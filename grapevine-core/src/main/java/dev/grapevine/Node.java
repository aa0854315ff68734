package dev.grapevine;

import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyCache;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.api.ApiAuth;
import dev.grapevine.api.StatusRoute;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.conn.Conn;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.ConnRoutes;
import dev.grapevine.conn.hub.ConnDialer;
import dev.grapevine.dashboard.Dashboard;
import dev.grapevine.events.AlertLevel;
import dev.grapevine.events.EventApi;
import dev.grapevine.events.EventApiStats;
import dev.grapevine.events.EventBusStats;
import dev.grapevine.events.EventType;
import dev.grapevine.events.LinkEvents;
import dev.grapevine.events.NodeEvents;
import dev.grapevine.events.SyncEvents;
import dev.grapevine.events.SystemMonitor;
import dev.grapevine.http.ApdsRoutes;
import dev.grapevine.http.RouteTable;
import dev.grapevine.identity.NodeIdentity;
import dev.grapevine.mesh.Mesh;
import dev.grapevine.mesh.MeshConfig;
import dev.grapevine.mesh.MeshListener;
import dev.grapevine.mesh.MeshPeer;
import dev.grapevine.metrics.NodeMetrics;
import dev.grapevine.store.CommitStats;
import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import dev.grapevine.store.StoreException;
import dev.grapevine.store.StoreStats;
import dev.grapevine.sync.AnprotoSync;
import dev.grapevine.sync.PubClient;
import dev.grapevine.sync.SyncListener;
import dev.grapevine.sync.SyncStats;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.HttpResponse;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.LinkSettings;
import dev.grapevine.transport.PeerLink;
import dev.grapevine.transport.Transport;
import dev.grapevine.transport.TransportStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Grapevine node: an identity, a store of signed messages, a server that speaks the ANProto frame
 * protocol and the APDS HTTP routes on one port, and a client that keeps connections to other pubs.
 * On the same port it serves its event API ({@code /ws}, see {@link #events()}), the operations
 * routes ({@code /ws/health|metrics|status}, {@code /metrics}, {@code /api/status}) behind the
 * access rules of {@link #apiAuth()}. Start one with {@link #builder()} or {@link
 * #start(NodeConfig)}; close it to release its threads, sockets and files.
 *
 * <p>Thread-safe. {@link #close()} is idempotent: peers get a close frame (1001), queued writes
 * commit, then threads stop; after it store operations fail with a {@link
 * dev.grapevine.store.StoreException} whose reason is {@code CLOSED}.
 */
public final class Node implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final NodeConfig config;
  private final KeyPair keyPair;
  private final MessageStore store;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;
  private final ThreadPoolExecutor httpReads;
  private final AnprotoSync sync;
  private final Transport transport;
  private final PubClient pubs;
  private final Conn conn;
  private final Mesh mesh;
  private final NodeEvents events;
  private final SyncEvents syncEvents;
  private final LinkEvents anprotoLinks;
  private final ApiAuth apiAuth;
  private final EventApi eventApi;
  private final NodeMetrics metrics;
  private final SystemMonitor monitor;
  private final Dashboard dashboard;
  private final List<SyncListener> listeners = new CopyOnWriteArrayList<>();
  private final ReentrantLock publishLock = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();

  private Node(NodeConfig config, KeyPair keyPair, MessageStore store) {
    this.config = config;
    this.keyPair = keyPair;
    this.store = store;
    int n = INSTANCES.incrementAndGet();
    this.ownsScheduler = config.scheduler().isEmpty();
    this.scheduler = config.scheduler().orElseGet(() -> Scheduler.system("grapevine-timer-" + n));
    this.httpReads =
        boundedPool(
            "grapevine-http-" + n, Math.max(2, Runtime.getRuntime().availableProcessors()), 1_000);
    this.events = NodeEvents.start(config.events(), scheduler.clock(), "grapevine-events-" + n);
    this.syncEvents = new SyncEvents(events, keyPair.publicKey());
    listeners.add(syncEvents);
    this.anprotoLinks = new LinkEvents(events, "anproto");
    this.apiAuth = ApiAuth.create(config.api(), scheduler.clock(), this::accessRefused);
    this.eventApi =
        EventApi.builder()
            .bus(events)
            .auth(apiAuth)
            .scheduler(scheduler)
            .version(Version.get())
            .checks(this::healthChecks)
            .build();
    this.metrics = NodeMetrics.create(new MetricSources(), anprotoLinks);
    AnprotoSync s = null;
    Transport t = null;
    Conn c = null;
    Mesh m = null;
    Dashboard d = null;
    try {
      s =
          AnprotoSync.builder(store, scheduler)
              .config(config.sync())
              .listener(new Fanout(listeners))
              .keyCache(KeyCache.create(config.mesh().decodedKeys()))
              .build();
      ApdsRoutes routes =
          ApdsRoutes.builder()
              .store(store)
              .gossip(s::handleHttpFrame)
              .executor(httpReads)
              .clock(config.clock())
              .limits(config.http())
              .build();
      RouteTable.Builder http = RouteTable.builder(routes);
      Map<String, LinkHandler> surfaces = new LinkedHashMap<>();
      DeferredDialer dialer = new DeferredDialer();
      boolean meshOn = config.mesh().enabled();
      // With the mesh on, the hub's links speak the mesh, which handles their frames itself.
      LinkHandler hubSurface = meshOn ? IGNORE_FRAMES : s;
      Conn.Builder cb =
          Conn.builder(keyPair.publicKey(), dialer, hubSurface, scheduler).config(config.conn());
      if (!config.ephemeral()) {
        cb.dataDir(config.dataDir());
      }
      c = cb.build();
      if (meshOn) {
        m =
            Mesh.builder(keyPair, store, scheduler)
                .config(config.mesh())
                .sync(s)
                .conn(c)
                .dialer(dialer::dialUri)
                .listenUrl(this::baseUrl)
                .linkSettings(LinkSettings.of(config.transport()))
                .build();
        surfaces.put(Mesh.PATH, m.surface());
        listeners.add(m.listener());
        m.addListener(new MeshEvents(events, m));
        c.pinger(m::ping);
      }
      Mesh meshRef = m;
      ConnRoutes connRoutes =
          new ConnRoutes(
              c,
              config.transport().connectTimeout().plus(config.transport().handshakeTimeout()),
              key -> meshStatus(meshRef, key));
      http.exact("/api/peers", apiAuth.wrap(connRoutes))
          .prefix("/api/conn/", apiAuth.wrap(connRoutes));
      if (config.events().enabled()) {
        surfaces.put(EventApi.PATH, eventApi.surface());
        http.prefix("/ws/", eventApi.routes());
      }
      http.exact("/metrics", apiAuth.wrap(metrics.route()));
      http.exact(
          "/api/status",
          apiAuth.wrap(
              new StatusRoute(
                  keyPair.publicKey(),
                  Version.get(),
                  scheduler.clock(),
                  store::stats,
                  anprotoLinks::open)));
      http.prefix(
          "/api/",
          apiAuth.wrap(
              request ->
                  CompletableFuture.completedFuture(
                      HttpResponse.json(404, "{\"error\":\"not_found\"}"))));
      AnprotoSync syncRef = s;
      d =
          Dashboard.builder()
              .config(config.dashboard())
              .node(keyPair.publicKey(), store, s, c)
              .urls(() -> List.of(url(), httpUrl()))
              .dataDir(config.ephemeral() ? null : config.dataDir())
              .publisher(this::publish)
              .traffic(
                  link ->
                      syncRef
                          .traffic(link)
                          .or(() -> meshRef == null ? Optional.empty() : meshRef.traffic(link)))
              .reads(httpReads)
              .clock(config.clock())
              .build();
      d.routes(http, apiAuth::wrap);
      listeners.add(d.ingest());
      t = Transport.start(config.transport(), anprotoLinks.observe(s), surfaces, http.build());
      dialer.setTransport(t);
      if (meshOn) {
        Mesh meshDialer = m;
        dialer.set(meshDialer::dial);
      } else {
        dialer.set(ConnDialer.of(t));
      }
    } catch (RuntimeException e) {
      closeQuietly(d);
      closeQuietly(m);
      closeQuietly(c);
      closeQuietly(s);
      closeQuietly(events);
      closeQuietly(metrics);
      httpReads.shutdownNow();
      if (ownsScheduler) {
        scheduler.close();
      }
      throw e;
    }
    this.sync = s;
    this.transport = t;
    this.conn = c;
    this.mesh = m;
    this.dashboard = d;
    Transport transportDialer = t;
    PubClient.Builder pb =
        PubClient.builder(
            sync, (uri, handler) -> transportDialer.dial(uri, anprotoLinks.observe(handler)));
    if (!config.follows().isEmpty()) {
      pb.follows(config.follows());
    }
    this.pubs = pb.build();
    this.monitor =
        SystemMonitor.start(
            events,
            scheduler,
            config.dataDir(),
            new SystemMonitor.Probe() {
              @Override
              public StoreStats store() {
                return storeStats();
              }

              @Override
              public CommitStats commits() {
                return store.commitStats();
              }

              @Override
              public SyncStats sync() {
                return sync.stats();
              }

              @Override
              public TransportStats transport() {
                return transport.stats();
              }
            });
  }

  /** A configuration builder whose {@code start()} starts a node. */
  public static NodeConfig.Builder builder() {
    return NodeConfig.builder();
  }

  /**
   * Starts a node: loads or creates its identity, opens its store, binds its port and connects to
   * the configured pubs (in the background).
   *
   * @throws IOException if the data directory cannot be read or written
   * @throws java.io.UncheckedIOException if the port cannot be bound
   */
  public static Node start(NodeConfig config) throws IOException {
    KeyPair keys;
    if (config.keyPair().isPresent()) {
      keys = config.keyPair().get();
    } else if (config.ephemeral()) {
      keys = KeyPair.generate();
    } else {
      keys = NodeIdentity.loadOrCreate(config.dataDir());
    }
    MessageStore store =
        config.ephemeral()
            ? MessageStore.inMemory(config.store())
            : MessageStore.sqlite(config.dataDir().resolve(NodeConfig.STORE_FILE), config.store());
    Node node;
    try {
      node = new Node(config, keys, store);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    if (config.conn().lanDiscovery()) {
      try {
        node.conn.startLan(node.lanAddress());
      } catch (IOException | RuntimeException e) {
        node.close();
        throw e;
      }
    }
    if (node.mesh != null) {
      node.mesh.start();
    }
    if (config.conn().autostart()) {
      node.conn.start();
    }
    for (URI pub : config.connect()) {
      node.connect(pub);
    }
    log.info("Node {} listening on {}", keys.publicKey(), node.url());
    return node;
  }

  /** The configuration this node was started with. */
  public NodeConfig config() {
    return config;
  }

  /** This node's public key, which is also its author id. */
  public PublicKey publicKey() {
    return keyPair.publicKey();
  }

  /** The node's store. */
  public MessageStore store() {
    return store;
  }

  /**
   * The node's event bus: publish events with it ({@code events().publish(...)}, {@code
   * events().peerConnected(...)}) and listen to every event ({@code events().addListener(...)}).
   */
  public NodeEvents events() {
    return events;
  }

  /** The event API ({@code /ws}) and its counters. */
  public EventApi eventApi() {
    return eventApi;
  }

  /**
   * The access rules of the node's operator routes: wrap a handler of your own with {@code
   * apiAuth().wrap(handler)} to give it the same tokens, origins, CORS and rate limit.
   */
  public ApiAuth apiAuth() {
    return apiAuth;
  }

  /** The node's metrics registry (served at {@code GET /metrics}). */
  public NodeMetrics metrics() {
    return metrics;
  }

  /** The ANProto protocol (statistics, open links, gossip queue). */
  public AnprotoSync sync() {
    return sync;
  }

  /** The connection manager: the peer database, live connections, staging and the scheduler. */
  public Conn conn() {
    return conn;
  }

  /**
   * The mesh on {@code /mesh}: its peers, {@code broadcast}, {@code sendTo}, handlers of
   * application messages, feed sync and catch-up.
   *
   * @throws IllegalStateException if the mesh is disabled ({@link MeshConfig#enabled()})
   */
  public Mesh mesh() {
    if (mesh == null) {
      throw new IllegalStateException("The mesh is disabled in this node's configuration");
    }
    return mesh;
  }

  /** The WebSocket URL of this node's mesh, for example {@code ws://127.0.0.1:9000/mesh}. */
  public URI meshUrl() {
    return URI.create(baseUrl() + Mesh.PATH);
  }

  /**
   * This node's address for the connection manager and its peers: {@code ws://host:port~shs:<key>}.
   */
  public ConnAddress address() {
    return ConnAddress.of(baseUrl(), keyPair.publicKey());
  }

  private URI baseUrl() {
    return URI.create("ws://" + hostForUrl() + ":" + localAddress().getPort());
  }

  private static ConnRoutes.PeerStatus meshStatus(Mesh mesh, PublicKey key) {
    if (mesh == null) {
      return null;
    }
    return mesh.peer(key)
        .map(
            p ->
                new ConnRoutes.PeerStatus(
                    p.chainHeight(),
                    p.lastSeen(),
                    p.address().map(URI::toString).orElse(null),
                    p.orgId(),
                    p.nodeId(),
                    p.rttMillis()))
        .orElse(null);
  }

  /** The address the server is bound to (the real port when the configuration asked for 0). */
  public InetSocketAddress localAddress() {
    return transport.localAddress();
  }

  /**
   * Bytes of frames queued for peers and not yet written to the network, over every link (see
   * {@link Transport#queuedBytes()}); bounded by twice the transport's {@code maxOutboundBytes} per
   * link.
   */
  public long queuedOutboundBytes() {
    return transport.queuedBytes();
  }

  /**
   * The most bytes any one link of this node has had queued for its peer at once (see {@link
   * Transport#peakQueuedBytes()}).
   */
  public long peakQueuedOutboundBytes() {
    return transport.peakQueuedBytes();
  }

  /** The WebSocket URL of this node's ANProto surface, for example {@code ws://127.0.0.1:9000/}. */
  public URI url() {
    return URI.create("ws://" + hostForUrl() + ":" + localAddress().getPort() + "/");
  }

  /** The base URL of this node's HTTP routes, for example {@code http://127.0.0.1:9000/}. */
  public URI httpUrl() {
    return URI.create("http://" + hostForUrl() + ":" + localAddress().getPort() + "/");
  }

  /**
   * Keeps a connection to the pub at {@code url} from now on, reconnecting with backoff. A second
   * call with the same URL returns the same connection. Returns at once.
   */
  public PubClient.Connection connect(URI url) {
    return pubs.connect(url);
  }

  /** Stops keeping {@code url} connected; returns false if it was not. */
  public boolean disconnect(URI url) {
    return pubs.disconnect(url);
  }

  /** The pubs this node keeps connected. */
  public List<PubClient.Connection> connections() {
    return pubs.connections();
  }

  /**
   * A future that completes when at least one pub connection is open; renewed (incomplete again)
   * when all have closed.
   */
  public CompletableFuture<Void> ready() {
    return pubs.ready();
  }

  /** Sends {@code frame} to every open link, inbound and outbound; returns how many took it. */
  public int broadcast(String frame) {
    return sync.broadcast(frame);
  }

  /**
   * Registers a listener for stored, relayed and rejected messages. Close the returned handle to
   * remove it. Listener methods run on the protocol's worker threads and must return quickly.
   */
  public AutoCloseable addListener(SyncListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Publishes {@code body} with no extra front matter; see {@link #publish(String, Map)}. */
  public VerifiedMessage publish(String body) {
    return publish(body, Map.of());
  }

  /**
   * Composes, signs, stores and sends a post by this node, as the reference's {@code apds.compose}
   * does: the front matter is {@code meta} followed by {@code previous}, the msgHash of this node's
   * latest message, if there is one. The signed timestamp is the clock's time, or one millisecond
   * after the previous message's if the clock is behind it, so an author's posts stay in order.
   * Returns after the message and its content are durably stored and handed to every open link.
   *
   * <p>Publishes are serialised so that each one's {@code previous} is the one before it.
   *
   * @throws IllegalArgumentException if the composed content is exactly 44 characters, which the
   *     ANProto wire cannot carry (it would be read as a request)
   */
  public VerifiedMessage publish(String body, Map<String, String> meta) {
    publishLock.lock();
    try {
      Map<String, String> front = new LinkedHashMap<>(meta);
      Optional<LogEntry> latest = store.getLatest(keyPair.publicKey());
      latest.ifPresent(e -> front.put("previous", e.hash().value()));
      long ts = config.clock().millis();
      if (latest.isPresent()) {
        ts = Math.max(ts, latest.get().opened().timestampMillis() + 1);
      }
      Content content = Content.compose(body, front);
      if (content.text().length() == Hash.LENGTH) {
        throw new IllegalArgumentException(
            "Expected content of any length but 44 characters (a 44-character frame is a request"
                + " on the ANProto wire); add a character or some front matter");
      }
      VerifiedMessage message = AnProto.sign(content.hash(), ts, keyPair);
      sync.publish(message, content.text()).join();
      return message;
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw e;
    } finally {
      publishLock.unlock();
    }
  }

  /**
   * Closes the node: disconnects from pubs, sends close frames (1001) to every peer, stops the
   * protocol, waits for queued writes to commit and closes the store. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(monitor);
    closeQuietly(eventApi);
    closeQuietly(pubs);
    closeQuietly(conn);
    closeQuietly(mesh);
    closeQuietly(transport);
    closeQuietly(dashboard);
    closeQuietly(sync);
    closeQuietly(events);
    httpReads.shutdown();
    try {
      if (!httpReads.awaitTermination(10, TimeUnit.SECONDS)) {
        httpReads.shutdownNow();
      }
    } catch (InterruptedException e) {
      httpReads.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (ownsScheduler) {
      closeQuietly(scheduler);
    }
    closeQuietly(store);
    closeQuietly(metrics);
  }

  private StoreStats storeStats() {
    try {
      return store.stats();
    } catch (StoreException e) {
      return new StoreStats(0, 0, 0, 0, 0);
    }
  }

  private Map<String, Boolean> healthChecks() {
    boolean storeOpen;
    try {
      store.stats();
      storeOpen = true;
    } catch (StoreException e) {
      storeOpen = false;
    }
    return Map.of("store", storeOpen, "network", !closed.get());
  }

  /** A refused request or upgrade on an operator surface becomes a security alert. */
  private void accessRefused(ApiAuth.Refusal why, String address, String detail) {
    String kind = why.name().toLowerCase(Locale.ROOT);
    events.alert(
        EventType.SECURITY_ALERT,
        AlertLevel.WARNING,
        "api." + kind,
        apiAuth.refusals().getOrDefault(why, 0L),
        0,
        "Refused (" + kind + ") from " + address + ": " + detail);
  }

  /** What {@link NodeMetrics} reads; every call is a cheap snapshot. */
  private final class MetricSources implements NodeMetrics.Sources {
    @Override
    public SyncStats sync() {
      return sync.stats();
    }

    @Override
    public long gossipRounds() {
      return sync.gossip().rounds();
    }

    @Override
    public Map<SyncListener.Rejection, Long> rejections() {
      return syncEvents.rejections();
    }

    @Override
    public StoreStats store() {
      return storeStats();
    }

    @Override
    public CommitStats commits() {
      return store.commitStats();
    }

    @Override
    public long storeFileBytes() {
      if (config.ephemeral()) {
        return 0;
      }
      Path db = config.dataDir().resolve(NodeConfig.STORE_FILE);
      long bytes = 0;
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        try {
          bytes += Files.size(Path.of(db + suffix));
        } catch (IOException e) {
          // The WAL and shared-memory files come and go.
        }
      }
      return bytes;
    }

    @Override
    public TransportStats transport() {
      return transport.stats();
    }

    @Override
    public EventBusStats events() {
      return events.stats();
    }

    @Override
    public EventApiStats eventApi() {
      return eventApi.stats();
    }

    @Override
    public Map<ApiAuth.Refusal, Long> apiRefusals() {
      return apiAuth.refusals();
    }

    @Override
    public int httpQueue() {
      return httpReads.getQueue().size();
    }
  }

  /**
   * This node's address as LAN peers should dial it: the bound address, or, when bound to every
   * interface, the first site-local IPv4 address of an interface that is up.
   */
  private ConnAddress lanAddress() throws IOException {
    InetSocketAddress bound = localAddress();
    java.net.InetAddress host = bound.getAddress();
    if (host.isAnyLocalAddress()) {
      host =
          java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
              .filter(Node::isUp)
              .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
              .filter(a -> a instanceof java.net.Inet4Address && a.isSiteLocalAddress())
              .findFirst()
              .orElse(java.net.InetAddress.getLoopbackAddress());
    }
    return new ConnAddress(false, host.getHostAddress(), bound.getPort(), keyPair.publicKey());
  }

  private static boolean isUp(java.net.NetworkInterface i) {
    try {
      return i.isUp() && !i.isLoopback();
    } catch (java.net.SocketException e) {
      return false;
    }
  }

  private String hostForUrl() {
    InetSocketAddress a = localAddress();
    String host =
        a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static ThreadPoolExecutor boundedPool(String name, int threads, int queue) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(queue),
            r -> {
              Thread t = new Thread(r, name + "-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.warn("Error while closing {}", c, e);
    }
  }

  /** Hands each event to every registered listener; one failing listener does not stop others. */
  private static final class Fanout implements SyncListener {
    private final List<SyncListener> listeners;

    Fanout(List<SyncListener> listeners) {
      this.listeners = listeners;
    }

    private void each(java.util.function.Consumer<SyncListener> call) {
      for (SyncListener l : new ArrayList<>(listeners)) {
        try {
          call.accept(l);
        } catch (RuntimeException e) {
          log.warn("Listener {} failed", l, e);
        }
      }
    }

    @Override
    public void messageStored(VerifiedMessage message, String origin) {
      each(l -> l.messageStored(message, origin));
    }

    @Override
    public void messageRelayed(VerifiedMessage message, int links) {
      each(l -> l.messageRelayed(message, links));
    }

    @Override
    public void blobStored(Hash hash, int chars, String origin) {
      each(l -> l.blobStored(hash, chars, origin));
    }

    @Override
    public void blobRelayed(Hash hash, int links) {
      each(l -> l.blobRelayed(hash, links));
    }

    @Override
    public void rejected(Rejection reason, String origin, String detail) {
      each(l -> l.rejected(reason, origin, detail));
    }

    @Override
    public void requestServed(Hash key, String origin, int frames) {
      each(l -> l.requestServed(key, origin, frames));
    }
  }

  /** The hub's surface when the mesh handles the frames of the hub's links. */
  private static final LinkHandler IGNORE_FRAMES =
      new LinkHandler() {
        @Override
        public void onOpen(PeerLink link) {}

        @Override
        public void onFrame(PeerLink link, String text) {}

        @Override
        public void onClose(PeerLink link, CloseReason reason, String detail) {}
      };

  /** Publishes mesh peers joining and leaving on the event bus ({@code peer_network}). */
  private static final class MeshEvents implements MeshListener {
    private final NodeEvents events;
    private final Mesh mesh;

    MeshEvents(NodeEvents events, Mesh mesh) {
      this.events = events;
      this.mesh = mesh;
    }

    @Override
    public void peerConnected(MeshPeer peer) {
      events.peerConnected(peer.nodeId(), peer.address().orElse(null), "mesh", peer.isInbound());
      topology("mesh peer " + peer.nodeId() + " connected");
    }

    @Override
    public void peerDisconnected(MeshPeer peer, String reason) {
      events.peerDisconnected(
          peer.nodeId(), peer.address().orElse(null), "mesh", reason, 1000, reason);
      topology("mesh peer " + peer.nodeId() + " disconnected: " + reason);
    }

    private void topology(String detail) {
      events.topologyChanged(mesh.peers().stream().map(MeshPeer::nodeId).toList(), detail);
    }
  }

  /**
   * The connection hub is built before the transport it dials with (the transport needs the hub's
   * routes); this dialer forwards to the transport once it exists.
   */
  private static final class DeferredDialer implements ConnDialer {
    private volatile ConnDialer target;
    private volatile Transport transport;

    void set(ConnDialer value) {
      target = value;
    }

    void setTransport(Transport value) {
      transport = value;
    }

    CompletableFuture<PeerLink> dialUri(URI uri, LinkHandler handler) {
      Transport t = transport;
      if (t == null) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("The node is still starting"));
      }
      return t.dial(uri, handler);
    }

    @Override
    public CompletableFuture<PeerLink> dial(ConnAddress address, LinkHandler handler) {
      ConnDialer t = target;
      if (t == null) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("The node is still starting"));
      }
      return t.dial(address, handler);
    }
  }
}
