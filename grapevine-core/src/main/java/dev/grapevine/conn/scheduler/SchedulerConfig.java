package dev.grapevine.conn.scheduler;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How a {@link ConnScheduler} chooses whom to dial. Immutable; build with {@link #builder()}. The
 * defaults are ssb-conn's.
 *
 * @param strategy {@link Strategy#COOLDOWN} (ssb-conn 6, the default) or {@link Strategy#TIERED}
 *     (ssb-conn 5)
 * @param role {@link Role#CLIENT} (default) or {@link Role#PUB}: a pub's inbound peers neither
 *     count toward the quotas nor are ever disconnected to meet them
 * @param roomQuota connected rooms to keep (default 5)
 * @param peerQuota connected non-room peers to keep (default 4; the tiered strategy keeps its own
 *     per-tier quotas for non-room peers)
 * @param tickInterval how often the scheduler wakes up to plan (default 2 s)
 * @param updateDelay a tick plans after a random delay in {@code [0.5, 1.5) × updateDelay} (default
 *     1 s), so nodes started together do not dial in step
 * @param wakeupThreshold a tick that fires this much later than it was due means the machine slept:
 *     every connection is reset (default 30 s)
 * @param lanStagingTtl a staged {@code lan} peer not re-staged for this long is unstaged (10 s)
 * @param btStagingTtl a staged {@code bt} peer not re-staged for this long is unstaged (30 s)
 * @param defaultConnectTimeout a dial still connecting after this long is cancelled (10 s), unless
 *     {@code connectTimeouts} has the peer's type
 * @param connectTimeouts connect timeouts by peer type (default {@code lan} 30 s, {@code
 *     room-attendant-alias} 30 s, {@code bt} 60 s, {@code dht} 300 s)
 * @param roomRotationPeriod how often a full set of empty rooms is rotated (2 min, before the
 *     random factor and the division by √candidates)
 * @param peerRotationPeriod how often a full set of non-room peers is rotated (2 h, likewise)
 * @param excessPeriod how soon peers beyond twice the quota are disconnected (2 min, divided by the
 *     excess, times the random factor)
 * @param hopCooldown the cooldown per hop of social distance (1 s)
 * @param retryBase the cooldown of a peer that never failed (4 s)
 * @param retryStep the cooldown grows by {@code min(64, failures)³ × retryStep} (10 s)
 * @param tieredMaxConnectionAge the tiered strategy disconnects a non-LAN, non-Bluetooth peer
 *     connected this long (30 min)
 * @param tieredDesperateMaxBackoff the tiered strategy's cap on the backoff of its "nothing is
 *     connected" tier (10 min; upstream's 6 s retried dead pubs every few seconds)
 */
public record SchedulerConfig(
    Strategy strategy,
    Role role,
    int roomQuota,
    int peerQuota,
    Duration tickInterval,
    Duration updateDelay,
    Duration wakeupThreshold,
    Duration lanStagingTtl,
    Duration btStagingTtl,
    Duration defaultConnectTimeout,
    Map<String, Duration> connectTimeouts,
    Duration roomRotationPeriod,
    Duration peerRotationPeriod,
    Duration excessPeriod,
    Duration hopCooldown,
    Duration retryBase,
    Duration retryStep,
    Duration tieredMaxConnectionAge,
    Duration tieredDesperateMaxBackoff) {

  /** The largest quota accepted. */
  public static final int MAX_QUOTA = 10_000;

  /** The defaults. */
  public static final SchedulerConfig DEFAULT = builder().build();

  /** Which rules plan the connections. */
  public enum Strategy {
    /** ssb-conn 6: quotas, cooldown scores, rotation. */
    COOLDOWN,
    /** ssb-conn 5: seven tiers of exponential backoff, and connections recycled after 30 min. */
    TIERED
  }

  /** What kind of node runs the scheduler. */
  public enum Role {
    /** Every connected peer counts toward the quotas and may be disconnected to meet them. */
    CLIENT,
    /**
     * A server: only the peers it dialled count toward the quotas and are trimmed or rotated;
     * inbound peers are never disconnected by the scheduler (unless blocked).
     */
    PUB
  }

  /** Validates the fields and copies the map. */
  public SchedulerConfig {
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(role, "role");
    quota("roomQuota", roomQuota);
    quota("peerQuota", peerQuota);
    positive("tickInterval", tickInterval);
    positive("updateDelay", updateDelay);
    positive("wakeupThreshold", wakeupThreshold);
    positive("lanStagingTtl", lanStagingTtl);
    positive("btStagingTtl", btStagingTtl);
    positive("defaultConnectTimeout", defaultConnectTimeout);
    positive("roomRotationPeriod", roomRotationPeriod);
    positive("peerRotationPeriod", peerRotationPeriod);
    positive("excessPeriod", excessPeriod);
    notNegative("hopCooldown", hopCooldown);
    notNegative("retryBase", retryBase);
    notNegative("retryStep", retryStep);
    positive("tieredMaxConnectionAge", tieredMaxConnectionAge);
    positive("tieredDesperateMaxBackoff", tieredDesperateMaxBackoff);
    if (tickInterval.toMillis() < 10) {
      throw new IllegalArgumentException(
          "Expected a tickInterval of at least 10 ms but was " + tickInterval);
    }
    if (wakeupThreshold.compareTo(tickInterval.plus(updateDelay.multipliedBy(2))) <= 0) {
      throw new IllegalArgumentException(
          "Expected wakeupThreshold above tickInterval + 2 × updateDelay ("
              + tickInterval.plus(updateDelay.multipliedBy(2))
              + ") but was "
              + wakeupThreshold);
    }
    Objects.requireNonNull(connectTimeouts, "connectTimeouts");
    connectTimeouts.forEach(
        (type, d) -> {
          Objects.requireNonNull(type, "connect timeout type");
          positive("connectTimeouts[" + type + "]", d);
        });
    connectTimeouts = Map.copyOf(connectTimeouts);
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder with this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.strategy = strategy;
    b.role = role;
    b.roomQuota = roomQuota;
    b.peerQuota = peerQuota;
    b.tickInterval = tickInterval;
    b.updateDelay = updateDelay;
    b.wakeupThreshold = wakeupThreshold;
    b.lanStagingTtl = lanStagingTtl;
    b.btStagingTtl = btStagingTtl;
    b.defaultConnectTimeout = defaultConnectTimeout;
    b.connectTimeouts = new TreeMap<>(connectTimeouts);
    b.roomRotationPeriod = roomRotationPeriod;
    b.peerRotationPeriod = peerRotationPeriod;
    b.excessPeriod = excessPeriod;
    b.hopCooldown = hopCooldown;
    b.retryBase = retryBase;
    b.retryStep = retryStep;
    b.tieredMaxConnectionAge = tieredMaxConnectionAge;
    b.tieredDesperateMaxBackoff = tieredDesperateMaxBackoff;
    return b;
  }

  /** How long a dial to a peer of {@code type} may stay connecting before it is cancelled. */
  public Duration connectTimeout(String type) {
    return connectTimeouts.getOrDefault(type, defaultConnectTimeout);
  }

  private static void quota(String name, int value) {
    if (value < 0 || value > MAX_QUOTA) {
      throw new IllegalArgumentException(
          "Expected " + name + " from 0 to " + MAX_QUOTA + " but was " + value);
    }
  }

  private static void positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("Expected a positive " + name + " but was " + d);
    }
  }

  private static void notNegative(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException("Expected " + name + " >= 0 but was " + d);
    }
  }

  /** Builds a {@link SchedulerConfig}; not thread-safe. */
  public static final class Builder {
    private Strategy strategy = Strategy.COOLDOWN;
    private Role role = Role.CLIENT;
    private int roomQuota = 5;
    private int peerQuota = 4;
    private Duration tickInterval = Duration.ofSeconds(2);
    private Duration updateDelay = Duration.ofSeconds(1);
    private Duration wakeupThreshold = Duration.ofSeconds(30);
    private Duration lanStagingTtl = Duration.ofSeconds(10);
    private Duration btStagingTtl = Duration.ofSeconds(30);
    private Duration defaultConnectTimeout = Duration.ofSeconds(10);
    private Map<String, Duration> connectTimeouts =
        new TreeMap<>(
            Map.of(
                "lan", Duration.ofSeconds(30),
                "room-attendant-alias", Duration.ofSeconds(30),
                "bt", Duration.ofSeconds(60),
                "dht", Duration.ofSeconds(300)));
    private Duration roomRotationPeriod = Duration.ofMinutes(2);
    private Duration peerRotationPeriod = Duration.ofHours(2);
    private Duration excessPeriod = Duration.ofMinutes(2);
    private Duration hopCooldown = Duration.ofSeconds(1);
    private Duration retryBase = Duration.ofSeconds(4);
    private Duration retryStep = Duration.ofSeconds(10);
    private Duration tieredMaxConnectionAge = Duration.ofMinutes(30);
    private Duration tieredDesperateMaxBackoff = Duration.ofMinutes(10);

    private Builder() {}

    /** See {@link SchedulerConfig#strategy()}. */
    public Builder strategy(Strategy value) {
      this.strategy = Objects.requireNonNull(value, "strategy");
      return this;
    }

    /** See {@link SchedulerConfig#role()}. */
    public Builder role(Role value) {
      this.role = Objects.requireNonNull(value, "role");
      return this;
    }

    /** See {@link SchedulerConfig#roomQuota()}. */
    public Builder roomQuota(int value) {
      this.roomQuota = value;
      return this;
    }

    /** See {@link SchedulerConfig#peerQuota()}. */
    public Builder peerQuota(int value) {
      this.peerQuota = value;
      return this;
    }

    /** See {@link SchedulerConfig#tickInterval()}. */
    public Builder tickInterval(Duration value) {
      this.tickInterval = value;
      return this;
    }

    /** See {@link SchedulerConfig#updateDelay()}. */
    public Builder updateDelay(Duration value) {
      this.updateDelay = value;
      return this;
    }

    /** See {@link SchedulerConfig#wakeupThreshold()}. */
    public Builder wakeupThreshold(Duration value) {
      this.wakeupThreshold = value;
      return this;
    }

    /** See {@link SchedulerConfig#lanStagingTtl()}. */
    public Builder lanStagingTtl(Duration value) {
      this.lanStagingTtl = value;
      return this;
    }

    /** See {@link SchedulerConfig#btStagingTtl()}. */
    public Builder btStagingTtl(Duration value) {
      this.btStagingTtl = value;
      return this;
    }

    /** See {@link SchedulerConfig#defaultConnectTimeout()}. */
    public Builder defaultConnectTimeout(Duration value) {
      this.defaultConnectTimeout = value;
      return this;
    }

    /** Sets the connect timeout of peers of {@code type} (see {@link #connectTimeouts()}). */
    public Builder connectTimeout(String type, Duration value) {
      this.connectTimeouts.put(Objects.requireNonNull(type, "type"), value);
      return this;
    }

    /** See {@link SchedulerConfig#roomRotationPeriod()}. */
    public Builder roomRotationPeriod(Duration value) {
      this.roomRotationPeriod = value;
      return this;
    }

    /** See {@link SchedulerConfig#peerRotationPeriod()}. */
    public Builder peerRotationPeriod(Duration value) {
      this.peerRotationPeriod = value;
      return this;
    }

    /** See {@link SchedulerConfig#excessPeriod()}. */
    public Builder excessPeriod(Duration value) {
      this.excessPeriod = value;
      return this;
    }

    /** See {@link SchedulerConfig#hopCooldown()}. */
    public Builder hopCooldown(Duration value) {
      this.hopCooldown = value;
      return this;
    }

    /** See {@link SchedulerConfig#retryBase()}. */
    public Builder retryBase(Duration value) {
      this.retryBase = value;
      return this;
    }

    /** See {@link SchedulerConfig#retryStep()}. */
    public Builder retryStep(Duration value) {
      this.retryStep = value;
      return this;
    }

    /** See {@link SchedulerConfig#tieredMaxConnectionAge()}. */
    public Builder tieredMaxConnectionAge(Duration value) {
      this.tieredMaxConnectionAge = value;
      return this;
    }

    /** See {@link SchedulerConfig#tieredDesperateMaxBackoff()}. */
    public Builder tieredDesperateMaxBackoff(Duration value) {
      this.tieredDesperateMaxBackoff = value;
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public SchedulerConfig build() {
      return new SchedulerConfig(
          strategy,
          role,
          roomQuota,
          peerQuota,
          tickInterval,
          updateDelay,
          wakeupThreshold,
          lanStagingTtl,
          btStagingTtl,
          defaultConnectTimeout,
          connectTimeouts,
          roomRotationPeriod,
          peerRotationPeriod,
          excessPeriod,
          hopCooldown,
          retryBase,
          retryStep,
          tieredMaxConnectionAge,
          tieredDesperateMaxBackoff);
    }
  }
}
