package dev.grapevine.mesh;

import dev.grapevine.anproto.KeyCache;
import dev.grapevine.mesh.reconcile.ReconcileConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node takes part in the mesh on {@code /mesh}. Immutable and validated; build one with
 * {@link #builder()}. The defaults follow MiniLedger where it has a value (5 s pings, batches of
 * 50, 10 s sync timeout, 50 peers) and are safe where it has none.
 *
 * @param enabled serve {@code /mesh} and dial mesh peers (default true)
 * @param orgId the network this node belongs to; a peer announcing another one is refused with
 *     {@code reason: "network"} (default {@code "grapevine"})
 * @param advertisedUrl the base URL peers should dial, for example {@code ws://203.0.113.5:9000};
 *     default the listening address
 * @param seeds mesh URLs to join through, whose keys are learned by the handshake (MiniLedger's
 *     {@code network.peers}); each is dialled once the key is known through the connection manager
 * @param maxPeers most connected mesh peers; a handshake over it is refused with {@code full}
 * @param handshakeTimeout how long a link may take to finish the handshake (default 5 s)
 * @param pingInterval how often a PING goes to each peer (default 5 s)
 * @param pingTimeout a peer silent for this long is closed (default 15 s, three missed pings)
 * @param maxPeerList most entries sent or read in one PEER_LIST (default 100)
 * @param maxRemembered most peers learned from PEER_LIST that are remembered (default 500)
 * @param syncBatch messages per SYNC_RESPONSE; larger requests are clamped (default 50)
 * @param syncTimeout how long a SYNC_REQUEST may wait before another peer is asked (default 10 s)
 * @param wantBatch most message hashes per WANT (default 512: with 8 WANTs in flight, enough
 *     messages are on their way that verification never waits for the store's commit)
 * @param maxMessagesBytes most characters of messages and content per MESSAGES frame (default 1
 *     MiB); one larger message is sent alone
 * @param maxFrameBytes largest mesh frame accepted; larger ones close the link with 1009 (default
 *     16 MiB)
 * @param catchUpInterval how often each peer is reconciled with after the first catch-up, if the
 *     summaries in PING/PONG differ (default 60 s)
 * @param reconcile settings of the set reconciliation sessions
 * @param graftTimeout how long an announced message may take to arrive by the tree before it is
 *     asked for from the announcer (default 200 ms)
 * @param haveInterval how long HAVE announcements are collected before they are sent (default 100
 *     ms)
 * @param seenCapacity how many recent message hashes are remembered to recognise duplicates without
 *     a store lookup (default 50,000)
 * @param framesPerSecond frames a peer may send per second on average before its frames are
 *     answered with an error and dropped (default 5,000)
 * @param verifyThreads threads that verify signatures of messages arriving by the mesh
 * @param decodedKeys authors whose decoded public keys a node keeps so that their next messages
 *     verify without decoding the key again (default 4,096, about 1.2 MiB; see {@link KeyCache}).
 *     The node's one cache serves the mesh and the ANProto surface; a mesh built alone uses its
 *     {@code AnprotoSync}'s
 */
public record MeshConfig(
    boolean enabled,
    String orgId,
    Optional<URI> advertisedUrl,
    List<URI> seeds,
    int maxPeers,
    Duration handshakeTimeout,
    Duration pingInterval,
    Duration pingTimeout,
    int maxPeerList,
    int maxRemembered,
    int syncBatch,
    Duration syncTimeout,
    int wantBatch,
    int maxMessagesBytes,
    int maxFrameBytes,
    Duration catchUpInterval,
    ReconcileConfig reconcile,
    Duration graftTimeout,
    Duration haveInterval,
    int seenCapacity,
    int framesPerSecond,
    int verifyThreads,
    int decodedKeys) {

  /** The defaults. */
  public static final MeshConfig DEFAULT = builder().build();

  /** Validates the settings. */
  public MeshConfig {
    Objects.requireNonNull(orgId, "orgId");
    Objects.requireNonNull(advertisedUrl, "advertisedUrl");
    Objects.requireNonNull(reconcile, "reconcile");
    seeds = List.copyOf(seeds);
    if (orgId.isEmpty() || orgId.length() > 64) {
      throw new IllegalArgumentException(
          "Expected an orgId of 1 to 64 characters but was \"" + orgId + "\"");
    }
    for (URI seed : seeds) {
      requireWs("seed", seed);
    }
    advertisedUrl.ifPresent(u -> requireWs("advertisedUrl", u));
    positive("maxPeers", maxPeers);
    positive("maxPeerList", maxPeerList);
    positive("maxRemembered", maxRemembered);
    positive("syncBatch", syncBatch);
    positive("wantBatch", wantBatch);
    positive("seenCapacity", seenCapacity);
    positive("decodedKeys", decodedKeys);
    positive("framesPerSecond", framesPerSecond);
    positive("verifyThreads", verifyThreads);
    if (maxMessagesBytes < 4096) {
      throw new IllegalArgumentException(
          "Expected maxMessagesBytes of at least 4096 but was " + maxMessagesBytes);
    }
    if (maxFrameBytes < 2 * maxMessagesBytes) {
      throw new IllegalArgumentException(
          "Expected maxFrameBytes of at least twice maxMessagesBytes ("
              + 2 * maxMessagesBytes
              + ") but was "
              + maxFrameBytes);
    }
    positive("handshakeTimeout", handshakeTimeout);
    positive("pingInterval", pingInterval);
    positive("pingTimeout", pingTimeout);
    positive("syncTimeout", syncTimeout);
    positive("catchUpInterval", catchUpInterval);
    positive("graftTimeout", graftTimeout);
    positive("haveInterval", haveInterval);
    if (pingTimeout.compareTo(pingInterval) <= 0) {
      throw new IllegalArgumentException(
          "Expected pingTimeout above pingInterval but was "
              + pingTimeout
              + " <= "
              + pingInterval
              + " (a healthy peer would time out between two pings)");
    }
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder with this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.enabled = enabled;
    b.orgId = orgId;
    b.advertisedUrl = advertisedUrl;
    b.seeds = seeds;
    b.maxPeers = maxPeers;
    b.handshakeTimeout = handshakeTimeout;
    b.pingInterval = pingInterval;
    b.pingTimeout = pingTimeout;
    b.maxPeerList = maxPeerList;
    b.maxRemembered = maxRemembered;
    b.syncBatch = syncBatch;
    b.syncTimeout = syncTimeout;
    b.wantBatch = wantBatch;
    b.maxMessagesBytes = maxMessagesBytes;
    b.maxFrameBytes = maxFrameBytes;
    b.catchUpInterval = catchUpInterval;
    b.reconcile = reconcile;
    b.graftTimeout = graftTimeout;
    b.haveInterval = haveInterval;
    b.seenCapacity = seenCapacity;
    b.framesPerSecond = framesPerSecond;
    b.verifyThreads = verifyThreads;
    b.decodedKeys = decodedKeys;
    return b;
  }

  private static void requireWs(String what, URI uri) {
    Objects.requireNonNull(uri, what);
    String scheme = uri.getScheme();
    if (!("ws".equals(scheme) || "wss".equals(scheme)) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "Expected a ws:// or wss:// URL with a host for " + what + " but was " + uri);
    }
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("Expected " + name + " > 0 but was " + value);
    }
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("Expected " + name + " > 0 but was " + value);
    }
  }

  /** Builds a {@link MeshConfig}; not thread-safe. */
  public static final class Builder {
    private boolean enabled = true;
    private String orgId = "grapevine";
    private Optional<URI> advertisedUrl = Optional.empty();
    private List<URI> seeds = List.of();
    private int maxPeers = 50;
    private Duration handshakeTimeout = Duration.ofSeconds(5);
    private Duration pingInterval = Duration.ofSeconds(5);
    private Duration pingTimeout = Duration.ofSeconds(15);
    private int maxPeerList = 100;
    private int maxRemembered = 500;
    private int syncBatch = 50;
    private Duration syncTimeout = Duration.ofSeconds(10);
    private int wantBatch = 512;
    private int maxMessagesBytes = 1 << 20;
    private int maxFrameBytes = 16 << 20;
    private Duration catchUpInterval = Duration.ofSeconds(60);
    private ReconcileConfig reconcile = ReconcileConfig.DEFAULT;
    private Duration graftTimeout = Duration.ofMillis(200);
    private Duration haveInterval = Duration.ofMillis(25);
    private int seenCapacity = 50_000;
    private int decodedKeys = KeyCache.DEFAULT_CAPACITY;
    private int framesPerSecond = 5_000;
    private int verifyThreads = Math.max(1, Runtime.getRuntime().availableProcessors());

    private Builder() {}

    /** See {@link MeshConfig#enabled()}. */
    public Builder enabled(boolean value) {
      this.enabled = value;
      return this;
    }

    /** See {@link MeshConfig#orgId()}. */
    public Builder orgId(String value) {
      this.orgId = value;
      return this;
    }

    /** See {@link MeshConfig#advertisedUrl()}. */
    public Builder advertisedUrl(URI value) {
      this.advertisedUrl = Optional.ofNullable(value);
      return this;
    }

    /** See {@link MeshConfig#seeds()}. */
    public Builder seeds(List<URI> value) {
      this.seeds = List.copyOf(value);
      return this;
    }

    /** See {@link MeshConfig#maxPeers()}. */
    public Builder maxPeers(int value) {
      this.maxPeers = value;
      return this;
    }

    /** See {@link MeshConfig#handshakeTimeout()}. */
    public Builder handshakeTimeout(Duration value) {
      this.handshakeTimeout = value;
      return this;
    }

    /** See {@link MeshConfig#pingInterval()}. */
    public Builder pingInterval(Duration value) {
      this.pingInterval = value;
      return this;
    }

    /** See {@link MeshConfig#pingTimeout()}. */
    public Builder pingTimeout(Duration value) {
      this.pingTimeout = value;
      return this;
    }

    /** See {@link MeshConfig#maxPeerList()}. */
    public Builder maxPeerList(int value) {
      this.maxPeerList = value;
      return this;
    }

    /** See {@link MeshConfig#maxRemembered()}. */
    public Builder maxRemembered(int value) {
      this.maxRemembered = value;
      return this;
    }

    /** See {@link MeshConfig#syncBatch()}. */
    public Builder syncBatch(int value) {
      this.syncBatch = value;
      return this;
    }

    /** See {@link MeshConfig#syncTimeout()}. */
    public Builder syncTimeout(Duration value) {
      this.syncTimeout = value;
      return this;
    }

    /** See {@link MeshConfig#wantBatch()}. */
    public Builder wantBatch(int value) {
      this.wantBatch = value;
      return this;
    }

    /** See {@link MeshConfig#maxMessagesBytes()}. */
    public Builder maxMessagesBytes(int value) {
      this.maxMessagesBytes = value;
      return this;
    }

    /** See {@link MeshConfig#maxFrameBytes()}. */
    public Builder maxFrameBytes(int value) {
      this.maxFrameBytes = value;
      return this;
    }

    /** See {@link MeshConfig#catchUpInterval()}. */
    public Builder catchUpInterval(Duration value) {
      this.catchUpInterval = value;
      return this;
    }

    /** See {@link MeshConfig#reconcile()}. */
    public Builder reconcile(ReconcileConfig value) {
      this.reconcile = value;
      return this;
    }

    /** See {@link MeshConfig#graftTimeout()}. */
    public Builder graftTimeout(Duration value) {
      this.graftTimeout = value;
      return this;
    }

    /** See {@link MeshConfig#haveInterval()}. */
    public Builder haveInterval(Duration value) {
      this.haveInterval = value;
      return this;
    }

    /** See {@link MeshConfig#decodedKeys()}. */
    public Builder decodedKeys(int value) {
      this.decodedKeys = value;
      return this;
    }

    /** See {@link MeshConfig#seenCapacity()}. */
    public Builder seenCapacity(int value) {
      this.seenCapacity = value;
      return this;
    }

    /** See {@link MeshConfig#framesPerSecond()}. */
    public Builder framesPerSecond(int value) {
      this.framesPerSecond = value;
      return this;
    }

    /** See {@link MeshConfig#verifyThreads()}. */
    public Builder verifyThreads(int value) {
      this.verifyThreads = value;
      return this;
    }

    /** Validates and builds. */
    public MeshConfig build() {
      return new MeshConfig(
          enabled,
          orgId,
          advertisedUrl,
          seeds,
          maxPeers,
          handshakeTimeout,
          pingInterval,
          pingTimeout,
          maxPeerList,
          maxRemembered,
          syncBatch,
          syncTimeout,
          wantBatch,
          maxMessagesBytes,
          maxFrameBytes,
          catchUpInterval,
          reconcile,
          graftTimeout,
          haveInterval,
          seenCapacity,
          framesPerSecond,
          verifyThreads,
          decodedKeys);
    }
  }
}
