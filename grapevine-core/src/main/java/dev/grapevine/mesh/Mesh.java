package dev.grapevine.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyCache;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.conn.Conn;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.mesh.MeshPayload.Carried;
import dev.grapevine.mesh.MeshProtocolException.Reason;
import dev.grapevine.mesh.reconcile.Fingerprint;
import dev.grapevine.mesh.reconcile.MessageStoreIndex;
import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import dev.grapevine.sync.AnprotoSync;
import dev.grapevine.sync.SyncListener;
import dev.grapevine.transport.Admission;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Dialer;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.LinkSettings;
import dev.grapevine.transport.PeerLink;
import dev.grapevine.transport.TransportConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in the mesh on {@code /mesh}: the handshake, peer discovery, pings, feed sync,
 * whole-store catch-up by set reconciliation and live propagation of new messages. The connection
 * manager ({@link Conn}) owns the links: it dials through {@link #dial} and admits the peers that
 * dial us; the mesh speaks the protocol on them. Messages that arrive here are stored and relayed
 * through the ANProto protocol ({@link AnprotoSync}), and messages stored there are propagated here
 * ({@link #listener()}), so both surfaces share one store.
 *
 * <p><b>Threads.</b> Thread-safe. Frames are handled on their link's I/O thread; signature checks
 * and store reads run on a bounded pool of {@code grapevine-mesh-N} threads; timers run on the
 * node's scheduler. Listeners and handlers are called without locks held. See CONCURRENCY.md.
 *
 * <p><b>Lifecycle.</b> Build with {@link #builder}, register {@link #surface()} with the transport,
 * {@link #start()} once the transport is listening, and close to stop the timers and the pool (the
 * transport closes the links).
 */
public final class Mesh implements AutoCloseable {
  /** The WebSocket path of the mesh. */
  public static final String PATH = "/mesh";

  /** The envelope version this node speaks. */
  public static final int PROTOCOL_VERSION = 1;

  /** The origin name listeners of the ANProto protocol see for messages that came by the mesh. */
  public static final String ORIGIN = "mesh";

  private static final Logger log = LoggerFactory.getLogger(Mesh.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final MeshConfig config;
  private final KeyPair keys;
  private final String nodeId;
  private final String publicKeyHex;
  private final MessageStore store;
  private final Scheduler scheduler;
  private final AnprotoSync sync;
  private final Conn conn;
  private final Dialer dialer;
  private final Supplier<URI> listenUrl;
  private final LinkSettings linkSettings;
  private final MessageStoreIndex index;
  private final MeshCounters counters = new MeshCounters();
  private final ThreadPoolExecutor workers;
  private final Map<PeerLink, MeshSession> inbound = new ConcurrentHashMap<>();
  private final Map<String, MeshSession> peers = new LinkedHashMap<>(); // guarded by this
  private final List<MeshListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, MeshHandler> handlers = new ConcurrentHashMap<>();
  private final Seen seen;
  private final Propagation propagation;
  private final CatchUp catchUp;
  private final FeedSync feedSync;

  /** Decoded keys of the authors whose messages arrive, shared with the ANProto surface. */
  private final KeyCache keyCache;

  /** Contents asked for by hash after their message came without one; bounded. */
  private final Seen wantedBlobs = new Seen(10_000);

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Scheduler.Cancellable> timers = new CopyOnWriteArrayList<>();
  private final Map<URI, Scheduler.Cancellable> joinRetries = new ConcurrentHashMap<>();
  private volatile Scheduler.Cancellable peerListTimer;

  private Mesh(Builder b) {
    this.config = b.config;
    this.keys = b.keys;
    this.nodeId = Handshakes.nodeId(keys.publicKey());
    this.publicKeyHex = Handshakes.hex(keys.publicKey());
    this.store = b.store;
    this.scheduler = b.scheduler;
    this.sync = Objects.requireNonNull(b.sync, "sync");
    this.conn = Objects.requireNonNull(b.conn, "conn");
    this.dialer = Objects.requireNonNull(b.dialer, "dialer");
    this.listenUrl = Objects.requireNonNull(b.listenUrl, "listenUrl");
    LinkSettings base = Objects.requireNonNull(b.linkSettings, "linkSettings");
    this.linkSettings =
        new LinkSettings(
            config.maxFrameBytes(),
            base.pingInterval(),
            base.idleTimeout(),
            Math.max(
                base.maxOutboundBytes(),
                Math.min(2 * config.maxFrameBytes(), TransportConfig.MAX_OUTBOUND_BYTES_LIMIT)),
            base.slowConsumerTimeout());
    this.index = b.index != null ? b.index : MessageStoreIndex.load(store);
    this.seen = new Seen(config.seenCapacity());
    this.keyCache = sync.keyCache();
    int n = INSTANCES.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            config.verifyThreads(),
            config.verifyThreads(),
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(4_096),
            r -> {
              Thread t = new Thread(r, "grapevine-mesh-" + n + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    workers.allowCoreThreadTimeOut(true);
    this.propagation = new Propagation(this);
    this.catchUp = new CatchUp(this);
    this.feedSync = new FeedSync(this);
  }

  /** A builder of a mesh for the node with {@code keys} and {@code store}. */
  public static Builder builder(KeyPair keys, MessageStore store, Scheduler scheduler) {
    return new Builder(keys, store, scheduler);
  }

  // ---------------------------------------------------------------- surfaces

  /** The handler of {@code /mesh} upgrades, to register with the transport. */
  public LinkHandler surface() {
    return new InboundSurface();
  }

  /**
   * Dials the mesh of the node at {@code address} ({@code ws://host:port/mesh}) for the connection
   * manager. The future completes with the link once the handshake is done (after {@code
   * handler.onOpen}), and fails with a {@link MeshRefusedException} if the peer refused or did not
   * prove {@code address}'s key. Cancelling it closes the link.
   */
  public CompletableFuture<PeerLink> dial(ConnAddress address, LinkHandler handler) {
    CompletableFuture<PeerLink> result = new CompletableFuture<>();
    if (closed.get()) {
      result.completeExceptionally(new IllegalStateException("The mesh is closed"));
      return result;
    }
    if (address.key().equals(keys.publicKey())) {
      result.completeExceptionally(
          new MeshRefusedException(Handshakes.SELF, "That address is this node's own key"));
      return result;
    }
    AtomicBoolean cancelled = new AtomicBoolean();
    CompletableFuture<PeerLink> link =
        dialer.dial(
            Addresses.mesh(address.uri()),
            new OutboundSurface(address.key(), handler, result, null));
    link.whenComplete(
        (l, err) -> {
          if (err != null) {
            result.completeExceptionally(err);
          } else if (cancelled.get()) {
            l.close(CloseReason.NORMAL, "the dial was cancelled");
          }
        });
    result.whenComplete(
        (l, err) -> {
          if (result.isCancelled()) {
            cancelled.set(true);
            link.cancel(false);
            link.thenAccept(open -> open.close(CloseReason.NORMAL, "the dial was cancelled"));
          }
        });
    return result;
  }

  /**
   * Joins the mesh through {@code seed}, a mesh URL whose key is not known yet: dials it, learns
   * and checks its key by the handshake, closes that link, remembers the address with the key in
   * the connection manager ({@code source: "seed"}) and connects to it there. Retries with
   * MiniLedger's backoff (1 s × 1.5ⁿ, at most 30 s, plus up to 20 % jitter) until the key is known,
   * the node closes, or the seed is this node itself.
   */
  public void join(URI seed) {
    join(seed, 0);
  }

  private void join(URI seed, int attempt) {
    if (closed.get()) {
      return;
    }
    CompletableFuture<PublicKey> key = new CompletableFuture<>();
    dialer
        .dial(Addresses.mesh(seed), new OutboundSurface(null, null, null, key))
        .whenComplete(
            (l, err) -> {
              if (err != null) {
                key.completeExceptionally(err);
              }
            });
    key.whenComplete(
        (k, err) -> {
          if (err == null) {
            ConnAddress a = ConnAddress.of(Addresses.base(seed), k);
            if (!conn.db().has(a.toString())) {
              conn.remember(a, Map.of("source", "seed"));
            }
            conn.connect(a);
            return;
          }
          Throwable cause =
              err instanceof java.util.concurrent.CompletionException ? err.getCause() : err;
          if (cause instanceof MeshRefusedException r && r.permanent()) {
            log.warn("Not joining the mesh through {}: {}", seed, r.getMessage());
            return;
          }
          Duration delay =
              Backoff.delay(attempt + 1, java.util.concurrent.ThreadLocalRandom.current());
          log.debug("Joining through {} failed ({}); again in {}", seed, cause, delay);
          joinRetries.put(seed, scheduler.schedule(() -> join(seed, attempt + 1), delay));
        });
  }

  /** Starts the timers (pings, announcements) and joins through the configured seeds. */
  public void start() {
    if (!started.compareAndSet(false, true) || closed.get()) {
      return;
    }
    timers.add(scheduler.scheduleAtFixedRate(this::pingAll, config.pingInterval()));
    timers.add(scheduler.scheduleAtFixedRate(propagation::flush, config.haveInterval()));
    timers.add(scheduler.scheduleAtFixedRate(catchUp::tick, config.catchUpInterval()));
    for (URI seed : config.seeds()) {
      join(seed);
    }
  }

  // ---------------------------------------------------------------- public API

  /** This node's nodeId: the first 16 hex characters of its public key. */
  public String nodeId() {
    return nodeId;
  }

  /** The settings. */
  public MeshConfig config() {
    return config;
  }

  /** The connected peers now, in the order they connected. */
  public synchronized List<MeshPeer> peers() {
    List<MeshPeer> out = new ArrayList<>(peers.size());
    for (MeshSession s : peers.values()) {
      out.add(s.snapshot());
    }
    return out;
  }

  /** The connected peer with {@code nodeId}, if there is one. */
  public synchronized Optional<MeshPeer> peer(String nodeId) {
    return Optional.ofNullable(peers.get(nodeId)).map(MeshSession::snapshot);
  }

  /** The connected peer with {@code key}, if there is one. */
  public Optional<MeshPeer> peer(PublicKey key) {
    return peer(Handshakes.nodeId(key)).filter(p -> p.publicKey().equals(key));
  }

  /**
   * Sends an application message of {@code type} to every connected peer (MiniLedger's {@code
   * broadcast}); returns how many links took it. Fire-and-forget.
   *
   * @throws IllegalArgumentException if {@code type} is one of the protocol's own
   */
  public int broadcast(String type, JsonNode payload) {
    String frame = applicationFrame(type, payload);
    int n = 0;
    for (MeshSession s : openSessions()) {
      if (s.send(frame)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Sends an application message of {@code type} to the connected peer {@code nodeId}; false if
   * there is no such peer or its link did not take the frame.
   *
   * @throws IllegalArgumentException if {@code type} is one of the protocol's own
   */
  public boolean sendTo(String nodeId, String type, JsonNode payload) {
    String frame = applicationFrame(type, payload);
    MeshSession s;
    synchronized (this) {
      s = peers.get(nodeId);
    }
    return s != null && s.send(frame);
  }

  /**
   * Registers {@code handler} for the application message {@code type} (MiniLedger's router); close
   * the returned handle to remove it. One handler per type.
   *
   * @throws IllegalArgumentException if {@code type} is one of the protocol's own or taken
   */
  public AutoCloseable on(String type, MeshHandler handler) {
    checkApplicationType(type);
    Objects.requireNonNull(handler, "handler");
    if (handlers.putIfAbsent(type, handler) != null) {
      throw new IllegalArgumentException("A handler for " + type + " is already registered");
    }
    return () -> handlers.remove(type, handler);
  }

  /** Adds a listener of {@code peer:connected} and {@code peer:disconnected}. */
  public AutoCloseable addListener(MeshListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }

  /**
   * Fetches {@code author}'s messages from the peers in batches of {@link MeshConfig#syncBatch()}
   * (MiniLedger's block sync): the peer with the most messages first; a peer that does not answer
   * within {@link MeshConfig#syncTimeout()}, or whose batch brings nothing new, is left for the
   * next one. Completes with the number of new messages stored.
   */
  public CompletableFuture<Integer> syncFeed(PublicKey author) {
    return feedSync.sync(author);
  }

  /**
   * Reconciles the whole store with the connected peer {@code nodeId} now; completes with the
   * number of messages this node was missing, once they have been requested.
   */
  public CompletableFuture<Integer> catchUp(String nodeId) {
    MeshSession s;
    synchronized (this) {
      s = peers.get(nodeId);
    }
    if (s == null) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("No connected mesh peer " + nodeId));
    }
    return catchUp.start(s);
  }

  /**
   * The listener to register with the ANProto protocol: every message it stores that did not come
   * by the mesh is propagated on the mesh, with its content once that has arrived.
   */
  public SyncListener listener() {
    return propagation.syncListener();
  }

  /** The counters. */
  public MeshStats stats() {
    int n;
    synchronized (this) {
      n = peers.size();
    }
    return counters.snapshot(n);
  }

  /**
   * Pings the connected peer with {@code key} now; completes with the round trip (also recorded in
   * its {@code conn.json} ping statistics), or fails if it is not connected or does not answer
   * within {@link MeshConfig#pingTimeout()}.
   */
  public CompletableFuture<Duration> ping(PublicKey key) {
    MeshSession s;
    synchronized (this) {
      s = peers.get(Handshakes.nodeId(key));
    }
    if (s == null || !key.equals(s.key())) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("No connected mesh peer with key " + key));
    }
    return s.pingNow();
  }

  /** Frames received and sent on {@code link}, if it is one of the mesh's. */
  public Optional<dev.grapevine.sync.LinkTraffic> traffic(PeerLink link) {
    return link instanceof MeshSession s ? Optional.of(s.traffic()) : Optional.empty();
  }

  /** The index of the store's messages used for reconciliation. */
  public MessageStoreIndex index() {
    return index;
  }

  /** Stops the timers and the pool; the transport closes the links. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Scheduler.Cancellable t : timers) {
      t.cancel();
    }
    for (Scheduler.Cancellable t : joinRetries.values()) {
      t.cancel();
    }
    Scheduler.Cancellable p = peerListTimer;
    if (p != null) {
      p.cancel();
    }
    propagation.close();
    feedSync.close();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- sessions

  boolean sessionOpened(MeshSession s) {
    List<MeshPeer> snapshot;
    String refusal = null;
    synchronized (this) {
      MeshSession other = peers.get(s.nodeId());
      if (other != null && other != s) {
        refusal = Handshakes.DUPLICATE;
      } else if (other == null && peers.size() >= config.maxPeers()) {
        refusal = Handshakes.FULL;
      } else if (s.state() != MeshSession.State.OPEN) {
        // The link closed while the handshake finished: it is not a peer.
        return false;
      } else {
        peers.put(s.nodeId(), s);
      }
      snapshot = refusal == null ? List.of(s.snapshot()) : null;
    }
    if (refusal != null) {
      s.refuse(
          refusal,
          refusal.equals(Handshakes.FULL)
              ? "This node has its peers"
              : "Already connected to " + s.nodeId());
      return false;
    }
    log.debug("mesh peer {} connected ({})", s.nodeId(), s.direction());
    for (MeshListener l : listeners) {
      try {
        l.peerConnected(snapshot.get(0));
      } catch (RuntimeException e) {
        log.warn("Mesh listener {} failed", l, e);
      }
    }
    propagation.peerOpened(s);
    if (s.direction() == Direction.OUTBOUND) {
      sendPeerList(s);
      catchUp.start(s);
    }
    peerSetChanged();
    return true;
  }

  void sessionClosed(MeshSession s, CloseReason reason, String detail) {
    boolean removed;
    synchronized (this) {
      removed = peers.remove(s.nodeId(), s);
    }
    propagation.peerClosed(s);
    catchUp.peerClosed(s);
    feedSync.peerClosed(s);
    if (!removed) {
      return;
    }
    log.debug("mesh peer {} disconnected: {} {}", s.nodeId(), reason, detail);
    MeshPeer snapshot = s.snapshot();
    String why = detail == null || detail.isEmpty() ? reason.name() : detail;
    for (MeshListener l : listeners) {
      try {
        l.peerDisconnected(snapshot, why);
      } catch (RuntimeException e) {
        log.warn("Mesh listener {} failed", l, e);
      }
    }
    peerSetChanged();
  }

  CompletableFuture<Boolean> admit(MeshSession s) {
    String ip = s.remote() == null ? "" : String.valueOf(s.remote().getHost());
    return conn.admitInbound(s, s.key(), ip);
  }

  void inboundClosed(MeshSession s, CloseReason reason, String detail) {
    conn.inboundClosed(s, reason, detail);
  }

  synchronized boolean isConnected(PublicKey key) {
    MeshSession s = peers.get(Handshakes.nodeId(key));
    return s != null && key.equals(s.key());
  }

  synchronized boolean isFull() {
    return peers.size() >= config.maxPeers();
  }

  synchronized List<MeshSession> openSessions() {
    return new ArrayList<>(peers.values());
  }

  // ---------------------------------------------------------------- frames of open sessions

  void handle(MeshSession s, MeshEnvelope e) throws MeshProtocolException {
    switch (e.type()) {
      case MeshTypes.PEER_LIST:
        discovered(s, MeshCodec.payload(e, MeshPayload.PeerList.class));
        return;
      case MeshTypes.PING:
        {
          MeshPayload.Ping ping = MeshCodec.payload(e, MeshPayload.Ping.class);
          s.pinged(ping);
          s.send(new MeshPayload.Pong(chainHeight(), ping.seq(), summary()));
          catchUp.summaryHeard(s);
          return;
        }
      case MeshTypes.PONG:
        {
          double rtt = s.ponged(MeshCodec.payload(e, MeshPayload.Pong.class));
          if (rtt >= 0) {
            conn.pinged(s.key(), rtt);
          }
          catchUp.summaryHeard(s);
          return;
        }
      case MeshTypes.SYNC_REQUEST:
        feedSync.serve(s, MeshCodec.payload(e, MeshPayload.SyncRequest.class));
        return;
      case MeshTypes.SYNC_RESPONSE:
        feedSync.response(s, MeshCodec.payload(e, MeshPayload.SyncResponse.class));
        return;
      case MeshTypes.RECONCILE:
        catchUp.receive(s, MeshCodec.payload(e, MeshPayload.Reconcile.class));
        return;
      case MeshTypes.HAVE:
        propagation.have(s, MeshCodec.payload(e, MeshPayload.Have.class).ids());
        return;
      case MeshTypes.WANT:
        catchUp.serveWant(s, MeshCodec.payload(e, MeshPayload.Want.class));
        return;
      case MeshTypes.MESSAGES:
        catchUp.messages(s, MeshCodec.payload(e, MeshPayload.Messages.class));
        return;
      case MeshTypes.MESSAGE:
        {
          MeshPayload.Message m = MeshCodec.payload(e, MeshPayload.Message.class);
          propagation.pushed(s, new Carried(m.message(), m.content()));
          return;
        }
      case MeshTypes.PRUNE:
        propagation.pruned(s);
        return;
      case MeshTypes.GRAFT:
        propagation.grafted(s, MeshCodec.payload(e, MeshPayload.Graft.class).ids());
        return;
      case MeshTypes.ERROR:
        log.debug("mesh peer {} answered with an error: {}", s.nodeId(), e.payload());
        return;
      case MeshTypes.HANDSHAKE:
      case MeshTypes.HANDSHAKE_ACK:
        throw new MeshProtocolException(
            Reason.INVALID_PAYLOAD, "The handshake with this peer is already done");
      default:
        MeshHandler h = handlers.get(e.type());
        if (h == null) {
          throw new MeshProtocolException(
              Reason.UNKNOWN_TYPE, "No handler for message type " + e.type());
        }
        try {
          h.handle(s.snapshot(), e);
        } catch (Exception ex) {
          log.warn("Handler of {} failed", e.type(), ex);
          throw new MeshProtocolException(
              Reason.INVALID_PAYLOAD, "The handler of " + e.type() + " failed: " + ex.getMessage());
        }
    }
  }

  // ---------------------------------------------------------------- discovery

  void sendPeerList(MeshSession to) {
    List<MeshPayload.PeerEntry> entries = new ArrayList<>();
    for (MeshSession s : openSessions()) {
      if (s == to || s.address() == null || entries.size() >= config.maxPeerList()) {
        continue;
      }
      entries.add(
          new MeshPayload.PeerEntry(
              s.nodeId(), Handshakes.hex(s.key()), s.address().toString(), config.orgId()));
    }
    to.send(new MeshPayload.PeerList(entries));
  }

  private void peerSetChanged() {
    if (closed.get()) {
      return;
    }
    Scheduler.Cancellable old = peerListTimer;
    if (old != null) {
      old.cancel();
    }
    peerListTimer =
        scheduler.schedule(
            () -> {
              for (MeshSession s : openSessions()) {
                sendPeerList(s);
              }
            },
            Duration.ofMillis(500));
  }

  private void discovered(MeshSession from, MeshPayload.PeerList list) {
    if (list.peers() == null) {
      return;
    }
    int n = 0;
    int learnedNow = 0;
    for (MeshPayload.PeerEntry e : list.peers()) {
      if (++n > config.maxPeerList()) {
        break;
      }
      if (e == null || !config.orgId().equals(e.orgId()) || e.address() == null) {
        continue;
      }
      Optional<PublicKey> key = Handshakes.identity(e.nodeId(), e.publicKey());
      if (key.isEmpty() || key.get().equals(keys.publicKey()) || isConnected(key.get())) {
        continue;
      }
      ConnAddress address;
      try {
        URI u = new URI(e.address());
        if (!("ws".equals(u.getScheme()) || "wss".equals(u.getScheme())) || u.getPort() <= 0) {
          continue;
        }
        address = ConnAddress.of(Addresses.base(u), key.get());
      } catch (java.net.URISyntaxException | IllegalArgumentException ex) {
        continue;
      }
      if (conn.db().has(address.toString())
          || conn.db().addressForKey(key.get().value()).isPresent()) {
        continue;
      }
      if (++learnedNow > MAX_LEARNED_PER_LIST || !makeRoomForLearned()) {
        return;
      }
      conn.remember(address, Map.of("source", ORIGIN, "via", from.nodeId()));
    }
  }

  /** Most new peers remembered from one PEER_LIST. */
  static final int MAX_LEARNED_PER_LIST = 16;

  /**
   * Keeps peers learned from PEER_LIST under {@link MeshConfig#maxRemembered()}: at the limit, the
   * oldest learned peer that failed and never connected is forgotten to make room. A peer list
   * cannot fill the database with addresses nobody answers at: they fail, and give way.
   */
  private boolean makeRoomForLearned() {
    int learned = 0;
    String evict = null;
    long evictBirth = Long.MAX_VALUE;
    for (Map.Entry<String, dev.grapevine.conn.db.PeerData> e : conn.dbPeers()) {
      dev.grapevine.conn.db.PeerData d = e.getValue();
      if (!ORIGIN.equals(d.get("source").map(JsonNode::asText).orElse(""))) {
        continue;
      }
      learned++;
      boolean everConnected = d.duration().map(st -> st.count() > 0).orElse(false);
      long birth = d.birth().orElse(0);
      if (!everConnected && d.failure() > 0 && birth < evictBirth) {
        evict = e.getKey();
        evictBirth = birth;
      }
    }
    if (learned < config.maxRemembered()) {
      return true;
    }
    if (evict == null) {
      return false;
    }
    conn.forget(ConnAddress.parse(evict));
    return true;
  }

  // ---------------------------------------------------------------- pings

  private void pingAll() {
    long now = millis();
    for (MeshSession s : openSessions()) {
      s.ping(now);
    }
  }

  // ---------------------------------------------------------------- messages in

  /**
   * Verifies and stores messages that arrived from {@code from}; completes with how many were new.
   * Each new one is propagated on (with {@code pushedBy} excluded from the eager push). Messages
   * that do not verify are counted and dropped.
   */
  CompletableFuture<Integer> ingest(MeshSession from, List<Carried> items, boolean push) {
    if (items.isEmpty()) {
      return CompletableFuture.completedFuture(0);
    }
    // One task per verify thread (of at least MIN_VERIFY_CHUNK items), so that one large MESSAGES
    // frame keeps every verify thread busy instead of one; each message is handed to the store as
    // soon as it is verified, so the store writer works while the rest is still being verified.
    int parts = Math.max(1, Math.min(config.verifyThreads(), items.size() / MIN_VERIFY_CHUNK));
    List<CompletableFuture<Integer>> chunks = new ArrayList<>(parts);
    for (int p = 0; p < parts; p++) {
      List<Carried> slice =
          items.subList(
              (int) ((long) p * items.size() / parts),
              (int) ((long) (p + 1) * items.size() / parts));
      CompletableFuture<Integer> chunk;
      try {
        chunk =
            CompletableFuture.supplyAsync(() -> verifyAndStore(from, slice, push), workers)
                .thenCompose(Mesh::countNew);
      } catch (RejectedExecutionException e) {
        // The pool is full: these messages are found again by the next reconciliation.
        counters.dropped.add(slice.size());
        chunk = CompletableFuture.completedFuture(0);
      }
      chunks.add(chunk);
    }
    if (parts == 1) {
      return chunks.get(0);
    }
    return CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new))
        .thenApply(x -> chunks.stream().mapToInt(CompletableFuture::join).sum());
  }

  /** Items of a MESSAGES frame below which splitting its verification is not worth a task. */
  private static final int MIN_VERIFY_CHUNK = 16;

  /** Verifies {@code items} in order and hands each valid one to the store at once. */
  private List<CompletableFuture<Boolean>> verifyAndStore(
      MeshSession from, List<Carried> items, boolean push) {
    List<CompletableFuture<Boolean>> stored = new ArrayList<>(items.size());
    for (Carried c : items) {
      Verified v = verify(c);
      if (v != null) {
        stored.add(store(from, v, push));
      }
    }
    return stored;
  }

  /**
   * Completes, once every store future has, with how many were new. A failed write counts as not
   * new and is logged; catch-up fetches what is still missing again ({@link CatchUp}).
   */
  private static CompletableFuture<Integer> countNew(List<CompletableFuture<Boolean>> stored) {
    return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new))
        .handle(
            (x, err) -> {
              int n = 0;
              for (CompletableFuture<Boolean> f : stored) {
                if (!f.isCompletedExceptionally() && Boolean.TRUE.equals(f.join())) {
                  n++;
                }
              }
              if (err != null) {
                log.warn("Could not store some messages that came by the mesh", err);
              }
              return n;
            });
  }

  private CompletableFuture<Boolean> store(MeshSession from, Verified v, boolean push) {
    if (v.message == null) {
      if (v.content != null && wantedBlobs.remove(Hash.of(v.content))) {
        return sync.acceptBlob(v.content, ORIGIN).thenApply(h -> false);
      }
      return CompletableFuture.completedFuture(false);
    }
    boolean first = seen.add(v.message.hash());
    if (!first && store.has(v.message.hash())) {
      counters.duplicatesReceived.increment();
      if (push) {
        propagation.duplicate(from);
      }
      if (v.content != null && !store.has(v.message.contentHash())) {
        // We had the message without its content: this copy brings it.
        return sync.acceptBlob(v.content, ORIGIN).thenApply(h -> false);
      }
      return CompletableFuture.completedFuture(false);
    }
    // A pushed message goes on along the tree as soon as it is verified, not after the store
    // commits it: each hop then costs a verification rather than a commit. It is verified, so
    // peers lose nothing if this store then refuses it.
    boolean forwarded = push && first && !store.has(v.message.hash());
    if (forwarded) {
      propagation.received(v.message.hash());
      propagation.spread(v.message, v.content, from, true);
    }
    CompletableFuture<Boolean> f;
    try {
      f = sync.accept(v.message, v.content, ORIGIN);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return f.thenApply(
        isNew -> {
          if (isNew) {
            counters.messagesNew.increment();
            if (!forwarded) {
              propagation.received(v.message.hash());
              propagation.spread(v.message, v.content, from, push);
            }
            if (v.content == null && !store.has(v.message.contentHash())) {
              wantedBlobs.add(v.message.contentHash());
              from.send(new MeshPayload.Want(null, List.of(v.message.contentHash().value())));
            }
          } else if (!forwarded) {
            counters.duplicatesReceived.increment();
            if (push) {
              propagation.duplicate(from);
            }
          }
          return isNew;
        });
  }

  /** {@code c} checked: null if it carries nothing or its message does not verify. */
  private Verified verify(Carried c) {
    if (c == null) {
      return null;
    }
    if (c.message() == null) {
      return c.content() == null ? null : new Verified(null, c.content());
    }
    try {
      VerifiedMessage m = SignedMessage.parse(c.message()).verify(keyCache);
      String content = c.content();
      if (content != null && !Hash.of(content).equals(m.contentHash())) {
        counters.invalidMessages.increment();
        content = null;
      }
      return new Verified(m, content);
    } catch (IllegalArgumentException e) {
      counters.invalidMessages.increment();
      return null;
    }
  }

  private record Verified(VerifiedMessage message, String content) {}

  /**
   * The messages with these hashes (and blobs, for content hashes), as they would be sent. The
   * messages are read in one query with their contents (a per-hash read costs a read transaction
   * each); only the hashes that are not messages are then looked up as blobs.
   */
  List<Carried> read(List<String> ids) {
    Set<Hash> keys = new LinkedHashSet<>();
    for (String id : ids) {
      if (id != null && Hash.isValid(id)) {
        keys.add(Hash.parse(id));
      }
    }
    List<Carried> out = new ArrayList<>(keys.size());
    for (LogEntry e : store.byHashes(keys)) {
      keys.remove(e.hash());
      out.add(new Carried(e.sig(), e.text().orElse(null)));
    }
    for (Hash h : keys) {
      store.get(h).ifPresent(content -> out.add(new Carried(null, content)));
    }
    return out;
  }

  // ---------------------------------------------------------------- shared parts

  /** Most requests of one peer answered at once; more are refused with {@code rate_limited}. */
  static final int MAX_SERVING_PER_PEER = 8;

  /**
   * Answers a request of {@code from} on the pool, at most {@link #MAX_SERVING_PER_PEER} at once
   * per peer, so one peer cannot take the pool from the others. False (and an {@code ERROR} to the
   * peer) if the request was refused.
   */
  boolean serve(MeshSession from, String type, Runnable task) {
    if (from.serving.incrementAndGet() > MAX_SERVING_PER_PEER) {
      from.serving.decrementAndGet();
      counters.rateLimited.increment();
      from.sendError(Reason.RATE_LIMITED, "Too many requests in progress; ask again later", type);
      return false;
    }
    boolean queued =
        execute(
            () -> {
              try {
                task.run();
              } finally {
                from.serving.decrementAndGet();
              }
            });
    if (!queued) {
      from.serving.decrementAndGet();
      counters.rateLimited.increment();
      from.sendError(Reason.RATE_LIMITED, "This node is busy; ask again later", type);
    }
    return queued;
  }

  /** Runs {@code task} on the pool; false if the pool is full or closed. */
  boolean execute(Runnable task) {
    try {
      workers.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  MeshCounters counters() {
    return counters;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  MessageStore store() {
    return store;
  }

  KeyPair keys() {
    return keys;
  }

  PublicKey publicKey() {
    return keys.publicKey();
  }

  String publicKeyHex() {
    return publicKeyHex;
  }

  Seen seen() {
    return seen;
  }

  boolean isClosed() {
    return closed.get();
  }

  long millis() {
    return scheduler.clock().millis();
  }

  long nanos() {
    return TimeUnit.MILLISECONDS.toNanos(scheduler.clock().millis());
  }

  /** The base URL peers dial, or null before the transport listens. */
  URI advertisedUrl() {
    if (config.advertisedUrl().isPresent()) {
      return config.advertisedUrl().get();
    }
    try {
      return listenUrl.get();
    } catch (RuntimeException e) {
      return null;
    }
  }

  long chainHeight() {
    return index.index().size();
  }

  MeshPayload.Summary summary() {
    var idx = index.index();
    Fingerprint f = idx.fingerprint();
    return new MeshPayload.Summary(idx.size(), f.toString());
  }

  private static void checkApplicationType(String type) {
    Objects.requireNonNull(type, "type");
    if (type.isEmpty() || type.length() > MeshCodec.MAX_TYPE_LENGTH) {
      throw new IllegalArgumentException(
          "Expected a type of 1 to " + MeshCodec.MAX_TYPE_LENGTH + " characters");
    }
    if (MeshTypes.RESERVED.contains(type)) {
      throw new IllegalArgumentException(type + " is one of the mesh protocol's own types");
    }
  }

  private String applicationFrame(String type, JsonNode payload) {
    checkApplicationType(type);
    JsonNode p = payload == null ? MeshCodec.JSON.createObjectNode() : payload;
    return MeshCodec.encode(new MeshEnvelope(PROTOCOL_VERSION, type, nodeId, millis(), p));
  }

  // ---------------------------------------------------------------- link handlers

  /** Links that dialled our {@code /mesh}. */
  private final class InboundSurface implements LinkHandler {
    @Override
    public Admission admit(HttpRequest upgrade) {
      return new Admission.Accept(this, Optional.of(linkSettings));
    }

    @Override
    public void onOpen(PeerLink link) {
      if (closed.get()) {
        link.close(CloseReason.SHUTDOWN, "the mesh is closed");
        return;
      }
      MeshSession s = MeshSession.inbound(Mesh.this, link);
      inbound.put(link, s);
      s.start();
    }

    @Override
    public void onFrame(PeerLink link, String text) {
      MeshSession s = inbound.get(link);
      if (s != null) {
        s.receive(text);
      }
    }

    @Override
    public void onClose(PeerLink link, CloseReason reason, String detail) {
      MeshSession s = inbound.remove(link);
      if (s != null) {
        s.closed(reason, detail);
      }
    }
  }

  /** One link this node dialled. */
  private final class OutboundSurface implements LinkHandler {
    private final PublicKey expected;
    private final LinkHandler hub;
    private final CompletableFuture<PeerLink> dialed;
    private final CompletableFuture<PublicKey> identified;
    private volatile MeshSession session;

    OutboundSurface(
        PublicKey expected,
        LinkHandler hub,
        CompletableFuture<PeerLink> dialed,
        CompletableFuture<PublicKey> identified) {
      this.expected = expected;
      this.hub = hub;
      this.dialed = dialed;
      this.identified = identified;
    }

    @Override
    public void onOpen(PeerLink link) {
      if (closed.get() || (dialed != null && dialed.isDone())) {
        link.close(CloseReason.NORMAL, "the dial was cancelled");
        return;
      }
      MeshSession s = MeshSession.outbound(Mesh.this, link, expected, hub, dialed, identified);
      session = s;
      s.start();
    }

    @Override
    public void onFrame(PeerLink link, String text) {
      MeshSession s = session;
      if (s != null) {
        s.receive(text);
      }
    }

    @Override
    public void onClose(PeerLink link, CloseReason reason, String detail) {
      MeshSession s = session;
      if (s != null) {
        s.closed(reason, detail);
      }
    }
  }

  /** A bounded set of recently seen message hashes (insertion order, oldest forgotten). */
  static final class Seen {
    private final int capacity;
    private final Map<Hash, Boolean> map;

    Seen(int capacity) {
      this.capacity = capacity;
      this.map =
          new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Hash, Boolean> eldest) {
              return size() > Seen.this.capacity;
            }
          };
    }

    /** Adds {@code h}; true if it was not there. */
    synchronized boolean add(Hash h) {
      return map.put(h, Boolean.TRUE) == null;
    }

    /** Removes {@code h}; true if it was there. */
    synchronized boolean remove(Hash h) {
      return map.remove(h) != null;
    }

    synchronized boolean contains(Hash h) {
      return map.containsKey(h);
    }
  }

  /** Builds a {@link Mesh}; not thread-safe. */
  public static final class Builder {
    private final KeyPair keys;
    private final MessageStore store;
    private final Scheduler scheduler;
    private MeshConfig config = MeshConfig.DEFAULT;
    private AnprotoSync sync;
    private Conn conn;
    private Dialer dialer;
    private Supplier<URI> listenUrl;
    private LinkSettings linkSettings;
    private MessageStoreIndex index;

    private Builder(KeyPair keys, MessageStore store, Scheduler scheduler) {
      this.keys = Objects.requireNonNull(keys, "keys");
      this.store = Objects.requireNonNull(store, "store");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** The settings; default {@link MeshConfig#DEFAULT}. */
    public Builder config(MeshConfig value) {
      this.config = Objects.requireNonNull(value, "config");
      return this;
    }

    /** The ANProto protocol that stores and relays what arrives here. Required. */
    public Builder sync(AnprotoSync value) {
      this.sync = value;
      return this;
    }

    /** The connection manager that dials and admits mesh peers. Required. */
    public Builder conn(Conn value) {
      this.conn = value;
      return this;
    }

    /** Opens WebSocket links (the transport). Required. */
    public Builder dialer(Dialer value) {
      this.dialer = value;
      return this;
    }

    /** This node's base URL ({@code ws://host:port}) once it listens. Required. */
    public Builder listenUrl(Supplier<URI> value) {
      this.listenUrl = value;
      return this;
    }

    /** The transport's link settings, which mesh links get with the mesh's frame size. Required. */
    public Builder linkSettings(LinkSettings value) {
      this.linkSettings = value;
      return this;
    }

    /** The reconciliation index of the store; default one loaded from the store. */
    public Builder index(MessageStoreIndex value) {
      this.index = value;
      return this;
    }

    /** Builds the mesh. */
    public Mesh build() {
      return new Mesh(this);
    }
  }
}
