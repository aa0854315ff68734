package dev.grapevine.transport;

import static dev.grapevine.internal.Checks.requirePositive;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link Transport}. Immutable and validated on construction; build one with {@link
 * #builder()} or take {@link #DEFAULT}.
 *
 * @param bindHost the address the server binds (default {@code 127.0.0.1}; {@code 0.0.0.0} for
 *     every interface)
 * @param port the port the server binds (default 9000; 0 picks a free port, see {@link
 *     Transport#localAddress()})
 * @param maxFrameBytes largest WebSocket message, after reassembly of fragments, in bytes (default
 *     8 MiB: images travel as data URLs); larger messages close the link with {@link
 *     CloseReason#MESSAGE_TOO_BIG}
 * @param maxHttpBodyBytes largest HTTP request body (default 8 MiB + 64 KiB); larger bodies get a
 *     413
 * @param pingInterval how long a link may be silent before we ping the peer (default 20 s)
 * @param idleTimeout how long a link may receive nothing at all, pongs included, before it is
 *     closed with {@link CloseReason#IDLE_TIMEOUT} (default 60 s); also how long an HTTP connection
 *     may sit unused
 * @param maxOutboundBytes the high write-buffer watermark of a link (default 16 MiB). Above it the
 *     link is unwritable; frames still queue up to twice this, beyond which {@link PeerLink#send}
 *     fails and the link closes with {@link CloseReason#SLOW_CONSUMER}
 * @param slowConsumerTimeout how long a link may stay above {@code maxOutboundBytes} before it is
 *     closed with {@link CloseReason#SLOW_CONSUMER} (default 30 s)
 * @param connectTimeout how long {@link Transport#dial} waits for the TCP connection (default 10 s)
 * @param handshakeTimeout how long {@link Transport#dial} waits for the TLS and WebSocket
 *     handshakes once connected, and how long the server waits for a TLS handshake (default 10 s)
 * @param maxConnections most inbound connections (HTTP and WebSocket) at once (default 1000);
 *     further requests get a 503 and their connection is closed
 * @param closeGracePeriod how long a closing link waits for the peer's close frame, and how long
 *     {@link Transport#close()} waits for links to finish (default 2 s)
 * @param ioThreads number of I/O threads (default: the number of available processors)
 * @param tlsCertificateChain PEM file with the server's certificate chain, or {@code null} for a
 *     plain (ws://, http://) server; set together with {@code tlsPrivateKey}
 * @param tlsPrivateKey PEM file with the server's PKCS#8 private key, or {@code null}
 * @param trustedCertificates PEM file of the certificates that wss:// dials trust instead of the
 *     JDK's default trust store (for tests and private deployments with self-signed certificates),
 *     or {@code null} for the JDK's default trust
 */
public record TransportConfig(
    String bindHost,
    int port,
    int maxFrameBytes,
    int maxHttpBodyBytes,
    Duration pingInterval,
    Duration idleTimeout,
    int maxOutboundBytes,
    Duration slowConsumerTimeout,
    Duration connectTimeout,
    Duration handshakeTimeout,
    int maxConnections,
    Duration closeGracePeriod,
    int ioThreads,
    Path tlsCertificateChain,
    Path tlsPrivateKey,
    Path trustedCertificates) {

  /** Default {@link #maxFrameBytes()}: 8 MiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

  /** Default {@link #maxHttpBodyBytes()}: 8 MiB + 64 KiB. */
  public static final int DEFAULT_MAX_HTTP_BODY_BYTES = DEFAULT_MAX_FRAME_BYTES + 64 * 1024;

  /** Default {@link #maxOutboundBytes()}: 16 MiB. */
  public static final int DEFAULT_MAX_OUTBOUND_BYTES = 16 * 1024 * 1024;

  /** Largest {@link #maxOutboundBytes()}: 512 MiB, so that twice it still fits an {@code int}. */
  public static final int MAX_OUTBOUND_BYTES_LIMIT = 512 * 1024 * 1024;

  /** The default settings. */
  public static final TransportConfig DEFAULT = new Builder().build();

  /** Validates every setting. */
  public TransportConfig {
    Objects.requireNonNull(bindHost, "bindHost");
    if (bindHost.isBlank()) {
      throw new IllegalArgumentException("Expected a bindHost but was blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("Expected port in [0, 65535] but was " + port);
    }
    requirePositive("maxFrameBytes", maxFrameBytes);
    requirePositive("maxHttpBodyBytes", maxHttpBodyBytes);
    requirePositive("maxOutboundBytes", maxOutboundBytes);
    if (maxOutboundBytes > MAX_OUTBOUND_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "Expected maxOutboundBytes <= "
              + MAX_OUTBOUND_BYTES_LIMIT
              + " but was "
              + maxOutboundBytes);
    }
    requirePositive("maxConnections", maxConnections);
    requirePositive("ioThreads", ioThreads);
    requirePositive("pingInterval", pingInterval);
    requirePositive("idleTimeout", idleTimeout);
    requirePositive("slowConsumerTimeout", slowConsumerTimeout);
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("handshakeTimeout", handshakeTimeout);
    requirePositive("closeGracePeriod", closeGracePeriod);
    if (pingInterval.compareTo(idleTimeout) >= 0) {
      throw new IllegalArgumentException(
          "Expected pingInterval < idleTimeout but was "
              + pingInterval
              + " >= "
              + idleTimeout
              + " (a healthy peer would time out before it is pinged)");
    }
    if (connectTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "Expected connectTimeout <= " + Integer.MAX_VALUE + " ms but was " + connectTimeout);
    }
    if ((tlsCertificateChain == null) != (tlsPrivateKey == null)) {
      throw new IllegalArgumentException(
          "Expected tlsCertificateChain and tlsPrivateKey both set or both unset but was "
              + tlsCertificateChain
              + " and "
              + tlsPrivateKey);
    }
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder()
        .bindHost(bindHost)
        .port(port)
        .maxFrameBytes(maxFrameBytes)
        .maxHttpBodyBytes(maxHttpBodyBytes)
        .pingInterval(pingInterval)
        .idleTimeout(idleTimeout)
        .maxOutboundBytes(maxOutboundBytes)
        .slowConsumerTimeout(slowConsumerTimeout)
        .connectTimeout(connectTimeout)
        .handshakeTimeout(handshakeTimeout)
        .maxConnections(maxConnections)
        .closeGracePeriod(closeGracePeriod)
        .ioThreads(ioThreads)
        .tls(tlsCertificateChain, tlsPrivateKey)
        .trustedCertificates(trustedCertificates);
  }

  /** Whether the server speaks TLS (wss://, https://). */
  public boolean tlsEnabled() {
    return tlsCertificateChain != null;
  }

  /** Builds a {@link TransportConfig}; not thread-safe. */
  public static final class Builder {
    private String bindHost = "127.0.0.1";
    private int port = 9000;
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private int maxHttpBodyBytes = DEFAULT_MAX_HTTP_BODY_BYTES;
    private Duration pingInterval = Duration.ofSeconds(20);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private int maxOutboundBytes = DEFAULT_MAX_OUTBOUND_BYTES;
    private Duration slowConsumerTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private int maxConnections = 1000;
    private Duration closeGracePeriod = Duration.ofSeconds(2);
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private Path tlsCertificateChain;
    private Path tlsPrivateKey;
    private Path trustedCertificates;

    private Builder() {}

    /** See {@link TransportConfig#bindHost()}. */
    public Builder bindHost(String value) {
      this.bindHost = value;
      return this;
    }

    /** See {@link TransportConfig#port()}. */
    public Builder port(int value) {
      this.port = value;
      return this;
    }

    /** See {@link TransportConfig#maxFrameBytes()}. */
    public Builder maxFrameBytes(int value) {
      this.maxFrameBytes = value;
      return this;
    }

    /** See {@link TransportConfig#maxHttpBodyBytes()}. */
    public Builder maxHttpBodyBytes(int value) {
      this.maxHttpBodyBytes = value;
      return this;
    }

    /** See {@link TransportConfig#pingInterval()}. */
    public Builder pingInterval(Duration value) {
      this.pingInterval = value;
      return this;
    }

    /** See {@link TransportConfig#idleTimeout()}. */
    public Builder idleTimeout(Duration value) {
      this.idleTimeout = value;
      return this;
    }

    /** See {@link TransportConfig#maxOutboundBytes()}. */
    public Builder maxOutboundBytes(int value) {
      this.maxOutboundBytes = value;
      return this;
    }

    /** See {@link TransportConfig#slowConsumerTimeout()}. */
    public Builder slowConsumerTimeout(Duration value) {
      this.slowConsumerTimeout = value;
      return this;
    }

    /** See {@link TransportConfig#connectTimeout()}. */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = value;
      return this;
    }

    /** See {@link TransportConfig#handshakeTimeout()}. */
    public Builder handshakeTimeout(Duration value) {
      this.handshakeTimeout = value;
      return this;
    }

    /** See {@link TransportConfig#maxConnections()}. */
    public Builder maxConnections(int value) {
      this.maxConnections = value;
      return this;
    }

    /** See {@link TransportConfig#closeGracePeriod()}. */
    public Builder closeGracePeriod(Duration value) {
      this.closeGracePeriod = value;
      return this;
    }

    /** See {@link TransportConfig#ioThreads()}. */
    public Builder ioThreads(int value) {
      this.ioThreads = value;
      return this;
    }

    /**
     * Serves TLS with this certificate chain and private key (PEM files), or plain text if both are
     * {@code null}. See {@link TransportConfig#tlsCertificateChain()}.
     */
    public Builder tls(Path certificateChain, Path privateKey) {
      this.tlsCertificateChain = certificateChain;
      this.tlsPrivateKey = privateKey;
      return this;
    }

    /** See {@link TransportConfig#trustedCertificates()}. */
    public Builder trustedCertificates(Path value) {
      this.trustedCertificates = value;
      return this;
    }

    /**
     * The validated settings.
     *
     * @throws IllegalArgumentException if a setting is out of range
     */
    public TransportConfig build() {
      return new TransportConfig(
          bindHost,
          port,
          maxFrameBytes,
          maxHttpBodyBytes,
          pingInterval,
          idleTimeout,
          maxOutboundBytes,
          slowConsumerTimeout,
          connectTimeout,
          handshakeTimeout,
          maxConnections,
          closeGracePeriod,
          ioThreads,
          tlsCertificateChain,
          tlsPrivateKey,
          trustedCertificates);
    }
  }
}
