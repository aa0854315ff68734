package dev.grapevine.sync;

import static dev.grapevine.internal.Checks.requireNotNegative;
import static dev.grapevine.internal.Checks.requirePositive;

import java.time.Duration;

/**
 * Settings of the ANProto frame protocol ({@link AnprotoSync}), its gossip queue ({@link
 * GossipQueue}) and its pub client ({@link PubClient}). Immutable and validated on construction;
 * build one with {@link #builder()} or take {@link #DEFAULT}.
 *
 * @param gossipInterval how often the gossip queue asks peers again for each missing hash (default
 *     10 s, the reference's tick)
 * @param gossipExpiry how long a missing hash, and a remembered request for it, is kept after it
 *     was last wanted (default 2 min)
 * @param maxMissingHashes most hashes the gossip queue tracks; further ones are not tracked until
 *     room frees up (default 10,000)
 * @param requestCooldown least time between two requests for the same hash to the same peer
 *     (default 30 s, the reference's and Wiredove's cooldown, but per peer rather than global)
 * @param gossipFanout most peers asked for one hash in one round (default 3)
 * @param maxGossipRequestsPerTick most request frames one gossip round sends in total (default
 *     1,000)
 * @param maxPendingRequests most remembered (hash, peer) requests that we could not answer yet
 *     (default 10,000)
 * @param maxPendingVerifications frames admitted but not yet fully processed (parsed, verified,
 *     committed) at which links that deliver more are paused (default 4,096); frames beyond twice
 *     this number are dropped
 * @param resumeWatermark pending frames at or below which paused links resume (default 1,024)
 * @param latestAnnounceWindow on open, the client sends an author's latest signed message only if
 *     it is younger than this (default 24 h, Wiredove's {@code RECENT_LATEST_WINDOW_MS})
 * @param maxAnnouncedPubkeys most pubkeys the client announces when a link opens (default 1,000)
 * @param unclaimedMaxBytes approximate heap bytes (2 per char) of the cache of blobs that arrived
 *     before the message that claims them (default 16 MiB)
 * @param unclaimedMaxEntries most blobs in that cache (default 16,384: more than the frames that
 *     may be pending, so content sent right behind its message outlives the message's verification)
 * @param unclaimedTtl how long a blob waits in that cache for its message (default 60 s)
 * @param maxContentRefs most hashes ({@code previous}, {@code image}, inline images) followed from
 *     one content blob (default 64)
 * @param junkLimit junk frames (a 44-char frame that is not a hash, or a signed message that does
 *     not verify) per link within {@link #junkWindow()} after which the link is closed with {@code
 *     POLICY_VIOLATION}; 0 means junk is counted and ignored, never closing (default 100)
 * @param junkWindow the window {@link #junkLimit()} counts in (default 1 min)
 * @param verifyThreads threads that verify signatures and read the store (default: the number of
 *     available processors)
 * @param backpressureRecheck how often paused links are re-checked while the store has no room
 *     (default 100 ms)
 * @param reconnectInitial the client's first reconnect delay (default 1 s)
 * @param reconnectMax the client's largest reconnect delay (default 30 s)
 * @param reconnectJitter each delay is multiplied by a uniformly random factor in {@code [1 - j, 1
 *     + j]} (default 0.2)
 * @param fullHistory whether the client also sends every msgHash of the log when a link opens, so
 *     the pub asks for what it lacks (default false: costs one frame per stored message)
 * @param fullHistoryPageSize msgHashes sent per second when {@link #fullHistory()} is on (default
 *     1,000)
 */
