package dev.grapevine.conn.lan;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link LanDiscovery} binds, announces and filters.
 *
 * @param bindAddress the local address to bind (default {@code 0.0.0.0}, every interface)
 * @param port the UDP port to bind and to send beacons to (default {@value #DEFAULT_PORT}); 0 binds
 *     an ephemeral port and sends to that same port number on {@code broadcastAddress}
 * @param broadcastAddress where beacons are sent (default {@code 255.255.255.255})
 * @param interval time between two beacons (default 2 s); the first is sent at start
 * @param maxDatagramBytes longer datagrams are dropped and counted as oversize (default 1024)
 * @param sourceLimit how many datagrams one source IP may have processed per {@code sourceWindow}
 *     (default 20, which leaves room for a few nodes behind one IP); more are dropped and counted
 *     as rate-limited
 * @param sourceWindow the rate limit's fixed window (default 10 s)
 * @param maxSources how many source IPs the rate limiter tracks at once (default 1024); datagrams
 *     from new sources beyond that are dropped while every window is still open
 * @param reuseAddress set {@code SO_REUSEADDR}, so several nodes on one host can share the port
 *     (default true)
 */
public record LanConfig(
    InetAddress bindAddress,
    int port,
    InetAddress broadcastAddress,
    Duration interval,
    int maxDatagramBytes,
    int sourceLimit,
    Duration sourceWindow,
    int maxSources,
    boolean reuseAddress) {
  /** The default port, shared by every node on the network. */
  public static final int DEFAULT_PORT = 8009;

  /** The defaults. */
  public static final LanConfig DEFAULT = builder().build();

  /** Validates the fields. */
  public LanConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(broadcastAddress, "broadcastAddress");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(sourceWindow, "sourceWindow");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("Expected a port from 0 to 65535 but was " + port);
    }
    if (interval.toMillis() < 10) {
      throw new IllegalArgumentException(
          "Expected an interval of at least 10 ms but was " + interval);
    }
    if (maxDatagramBytes < 128 || maxDatagramBytes > 65_507) {
      throw new IllegalArgumentException(
          "Expected maxDatagramBytes from 128 to 65507 but was " + maxDatagramBytes);
    }
    if (sourceLimit < 1) {
      throw new IllegalArgumentException("Expected a positive sourceLimit but was " + sourceLimit);
    }
    if (sourceWindow.isNegative() || sourceWindow.isZero()) {
      throw new IllegalArgumentException(
          "Expected a positive sourceWindow but was " + sourceWindow);
    }
    if (maxSources < 1) {
      throw new IllegalArgumentException("Expected a positive maxSources but was " + maxSources);
    }
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder with this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.bindAddress = bindAddress;
    b.port = port;
    b.broadcastAddress = broadcastAddress;
    b.interval = interval;
    b.maxDatagramBytes = maxDatagramBytes;
    b.sourceLimit = sourceLimit;
    b.sourceWindow = sourceWindow;
    b.maxSources = maxSources;
    b.reuseAddress = reuseAddress;
    return b;
  }

  private static InetAddress ipv4(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Builds a {@link LanConfig}; not thread-safe. */
  public static final class Builder {
    private InetAddress bindAddress = ipv4(0, 0, 0, 0);
    private int port = DEFAULT_PORT;
    private InetAddress broadcastAddress = ipv4(255, 255, 255, 255);
    private Duration interval = Duration.ofSeconds(2);
    private int maxDatagramBytes = 1024;
    private int sourceLimit = 20;
    private Duration sourceWindow = Duration.ofSeconds(10);
    private int maxSources = 1024;
    private boolean reuseAddress = true;

    private Builder() {}

    /** See {@link LanConfig#bindAddress()}. */
    public Builder bindAddress(InetAddress value) {
      this.bindAddress = value;
      return this;
    }

    /** See {@link LanConfig#port()}. */
    public Builder port(int value) {
      this.port = value;
      return this;
    }

    /** See {@link LanConfig#broadcastAddress()}. */
    public Builder broadcastAddress(InetAddress value) {
      this.broadcastAddress = value;
      return this;
    }

    /** See {@link LanConfig#interval()}. */
    public Builder interval(Duration value) {
      this.interval = value;
      return this;
    }

    /** See {@link LanConfig#maxDatagramBytes()}. */
    public Builder maxDatagramBytes(int value) {
      this.maxDatagramBytes = value;
      return this;
    }

    /** See {@link LanConfig#sourceLimit()}. */
    public Builder sourceLimit(int value) {
      this.sourceLimit = value;
      return this;
    }

    /** See {@link LanConfig#sourceWindow()}. */
    public Builder sourceWindow(Duration value) {
      this.sourceWindow = value;
      return this;
    }

    /** See {@link LanConfig#maxSources()}. */
    public Builder maxSources(int value) {
      this.maxSources = value;
      return this;
    }

    /** See {@link LanConfig#reuseAddress()}. */
    public Builder reuseAddress(boolean value) {
      this.reuseAddress = value;
      return this;
    }

    /** The config; validates it. */
    public LanConfig build() {
      return new LanConfig(
          bindAddress,
          port,
          broadcastAddress,
          interval,
          maxDatagramBytes,
          sourceLimit,
          sourceWindow,
          maxSources,
          reuseAddress);
    }
  }
}
