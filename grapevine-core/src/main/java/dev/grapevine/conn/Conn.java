package dev.grapevine.conn;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.conn.db.ConnDb;
import dev.grapevine.conn.db.PeerData;
import dev.grapevine.conn.firewall.ConnDbKeys;
import dev.grapevine.conn.firewall.Firewall;
import dev.grapevine.conn.firewall.KeySet;
import dev.grapevine.conn.hub.ConnDialer;
import dev.grapevine.conn.hub.ConnHub;
import dev.grapevine.conn.hub.HubEntry;
import dev.grapevine.conn.hub.Subscription;
import dev.grapevine.conn.lan.LanDiscovery;
import dev.grapevine.conn.query.ConnQuery;
import dev.grapevine.conn.query.PeerSource;
import dev.grapevine.conn.scheduler.ConnScheduler;
import dev.grapevine.conn.scheduler.HopSource;
import dev.grapevine.conn.scheduler.NetworkProbe;
import dev.grapevine.conn.staging.ConnStaging;
import dev.grapevine.conn.staging.HubLookup;
import dev.grapevine.conn.staging.StagedEntry;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection manager of a node (ssb-conn's {@code CONN}): the persistent peer database, the
 * live hub, staging, queries over the three, the inbound firewall, and the scheduler that decides
 * whom to dial. Its methods are the ones ssb-conn users know: {@link #remember}, {@link #forget},
 * {@link #dbPeers}, {@link #connect}, {@link #disconnect}, {@link #peers}, {@link #stage}, {@link
 * #unstage}, {@link #stagedPeers}, {@link #start}, {@link #stop}, and the parts {@link #db}, {@link
 * #hub}, {@link #staging}, {@link #query}.
 *
 * <p>Thread-safe; every method returns at once (the hub's work runs on its own thread and answers
 * with a future). {@link #close()} stops the scheduler, closes the hub (every link gets a close
 * frame), then staging, then writes and closes the database, in ssb-conn's order.
 */
public final class Conn implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Conn.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final ConnConfig config;
  private final ConnDb db;
  private final ConnHub hub;
  private final ConnStaging staging;
  private final ConnQuery query;
  private final Firewall firewall;
  private final HubRecorder recorder;
  private final ConnScheduler scheduler;
  private final Object lanLock = new Object();
  private LanDiscovery lan; // guarded by lanLock

  private Conn(Builder b) {
    this.config = b.config;
    ConnDb d =
        b.dataDir == null
            ? ConnDb.inMemory(b.scheduler)
            : ConnDb.open(b.dataDir, b.scheduler, config.db());
    ConnHub h = null;
    try {
      h = new ConnHub(b.self, b.dialer, b.surface, b.scheduler.clock(), null);
      this.staging = new ConnStaging(b.scheduler.clock(), HubLookup.of(h));
    } catch (RuntimeException e) {
      if (h != null) {
        h.close();
      }
      d.close();
      throw e;
    }
    this.db = d;
    this.hub = h;
    this.query = new ConnQuery(dbPool(d), ConnQuery.hub(h), ConnQuery.staging(staging));
    this.recorder = HubRecorder.start(h, d, staging, b.scheduler.clock());
    ConnScheduler.Builder sb =
        ConnScheduler.builder(h, d, staging, query, b.scheduler).config(config.scheduler());
    if (b.hops != null) {
      sb.hops(b.hops);
    }
    if (b.network != null) {
      sb.network(b.network);
    }
    if (b.random != null) {
      sb.random(b.random);
    }
    this.scheduler = sb.build();
    this.firewall =
        new Firewall(
            config.firewall(),
            ConnDbKeys.blocked(d).or(b.blocked),
            ConnDbKeys.known(d),
            b.scheduler.clock());
  }

  /**
   * A builder.
   *
   * @param self this node's key
   * @param dialer opens the links the hub asks for
   * @param surface receives the life of every link the hub dials
   * @param scheduler timers and the clock; not closed by the manager
   */
  public static Builder builder(
      PublicKey self, ConnDialer dialer, LinkHandler surface, Scheduler scheduler) {
    return new Builder(self, dialer, surface, scheduler);
  }

  /** The configuration. */
  public ConnConfig config() {
    return config;
  }

  /** The persistent peer database ({@code conn.json}). */
  public ConnDb db() {
    return db;
  }

  /** The live connections. */
  public ConnHub hub() {
    return hub;
  }

  /** Peers suggested but not connected. */
  public ConnStaging staging() {
    return staging;
  }

  /** Queries over the database, the hub and staging. */
  public ConnQuery query() {
    return query;
  }

  /** The legacy {@code gossip} API over this manager. */
  public GossipCompat gossip() {
    return new GossipCompat(this);
  }

  /** The inbound admission policy and its log of refused peers. */
  public Firewall firewall() {
    return firewall;
  }

  // ---------------------------------------------------------------- ssb-conn API

  /**
   * Stores {@code address} in the database, merging {@code data} over what is there; the key is
   * recorded as {@code key}. Returns the stored data.
   */
  public PeerData remember(ConnAddress address, Map<String, ?> data) {
    Map<String, Object> m = new LinkedHashMap<>(data);
    m.putIfAbsent("key", address.key().value());
    return db.set(address, PeerData.of(m));
  }

  /** Removes {@code address} from the database; true if it was there. Does not disconnect. */
  public boolean forget(ConnAddress address) {
    return db.delete(address);
  }

  /** The database's entries, address text to data, in insertion order. */
  public List<Map.Entry<String, PeerData>> dbPeers() {
    return db.entries();
  }

  /** Connects to {@code address}; see {@link ConnHub#connect(ConnAddress, Map)}. */
  public CompletableFuture<PeerLink> connect(ConnAddress address, Map<String, ?> data) {
    return hub.connect(address, data);
  }

  /** Connects to {@code address} with no extra data. */
  public CompletableFuture<PeerLink> connect(ConnAddress address) {
    return hub.connect(address);
  }

  /** Disconnects from {@code address}; the future yields false if it was not in the hub. */
  public CompletableFuture<Boolean> disconnect(ConnAddress address) {
    return hub.disconnect(address);
  }

  /** The hub's entries now (ssb-conn users asked for a snapshot as well as the live stream). */
  public List<HubEntry> peers() {
    return hub.entries();
  }

  /**
   * Calls {@code subscriber} with the hub's entries now and after every change, on the hub thread,
   * until the subscription is closed (ssb-conn's {@code peers()} stream).
   */
  public Subscription peers(Consumer<List<HubEntry>> subscriber) {
    return hub.liveEntries(subscriber);
  }

  /**
   * Suggests {@code address} for connecting; see {@link ConnStaging#stage}. Refused (false) when
   * the hub has the address or its key.
   */
  public boolean stage(ConnAddress address, Map<String, ?> data) {
    return staging.stage(address, data);
  }

  /** Stages {@code address} as {@code {type: "internet"}}, ssb-conn's default. */
  public boolean stage(ConnAddress address) {
    return stage(address, Map.of("type", "internet"));
  }

  /** Removes {@code address} from staging; true if it was staged. */
  public boolean unstage(ConnAddress address) {
    return staging.unstage(address);
  }

  /** Staging's entries now. */
  public List<StagedEntry> stagedPeers() {
    return staging.entries();
  }

  /** Calls {@code subscriber} with staging's entries now and after every change. */
  public Subscription stagedPeers(Consumer<List<StagedEntry>> subscriber) {
    return staging.liveEntries(subscriber);
  }

  private volatile java.util.function.Function<PublicKey, CompletableFuture<java.time.Duration>>
      pinger;

  // ---------------------------------------------------------------- inbound links

  /**
   * Decides whether a peer that dialled us and proved its key may stay: the firewall first, then
   * the hub's one-link-per-key rules. A refused link is closed with {@link
   * CloseReason#POLICY_VIOLATION} (firewall) or {@link CloseReason#NORMAL} (duplicate). The caller
   * must report the link's close with {@link #inboundClosed}.
   *
   * @param remoteAddress the peer's IP address, for the firewall's log
   */
  public CompletableFuture<Boolean> admitInbound(
      PeerLink link, PublicKey key, String remoteAddress) {
    Firewall.Decision d = firewall.admit(key, remoteAddress);
    if (!d.allowed()) {
      link.close(CloseReason.POLICY_VIOLATION, "refused by the firewall: " + d);
      return CompletableFuture.completedFuture(false);
    }
    return hub.inbound(link, key);
  }

  /** Reports that a link accepted with {@link #admitInbound} closed. */
  public void inboundClosed(PeerLink link, CloseReason reason, String detail) {
    hub.linkClosed(link, reason, detail);
  }

  /**
   * Measures the round trip to the connected peer at {@code address} with the protocol that speaks
   * on its link (the mesh's PING/PONG); the time is also recorded in its ping statistics. Fails if
   * no pinger is set or the peer is not connected.
   */
  public CompletableFuture<java.time.Duration> ping(ConnAddress address) {
    java.util.function.Function<PublicKey, CompletableFuture<java.time.Duration>> p = pinger;
    if (p == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("No protocol that can ping is attached"));
    }
    return p.apply(address.key());
  }

  /** Sets how {@link #ping} measures a round trip (the node gives the mesh's). */
  public void pinger(
      java.util.function.Function<PublicKey, CompletableFuture<java.time.Duration>> value) {
    this.pinger = value;
  }

  /**
   * Records a round-trip time to the peer with {@code key}, in the database entry of its address if
   * it has one (ping statistics are kept only for remembered peers, as upstream).
   */
  public void pinged(PublicKey key, double rttMillis) {
    hub.entryByKey(key)
        .map(e -> e.address().toString())
        .filter(db::has)
        .or(() -> db.addressForKey(key.value()))
        .ifPresent(a -> db.pinged(a, rttMillis));
  }

  // ---------------------------------------------------------------- LAN discovery

  /**
   * Starts announcing {@code self} on the local network with the configured beacon and stages every
   * other node heard there as {@code {type: "lan"}} (the scheduler unstages a LAN peer that has not
   * been heard for 10 s). Idempotent: a second call returns the running discovery.
   *
   * @param self this node's address as LAN peers should dial it
   * @throws java.io.IOException if the UDP socket cannot be bound
   */
  public LanDiscovery startLan(ConnAddress self) throws java.io.IOException {
    synchronized (lanLock) {
      if (lan == null) {
        lan =
            LanDiscovery.start(
                self, config.lan(), beacon -> stage(beacon.address(), beacon.stagingData()));
      }
      return lan;
    }
  }

  /** The running LAN discovery, if {@link #startLan} was called. */
  public java.util.Optional<LanDiscovery> lan() {
    synchronized (lanLock) {
      return java.util.Optional.ofNullable(lan);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Starts the scheduler, which from now on dials remembered and staged peers within its quotas and
   * keeps them connected. Idempotent.
   */
  public void start() {
    scheduler.start();
  }

  /** Stops the scheduler and disconnects every connected peer (ssb-conn's stop). Idempotent. */
  public void stop() {
    scheduler.stop();
  }

  /** The scheduler, to signal a network change or a wake-up. */
  public ConnScheduler scheduler() {
    return scheduler;
  }

  /**
   * Stops the scheduler, closes the hub (close frames to every peer), the glue that records hub
   * events, staging and the database, in that order. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lanLock) {
      if (lan != null) {
        closeQuietly(lan);
      }
    }
    closeQuietly(scheduler);
    closeQuietly(hub);
    closeQuietly(recorder);
    closeQuietly(staging);
    closeQuietly(db);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.warn("Error while closing {}", c, e);
    }
  }

  /** The database as a query pool: each entry's JSON as a map, read at each snapshot. */
  public static PeerSource dbPool(ConnDb db) {
    return () -> {
      Map<String, Map<String, Object>> m = new LinkedHashMap<>();
      for (Map.Entry<String, PeerData> e : db.entries()) {
        m.put(e.getKey(), JSON.convertValue(e.getValue().json(), MAP));
      }
      return m;
    };
  }

  /** Builds a {@link Conn}; not thread-safe. */
  public static final class Builder {
    private final PublicKey self;
    private final ConnDialer dialer;
    private final LinkHandler surface;
    private final Scheduler scheduler;
    private ConnConfig config = ConnConfig.DEFAULT;
    private Path dataDir;
    private KeySet blocked = KeySet.none();
    private HopSource hops;
    private NetworkProbe network;
    private java.util.Random random;

    private Builder(PublicKey self, ConnDialer dialer, LinkHandler surface, Scheduler scheduler) {
      this.self = Objects.requireNonNull(self, "self");
      this.dialer = Objects.requireNonNull(dialer, "dialer");
      this.surface = Objects.requireNonNull(surface, "surface");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** The settings; default {@link ConnConfig#DEFAULT}. */
    public Builder config(ConnConfig value) {
      this.config = Objects.requireNonNull(value, "config");
      return this;
    }

    /**
     * Keeps {@code conn.json} in {@code directory}; without one the database lives in memory only
     * (an ephemeral node).
     */
    public Builder dataDir(Path directory) {
      this.dataDir = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** More blocked keys besides the database's {@code blocked: true} entries. */
    public Builder blocked(KeySet value) {
      this.blocked = Objects.requireNonNull(value, "blocked");
      return this;
    }

    /** Who the scheduler trusts; default {@link HopSource#DATABASE}. */
    public Builder hops(HopSource value) {
      this.hops = Objects.requireNonNull(value, "hops");
      return this;
    }

    /** The scheduler's network check; default the machine's interfaces. */
    public Builder network(NetworkProbe value) {
      this.network = Objects.requireNonNull(value, "network");
      return this;
    }

    /** The scheduler's randomness; default unseeded. */
    public Builder random(java.util.Random value) {
      this.random = Objects.requireNonNull(value, "random");
      return this;
    }

    /**
     * Opens the database (blocking for its file) and builds the manager.
     *
     * @throws java.io.UncheckedIOException if {@code conn.json} cannot be read
     */
    public Conn build() {
      return new Conn(this);
    }
  }
}