public record SyncConfig(
    Duration gossipInterval,
    Duration gossipExpiry,
    int maxMissingHashes,
    Duration requestCooldown,
    int gossipFanout,
    int maxGossipRequestsPerTick,
    int maxPendingRequests,
    int maxPendingVerifications,
    int resumeWatermark,
    Duration latestAnnounceWindow,
    int maxAnnouncedPubkeys,
    long unclaimedMaxBytes,
    int unclaimedMaxEntries,
    Duration unclaimedTtl,
    int maxContentRefs,
    int junkLimit,
    Duration junkWindow,
    int verifyThreads,
    Duration backpressureRecheck,
    Duration reconnectInitial,
    Duration reconnectMax,
    double reconnectJitter,
    boolean fullHistory,
    int fullHistoryPageSize) {

  /** The default settings. */
  public static final SyncConfig DEFAULT = new Builder().build();

  /** Validates every setting. */
  public SyncConfig {
    requirePositive("gossipInterval", gossipInterval);
    requirePositive("gossipExpiry", gossipExpiry);
    requirePositive("maxMissingHashes", maxMissingHashes);
    requireNotNegative("requestCooldown", requestCooldown);
    requirePositive("gossipFanout", gossipFanout);
    requirePositive("maxGossipRequestsPerTick", maxGossipRequestsPerTick);
    requirePositive("maxPendingRequests", maxPendingRequests);
    requirePositive("maxPendingVerifications", maxPendingVerifications);
    if (resumeWatermark < 0 || resumeWatermark >= maxPendingVerifications) {
      throw new IllegalArgumentException(
          "Expected 0 <= resumeWatermark < maxPendingVerifications ("
              + maxPendingVerifications
              + ") but was "
              + resumeWatermark);
    }
    requirePositive("latestAnnounceWindow", latestAnnounceWindow);
    requireNotNegative("maxAnnouncedPubkeys", maxAnnouncedPubkeys);
    requirePositive("unclaimedMaxBytes", unclaimedMaxBytes);
    requirePositive("unclaimedMaxEntries", unclaimedMaxEntries);
    requirePositive("unclaimedTtl", unclaimedTtl);
    requireNotNegative("maxContentRefs", maxContentRefs);
    requireNotNegative("junkLimit", junkLimit);
    requirePositive("junkWindow", junkWindow);
    requirePositive("verifyThreads", verifyThreads);
    requirePositive("backpressureRecheck", backpressureRecheck);
    requirePositive("reconnectInitial", reconnectInitial);
    requirePositive("reconnectMax", reconnectMax);
    if (reconnectMax.compareTo(reconnectInitial) < 0) {
      throw new IllegalArgumentException(
          "Expected reconnectMax >= reconnectInitial ("
              + reconnectInitial
              + ") but was "
              + reconnectMax);
    }
    if (!(reconnectJitter >= 0 && reconnectJitter < 1)) {
      throw new IllegalArgumentException(
          "Expected 0 <= reconnectJitter < 1 but was " + reconnectJitter);
    }
    requirePositive("fullHistoryPageSize", fullHistoryPageSize);
  }

  /** The default settings. */
  public static SyncConfig defaults() {
    return DEFAULT;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.gossipInterval = gossipInterval;
    b.gossipExpiry = gossipExpiry;
    b.maxMissingHashes = maxMissingHashes;
    b.requestCooldown = requestCooldown;
    b.gossipFanout = gossipFanout;
    b.maxGossipRequestsPerTick = maxGossipRequestsPerTick;
    b.maxPendingRequests = maxPendingRequests;
    b.maxPendingVerifications = maxPendingVerifications;
    b.resumeWatermark = resumeWatermark;
    b.latestAnnounceWindow = latestAnnounceWindow;
    b.maxAnnouncedPubkeys = maxAnnouncedPubkeys;
    b.unclaimedMaxBytes = unclaimedMaxBytes;
    b.unclaimedMaxEntries = unclaimedMaxEntries;
    b.unclaimedTtl = unclaimedTtl;
    b.maxContentRefs = maxContentRefs;
    b.junkLimit = junkLimit;
    b.junkWindow = junkWindow;
    b.verifyThreads = verifyThreads;
    b.backpressureRecheck = backpressureRecheck;
    b.reconnectInitial = reconnectInitial;
    b.reconnectMax = reconnectMax;
    b.reconnectJitter = reconnectJitter;
    b.fullHistory = fullHistory;
    b.fullHistoryPageSize = fullHistoryPageSize;
    return b;
  }

  /** Frames admitted beyond which further frames are dropped: twice the pause threshold. */
  int hardPendingLimit() {
    return maxPendingVerifications > Integer.MAX_VALUE / 2
        ? Integer.MAX_VALUE
        : 2 * maxPendingVerifications;
  }

  /** Builds a {@link SyncConfig}; not thread-safe. */
  public static final class Builder {
    private Duration gossipInterval = Duration.ofSeconds(10);
    private Duration gossipExpiry = Duration.ofMinutes(2);
    private int maxMissingHashes = 10_000;
    private Duration requestCooldown = Duration.ofSeconds(30);
    private int gossipFanout = 3;
    private int maxGossipRequestsPerTick = 1_000;
    private int maxPendingRequests = 10_000;
    private int maxPendingVerifications = 4_096;
    private int resumeWatermark = 1_024;
    private Duration latestAnnounceWindow = Duration.ofHours(24);
    private int maxAnnouncedPubkeys = 1_000;
    private long unclaimedMaxBytes = 16L * 1024 * 1024;
    private int unclaimedMaxEntries = 16_384;
    private Duration unclaimedTtl = Duration.ofSeconds(60);
    private int maxContentRefs = 64;
    private int junkLimit = 100;
    private Duration junkWindow = Duration.ofMinutes(1);
    private int verifyThreads = Runtime.getRuntime().availableProcessors();
    private Duration backpressureRecheck = Duration.ofMillis(100);
    private Duration reconnectInitial = Duration.ofSeconds(1);
    private Duration reconnectMax = Duration.ofSeconds(30);
    private double reconnectJitter = 0.2;
    private boolean fullHistory;
    private int fullHistoryPageSize = 1_000;

    private Builder() {}

    /** See {@link SyncConfig#gossipInterval()}. */
    public Builder gossipInterval(Duration value) {
      this.gossipInterval = value;
      return this;
    }

    /** See {@link SyncConfig#gossipExpiry()}. */
    public Builder gossipExpiry(Duration value) {
      this.gossipExpiry = value;
      return this;
    }

    /** See {@link SyncConfig#maxMissingHashes()}. */
    public Builder maxMissingHashes(int value) {
      this.maxMissingHashes = value;
      return this;
    }

    /** See {@link SyncConfig#requestCooldown()}. */
    public Builder requestCooldown(Duration value) {
      this.requestCooldown = value;
      return this;
    }

    /** See {@link SyncConfig#gossipFanout()}. */
    public Builder gossipFanout(int value) {
      this.gossipFanout = value;
      return this;
    }

    /** See {@link SyncConfig#maxGossipRequestsPerTick()}. */
    public Builder maxGossipRequestsPerTick(int value) {
      this.maxGossipRequestsPerTick = value;
      return this;
    }

    /** See {@link SyncConfig#maxPendingRequests()}. */
    public Builder maxPendingRequests(int value) {
      this.maxPendingRequests = value;
      return this;
    }

    /** See {@link SyncConfig#maxPendingVerifications()}. */
    public Builder maxPendingVerifications(int value) {
      this.maxPendingVerifications = value;
      return this;
    }

    /** See {@link SyncConfig#resumeWatermark()}. */
    public Builder resumeWatermark(int value) {
      this.resumeWatermark = value;
      return this;
    }

    /** See {@link SyncConfig#latestAnnounceWindow()}. */
    public Builder latestAnnounceWindow(Duration value) {
      this.latestAnnounceWindow = value;
      return this;
    }

    /** See {@link SyncConfig#maxAnnouncedPubkeys()}. */
    public Builder maxAnnouncedPubkeys(int value) {
      this.maxAnnouncedPubkeys = value;
      return this;
    }

    /** See {@link SyncConfig#unclaimedMaxBytes()}. */
    public Builder unclaimedMaxBytes(long value) {
      this.unclaimedMaxBytes = value;
      return this;
    }

    /** See {@link SyncConfig#unclaimedMaxEntries()}. */
    public Builder unclaimedMaxEntries(int value) {
      this.unclaimedMaxEntries = value;
      return this;
    }

    /** See {@link SyncConfig#unclaimedTtl()}. */
    public Builder unclaimedTtl(Duration value) {
      this.unclaimedTtl = value;
      return this;
    }

    /** See {@link SyncConfig#maxContentRefs()}. */
    public Builder maxContentRefs(int value) {
      this.maxContentRefs = value;
      return this;
    }

    /** See {@link SyncConfig#junkLimit()}. */
    public Builder junkLimit(int value) {
      this.junkLimit = value;
      return this;
    }

    /** See {@link SyncConfig#junkWindow()}. */
    public Builder junkWindow(Duration value) {
      this.junkWindow = value;
      return this;
    }

    /** See {@link SyncConfig#verifyThreads()}. */
    public Builder verifyThreads(int value) {
      this.verifyThreads = value;
      return this;
    }

    /** See {@link SyncConfig#backpressureRecheck()}. */
    public Builder backpressureRecheck(Duration value) {
      this.backpressureRecheck = value;
      return this;
    }

    /** See {@link SyncConfig#reconnectInitial()}. */
    public Builder reconnectInitial(Duration value) {
      this.reconnectInitial = value;
      return this;
    }

    /** See {@link SyncConfig#reconnectMax()}. */
    public Builder reconnectMax(Duration value) {
      this.reconnectMax = value;
      return this;
    }

    /** See {@link SyncConfig#reconnectJitter()}. */
    public Builder reconnectJitter(double value) {
      this.reconnectJitter = value;
      return this;
    }

    /** See {@link SyncConfig#fullHistory()}. */
    public Builder fullHistory(boolean value) {
      this.fullHistory = value;
      return this;
    }

    /** See {@link SyncConfig#fullHistoryPageSize()}. */
    public Builder fullHistoryPageSize(int value) {
      this.fullHistoryPageSize = value;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalArgumentException if a setting is out of range
     */
    public SyncConfig build() {
      return new SyncConfig(
          gossipInterval,
          gossipExpiry,
          maxMissingHashes,
          requestCooldown,
          gossipFanout,
          maxGossipRequestsPerTick,
          maxPendingRequests,
          maxPendingVerifications,
          resumeWatermark,
          latestAnnounceWindow,
          maxAnnouncedPubkeys,
          unclaimedMaxBytes,
          unclaimedMaxEntries,
          unclaimedTtl,
          maxContentRefs,
          junkLimit,
          junkWindow,
          verifyThreads,
          backpressureRecheck,
          reconnectInitial,
          reconnectMax,
          reconnectJitter,
          fullHistory,
          fullHistoryPageSize);
    }
  }
}
