package dev.grapevine.events;

import static dev.grapevine.internal.Checks.requireNotNegative;
import static dev.grapevine.internal.Checks.requirePositive;

import dev.grapevine.transport.LinkSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the event bus and the event API ({@code /ws}). Immutable and validated; build one
 * with {@link #builder()} or take {@link #DEFAULT}. The defaults are PeerVault's documented ones.
 *
 * @param enabled whether the node serves {@code /ws} and its {@code /ws/health}, {@code
 *     /ws/metrics} and {@code /ws/status} routes (default true); the bus runs either way
 * @param maxMessageBytes largest message a client may send (default 1 MiB); larger ones close the
 *     connection with 1009
 * @param messagesPerSecond each client's token-bucket rate, and its burst (default 100)
 * @param maxConnections event API clients at once (default 1,000); more get 503 at the upgrade
 * @param maxConnectionsPerIp event API clients at once from one address (default 1,000); more get
 *     429 at the upgrade
 * @param queueSize events held for one client that is not reading (default 1,024); see the
 *     slow-consumer policy in {@code package-info.java}
 * @param maxOutboundBytes bytes handed to a client's connection before further events wait in its
 *     queue (default 1 MiB)
 * @param readTimeout how long a client that did not authenticate in its upgrade may take to send
 *     its {@code auth} message, when tokens are configured (default 30 s)
 * @param writeTimeout how long a client's connection may stay unable to take more bytes before it
 *     is cut (default 30 s)
 * @param pingPeriod how long a client may be silent before the server sends a WebSocket ping
 *     (default 54 s)
 * @param pongWait how long a client may send nothing at all (any frame counts, pongs included)
 *     before it is closed with 1001 (default 60 s)
 * @param busCapacity events waiting for the event thread; more are dropped and counted (default
 *     65,536)
 * @param systemMetricsInterval how often {@code system_metrics} is published; zero turns it off
 *     (default 10 s)
 * @param alertInterval the least time between two alerts of the same kind; occurrences in between
 *     are counted in the next one (default 60 s)
 * @param storageAlertFreeRatio a {@code storage_alert} is raised while the free share of the data
 *     directory's disk is below this (default 0.10)
 */
public record EventsConfig(
    boolean enabled,
    int maxMessageBytes,
    int messagesPerSecond,
    int maxConnections,
    int maxConnectionsPerIp,
    int queueSize,
    int maxOutboundBytes,
    Duration readTimeout,
    Duration writeTimeout,
    Duration pingPeriod,
    Duration pongWait,
    int busCapacity,
    Duration systemMetricsInterval,
    Duration alertInterval,
    double storageAlertFreeRatio) {

  /** The defaults. */
  public static final EventsConfig DEFAULT = new Builder().build();

  /** Validates every setting. */
  public EventsConfig {
    requirePositive("maxMessageBytes", maxMessageBytes);
    requirePositive("messagesPerSecond", messagesPerSecond);
    requirePositive("maxConnections", maxConnections);
    requirePositive("maxConnectionsPerIp", maxConnectionsPerIp);
    requirePositive("queueSize", queueSize);
    requirePositive("maxOutboundBytes", maxOutboundBytes);
    requirePositive("busCapacity", busCapacity);
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(writeTimeout, "writeTimeout");
    Objects.requireNonNull(pingPeriod, "pingPeriod");
    Objects.requireNonNull(pongWait, "pongWait");
    Objects.requireNonNull(systemMetricsInterval, "systemMetricsInterval");
    Objects.requireNonNull(alertInterval, "alertInterval");
    requirePositive("readTimeout", readTimeout);
    requirePositive("writeTimeout", writeTimeout);
    requirePositive("pingPeriod", pingPeriod);
    requirePositive("pongWait", pongWait);
    requireNotNegative("systemMetricsInterval", systemMetricsInterval);
    requireNotNegative("alertInterval", alertInterval);
    if (!(storageAlertFreeRatio >= 0 && storageAlertFreeRatio <= 1)) {
      throw new IllegalArgumentException(
          "Expected storageAlertFreeRatio in [0, 1] but was " + storageAlertFreeRatio);
    }
    if (pingPeriod.compareTo(pongWait) >= 0) {
      throw new IllegalArgumentException(
          "Expected pingPeriod < pongWait but was "
              + pingPeriod
              + " >= "
              + pongWait
              + " (a healthy client would time out before it is pinged)");
    }
    // Checks the outbound bound with the transport's own rules.
    new LinkSettings(maxMessageBytes, pingPeriod, pongWait, maxOutboundBytes, writeTimeout);
  }

  /** The limits and timers of an event API client's connection. */
  public LinkSettings linkSettings() {
    return new LinkSettings(maxMessageBytes, pingPeriod, pongWait, maxOutboundBytes, writeTimeout);
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.enabled = enabled;
    b.maxMessageBytes = maxMessageBytes;
    b.messagesPerSecond = messagesPerSecond;
    b.maxConnections = maxConnections;
    b.maxConnectionsPerIp = maxConnectionsPerIp;
    b.queueSize = queueSize;
    b.maxOutboundBytes = maxOutboundBytes;
    b.readTimeout = readTimeout;
    b.writeTimeout = writeTimeout;
    b.pingPeriod = pingPeriod;
    b.pongWait = pongWait;
    b.busCapacity = busCapacity;
    b.systemMetricsInterval = systemMetricsInterval;
    b.alertInterval = alertInterval;
    b.storageAlertFreeRatio = storageAlertFreeRatio;
    return b;
  }

  /** Builds an {@link EventsConfig}; not thread-safe. */
  public static final class Builder {
    private boolean enabled = true;
    private int maxMessageBytes = 1024 * 1024;
    private int messagesPerSecond = 100;
    private int maxConnections = 1000;
    private int maxConnectionsPerIp = 1000;
    private int queueSize = 1024;
    private int maxOutboundBytes = 1024 * 1024;
    private Duration readTimeout = Duration.ofSeconds(30);
    private Duration writeTimeout = Duration.ofSeconds(30);
    private Duration pingPeriod = Duration.ofSeconds(54);
    private Duration pongWait = Duration.ofSeconds(60);
    private int busCapacity = 65_536;
    private Duration systemMetricsInterval = Duration.ofSeconds(10);
    private Duration alertInterval = Duration.ofSeconds(60);
    private double storageAlertFreeRatio = 0.10;

    private Builder() {}

    /** See {@link EventsConfig#enabled()}. */
    public Builder enabled(boolean value) {
      this.enabled = value;
      return this;
    }

    /** See {@link EventsConfig#maxMessageBytes()}. */
    public Builder maxMessageBytes(int value) {
      this.maxMessageBytes = value;
      return this;
    }

    /** See {@link EventsConfig#messagesPerSecond()}. */
    public Builder messagesPerSecond(int value) {
      this.messagesPerSecond = value;
      return this;
    }

    /** See {@link EventsConfig#maxConnections()}. */
    public Builder maxConnections(int value) {
      this.maxConnections = value;
      return this;
    }

    /** See {@link EventsConfig#maxConnectionsPerIp()}. */
    public Builder maxConnectionsPerIp(int value) {
      this.maxConnectionsPerIp = value;
      return this;
    }

    /** See {@link EventsConfig#queueSize()}. */
    public Builder queueSize(int value) {
      this.queueSize = value;
      return this;
    }

    /** See {@link EventsConfig#maxOutboundBytes()}. */
    public Builder maxOutboundBytes(int value) {
      this.maxOutboundBytes = value;
      return this;
    }

    /** See {@link EventsConfig#readTimeout()}. */
    public Builder readTimeout(Duration value) {
      this.readTimeout = value;
      return this;
    }

    /** See {@link EventsConfig#writeTimeout()}. */
    public Builder writeTimeout(Duration value) {
      this.writeTimeout = value;
      return this;
    }

    /** See {@link EventsConfig#pingPeriod()}. */
    public Builder pingPeriod(Duration value) {
      this.pingPeriod = value;
      return this;
    }

    /** See {@link EventsConfig#pongWait()}. */
    public Builder pongWait(Duration value) {
      this.pongWait = value;
      return this;
    }

    /** See {@link EventsConfig#busCapacity()}. */
    public Builder busCapacity(int value) {
      this.busCapacity = value;
      return this;
    }

    /** See {@link EventsConfig#systemMetricsInterval()}. */
    public Builder systemMetricsInterval(Duration value) {
      this.systemMetricsInterval = value;
      return this;
    }

    /** See {@link EventsConfig#alertInterval()}. */
    public Builder alertInterval(Duration value) {
      this.alertInterval = value;
      return this;
    }

    /** See {@link EventsConfig#storageAlertFreeRatio()}. */
    public Builder storageAlertFreeRatio(double value) {
      this.storageAlertFreeRatio = value;
      return this;
    }

    /**
     * The validated settings.
     *
     * @throws IllegalArgumentException if a setting is out of range
     */
    public EventsConfig build() {
      return new EventsConfig(
          enabled,
          maxMessageBytes,
          messagesPerSecond,
          maxConnections,
          maxConnectionsPerIp,
          queueSize,
          maxOutboundBytes,
          readTimeout,
          writeTimeout,
          pingPeriod,
          pongWait,
          busCapacity,
          systemMetricsInterval,
          alertInterval,
          storageAlertFreeRatio);
    }
  }
}
