package dev.grapevine.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's network: one Netty server serving HTTP and WebSocket on one port, and a client for
 * outgoing {@code ws://} and {@code wss://} links. Protocols see only {@link PeerLink} and {@link
 * LinkHandler}.
 *
 * <p><b>Routing.</b> A WebSocket upgrade on a path registered in {@code surfaces} (for example
 * {@code /mesh}) goes to that surface's handler. An upgrade on any other path that is not reserved
 * goes to the {@code anproto} handler, as the reference pub accepts upgrades on any path. Reserved
 * paths ({@code /mesh}, {@code /ws}, {@code /ws/...}, {@code /all}, {@code /latest}, {@code
 * /gossip}, {@code /gossip/...}, {@code /metrics}, {@code /api}, {@code /api/...}) without a
 * registered surface answer an upgrade with 404 {@code {"error":"not_found"}}. Every other request
 * goes to the {@link HttpHandler}.
 *
 * <p><b>Admission.</b> Before the handshake the chosen handler's {@link LinkHandler#admit} sees the
 * upgrade request (path, query, headers, remote address) and may refuse it with an HTTP answer
 * (counted in {@link TransportStats#refusedUpgrades()}) or accept it with a handler and {@link
 * LinkSettings} of its own for that link. The ANProto handler accepts everything.
 *
 * <p><b>Limits.</b> Messages over {@link TransportConfig#maxFrameBytes()} close the link with 1009;
 * bodies over {@link TransportConfig#maxHttpBodyBytes()} get 413 {@code
 * {"error":"payload_too_large"}}; a failed handler future gets 500 {@code
 * {"error":"internal_error"}}; connections over {@link TransportConfig#maxConnections()} get 503
 * {@code {"error":"too_many_connections"}} and are closed.
 *
 * <p><b>Backpressure.</b> {@link PeerLink#send} never blocks. Above {@link
 * TransportConfig#maxOutboundBytes()} of unsent bytes a link is unwritable; if it stays so for
 * {@link TransportConfig#slowConsumerTimeout()}, or its queue would pass twice the bound, it closes
 * with {@link CloseReason#SLOW_CONSUMER}. {@link PeerLink#setReading} pauses reading from a peer.
 *
 * <p><b>Threads.</b> All network work runs on {@link TransportConfig#ioThreads()} I/O threads named
 * {@code grapevine-io-N}; each connection stays on one of them, and its {@link LinkHandler} and
 * {@link HttpHandler} calls come from that thread. Host names of dialled URIs are resolved on up to
 * two {@code grapevine-resolve-N} threads so that DNS never blocks an I/O thread. The methods of
 * this class may be called from any thread; {@link #close()} blocks and must not be called from an
 * I/O thread.
 *
 * <p><b>Lifecycle.</b> {@link #start} returns once the port is bound. {@link #close()} stops
 * accepting, sends close 1001 ({@link CloseReason#SHUTDOWN}) on every link, waits up to {@link
 * TransportConfig#closeGracePeriod()} for the links to finish, cuts what is left, and stops the
 * threads; every open link gets its {@code onClose}. Closing twice is harmless.
 */
public final class Transport implements Dialer, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);
  private static final AtomicInteger RESOLVER_THREAD_IDS = new AtomicInteger();

  /** How long close() waits for force-closed channels to report, after the grace period. */
  private static final Duration FORCED_CLOSE_WAIT = Duration.ofSeconds(2);

  private final TransportConfig config;
  private final Surfaces surfaces;
  private final HttpHandler http;
  private final EventLoops loops;
  private final WriteBufferWaterMark waterMark;
  private final ThreadPoolExecutor resolver;
  private final Map<String, WebSocketLink> links = new ConcurrentHashMap<>();

  /**
   * Dials waiting for DNS, which close() fails; once a dial has a channel, closing the channel
   * fails it (on its I/O thread, so never after its onOpen).
   */
  private final Map<CompletableFuture<PeerLink>, URI> resolving = new ConcurrentHashMap<>();

  /** Every open connection, inbound and outbound, HTTP or WebSocket, for close(). */
  private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

  private final AtomicInteger inboundConnections = new AtomicInteger();
  private final LinkCounters counters = new LinkCounters();
  private final LinkSettings defaultSettings;
  private final java.util.concurrent.atomic.LongAdder refusedConnections =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder refusedUpgrades =
      new java.util.concurrent.atomic.LongAdder();
  private final AtomicInteger inboundIds = new AtomicInteger();
  private final AtomicInteger outboundIds = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object clientSslLock = new Object();

  /** Built on the first wss:// dial; guarded by clientSslLock. */
  private SslContext clientSsl;

  private final Channel serverChannel;
  private final InetSocketAddress localAddress;

  private Transport(
      TransportConfig config,
      LinkHandler anproto,
      Map<String, LinkHandler> surfaces,
      HttpHandler http) {
    this.config = Objects.requireNonNull(config, "config");
    this.surfaces = new Surfaces(anproto, surfaces);
    this.http = Objects.requireNonNull(http, "http");
    this.defaultSettings = LinkSettings.of(config);
    int high = config.maxOutboundBytes();
    this.waterMark = new WriteBufferWaterMark(high / 2, high);
    SslContext serverSsl;
    try {
      serverSsl = TlsContexts.server(config);
    } catch (SSLException e) {
      throw new UncheckedIOException("Cannot load the TLS certificate or key", e);
    }
    this.loops = EventLoops.create(config.ioThreads());
    this.resolver =
        new ThreadPoolExecutor(
            2,
            2,
            10,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t =
                  new Thread(r, "grapevine-resolve-" + RESOLVER_THREAD_IDS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    resolver.allowCoreThreadTimeOut(true);
    ChannelFuture bind =
        new ServerBootstrap()
            .group(loops.group())
            .channel(loops.serverChannelClass())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
            .childHandler(new ServerInitializer(this, config, serverSsl))
            .bind(config.bindHost(), config.port())
            .awaitUninterruptibly();
    if (!bind.isSuccess()) {
      stopThreads();
      Throwable cause = bind.cause();
      String where = config.bindHost() + ":" + config.port();
      if (cause instanceof IOException) {
        throw new UncheckedIOException("Cannot bind " + where, (IOException) cause);
      }
      throw new IllegalStateException("Cannot bind " + where, cause);
    }
    this.serverChannel = bind.channel();
    this.localAddress = (InetSocketAddress) serverChannel.localAddress();
    log.info(
        "Listening on {}://{} ({} I/O threads)",
        config.tlsEnabled() ? "https" : "http",
        NetUtil.toSocketAddressString(localAddress),
        config.ioThreads());
  }

  /**
   * Starts the server and returns once it is bound.
   *
   * @param config the settings
   * @param anproto the handler of WebSocket links on every path that is neither a registered
   *     surface nor reserved
   * @param surfaces handlers of WebSocket links by exact path, for example {@code "/mesh"}; may be
   *     empty
   * @param http the handler of every request that is not a WebSocket upgrade
   * @throws UncheckedIOException if the address cannot be bound or the TLS files cannot be read
   * @throws IllegalArgumentException if a surface path does not start with {@code /}
   */
  public static Transport start(
      TransportConfig config,
      LinkHandler anproto,
      Map<String, LinkHandler> surfaces,
      HttpHandler http) {
    return new Transport(config, anproto, surfaces, http);
  }

  /** The address the server is bound to; its port is the real one when the config asked for 0. */
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  /** The settings this transport runs with. */
  public TransportConfig config() {
    return config;
  }

  /** Counters and gauges for metrics; cheap, callable from any thread. */
  public TransportStats stats() {
    int inbound = 0;
    int outbound = 0;
    for (WebSocketLink link : links.values()) {
      if (link.direction() == Direction.INBOUND) {
        inbound++;
      } else {
        outbound++;
      }
    }
    return new TransportStats(
        inboundConnections.get(),
        inbound,
        outbound,
        counters.bytesIn.sum(),
        counters.bytesOut.sum(),
        refusedConnections.sum(),
        refusedUpgrades.sum());
  }

  /**
   * Bytes of frames that links accepted for sending and have not yet written to their sockets, over
   * every link: the transport's own accounting of its outbound queues. Each link's share is bounded
   * by twice {@link TransportConfig#maxOutboundBytes()}; a closed link's share is released.
   */
  public long queuedBytes() {
    long total = 0;
    for (WebSocketLink link : links.values()) {
      total += link.queuedBytes();
    }
    return total;
  }

  /**
   * The most bytes any one link has had queued at once since the transport started: at most twice
   * {@link TransportConfig#maxOutboundBytes()} (or one frame larger than that), since a frame that
   * would pass the bound closes the link instead of being queued.
   */
  public long peakQueuedBytes() {
    return counters.peakQueued.get();
  }

  /** A snapshot of the links that are open or closing (onClose not yet called), both directions. */
  public List<PeerLink> links() {
    return List.copyOf(links.values());
  }

  /**
   * Connects to {@code uri} ({@code ws://} or {@code wss://}) and hands the link to {@code
   * handler}. Never blocks: host names are resolved off the I/O threads. The future completes with
   * the link after {@code handler.onOpen} returned, or fails with a {@link DialException} (refused,
   * {@link TransportConfig#connectTimeout()} or {@link TransportConfig#handshakeTimeout()} passed,
   * TLS failed, upgrade refused, transport closed) or an {@link IllegalArgumentException} (not a ws
   * or wss URI); a failed attempt makes no {@code handler} call. Cancelling the future before it
   * completes abandons the attempt.
   */
  @Override
  public CompletableFuture<PeerLink> dial(URI uri, LinkHandler handler) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(handler, "handler");
    CompletableFuture<PeerLink> result = new CompletableFuture<>();
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean secure = scheme.equals("wss");
    if (!secure && !scheme.equals("ws") || uri.getHost() == null) {
      result.completeExceptionally(
          new IllegalArgumentException(
              "Expected a ws:// or wss:// URI with a host but was " + uri));
      return result;
    }
    SslContext ssl;
    try {
      ssl = secure ? clientSsl() : null;
    } catch (SSLException | RuntimeException e) {
      result.completeExceptionally(new DialException(uri, "cannot set up TLS", e));
      return result;
    }
    String host = uri.getHost();
    int port = uri.getPort() != -1 ? uri.getPort() : secure ? 443 : 80;
    resolving.put(result, uri);
    if (closed.get()) {
      resolving.remove(result);
      result.completeExceptionally(new DialException(uri, "the transport is closed", null));
      return result;
    }
    resolve(host)
        .whenComplete(
            (address, error) -> {
              resolving.remove(result);
              if (error != null) {
                result.completeExceptionally(
                    new DialException(uri, "cannot resolve " + host, unwrap(error)));
              } else {
                connect(uri, host, new InetSocketAddress(address, port), ssl, handler, result);
              }
            });
    return result;
  }

  private void connect(
      URI uri,
      String host,
      InetSocketAddress address,
      SslContext ssl,
      LinkHandler handler,
      CompletableFuture<PeerLink> result) {
    if (closed.get() || result.isDone()) {
      result.completeExceptionally(new DialException(uri, "the transport is closed", null));
      return;
    }
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loops.group())
            .channel(loops.channelClass())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (ssl != null) {
                      SslHandler tls = ssl.newHandler(ch.alloc(), host, address.getPort());
                      tls.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
                      p.addLast("tls", tls);
                    }
                    p.addLast("http", new HttpClientCodec());
                    p.addLast("http-aggregator", new HttpObjectAggregator(64 * 1024));
                    p.addLast(
                        "handshake",
                        new ClientHandshakeHandler(Transport.this, config, uri, handler, result));
                  }
                });
    ChannelFuture connecting;
    try {
      connecting = bootstrap.connect(address);
    } catch (RuntimeException e) {
      result.completeExceptionally(new DialException(uri, "cannot connect", e));
      return;
    }
    Channel ch = connecting.channel();
    track(ch);
    connecting.addListener(
        f -> {
          if (!f.isSuccess()) {
            result.completeExceptionally(
                new DialException(uri, "cannot connect to " + address, f.cause()));
          }
        });
    result.whenComplete(
        (link, error) -> {
          if (error instanceof CancellationException) {
            ch.close();
          }
        });
  }

  private CompletableFuture<InetAddress> resolve(String host) {
    String literal =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(literal);
    if (ip != null) {
      try {
        return CompletableFuture.completedFuture(InetAddress.getByAddress(literal, ip));
      } catch (UnknownHostException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    CompletableFuture<InetAddress> resolved = new CompletableFuture<>();
    try {
      resolver.execute(
          () -> {
            try {
              resolved.complete(InetAddress.getByName(host));
            } catch (UnknownHostException | RuntimeException e) {
              resolved.completeExceptionally(e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      resolved.completeExceptionally(new IOException("the transport is closed", e));
    }
    return resolved;
  }

  private SslContext clientSsl() throws SSLException {
    synchronized (clientSslLock) {
      if (clientSsl == null) {
        clientSsl = TlsContexts.client(config);
      }
      return clientSsl;
    }
  }

  /**
   * Stops the server and every link and waits for them, then stops the I/O threads. Blocks for up
   * to {@link TransportConfig#closeGracePeriod()} plus a few seconds. Idempotent.
   *
   * @throws IllegalStateException if called from one of this transport's I/O threads (for example
   *     from a handler), where waiting would deadlock
   */
  @Override
  public void close() {
    if (loops.inEventLoop()) {
      throw new IllegalStateException("Transport.close() must not be called from an I/O thread");
    }
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Duration grace = config.closeGracePeriod();
    serverChannel.close().awaitUninterruptibly(grace.toMillis());

    List<WebSocketLink> closing = new ArrayList<>(links.values());
    Set<Channel> linkChannels = ConcurrentHashMap.newKeySet();
    for (WebSocketLink link : closing) {
      linkChannels.add(link.channel());
      link.terminate(CloseReason.SHUTDOWN, "node shutting down");
    }
    for (Channel ch : channels) {
      if (!linkChannels.contains(ch)) {
        ch.close(); // HTTP connections and dials still in their handshake
      }
    }
    for (Map.Entry<CompletableFuture<PeerLink>, URI> dial : resolving.entrySet()) {
      dial.getKey()
          .completeExceptionally(new DialException(dial.getValue(), "the transport closed", null));
    }
    if (!awaitFinished(closing, grace)) {
      log.debug("Links still closing after {}, cutting them", grace);
    }
    for (Channel ch : channels) {
      ch.close();
    }
    closing.addAll(links.values());
    if (!awaitFinished(closing, FORCED_CLOSE_WAIT)) {
      log.warn("Some links did not report their close within {}", FORCED_CLOSE_WAIT);
    }
    stopThreads();
    log.info("Transport on {} closed", NetUtil.toSocketAddressString(localAddress));
  }

  private void stopThreads() {
    loops.shutdown(config.closeGracePeriod());
    resolver.shutdownNow();
    try {
      resolver.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean awaitFinished(List<WebSocketLink> links, Duration timeout) {
    CompletableFuture<?>[] all =
        links.stream().map(WebSocketLink::finished).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(all).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null
        ? t.getCause()
        : t;
  }

  // ---- package-private hooks for the pipeline handlers (I/O threads) ----

  boolean isClosed() {
    return closed.get();
  }

  Surfaces surfaces() {
    return surfaces;
  }

  HttpHandler http() {
    return http;
  }

  /** Counts an accepted connection; false if it is over the connection limit. */
  boolean admit(Channel ch) {
    int count = inboundConnections.incrementAndGet();
    ch.closeFuture().addListener(f -> inboundConnections.decrementAndGet());
    track(ch);
    if (closed.get()) {
      ch.close();
    }
    boolean admitted = count <= config.maxConnections();
    if (!admitted) {
      refusedConnections.increment();
    }
    return admitted;
  }

  /** Counts an upgrade a surface refused. */
  void upgradeRefused() {
    refusedUpgrades.increment();
  }

  /** The limits of links whose surface did not choose its own. */
  LinkSettings defaultSettings() {
    return defaultSettings;
  }

  private void track(Channel ch) {
    channels.add(ch);
    ch.closeFuture().addListener(f -> channels.remove(ch));
  }

  WebSocketLink newInboundLink(Channel ch, LinkHandler handler, LinkSettings settings) {
    return new WebSocketLink(
        "in-" + inboundIds.incrementAndGet(),
        Direction.INBOUND,
        remoteUri(ch),
        ch,
        handler,
        settings,
        config.closeGracePeriod(),
        counters);
  }

  WebSocketLink newOutboundLink(Channel ch, URI uri, LinkHandler handler) {
    return new WebSocketLink(
        "out-" + outboundIds.incrementAndGet(),
        Direction.OUTBOUND,
        uri,
        ch,
        handler,
        defaultSettings,
        config.closeGracePeriod(),
        counters);
  }

  /** Registers the link and calls its onOpen. I/O thread. */
  void open(WebSocketLink link) {
    links.put(link.id(), link);
    link.finished().whenComplete((v, e) -> links.remove(link.id()));
    link.open();
    if (closed.get()) {
      link.terminate(CloseReason.SHUTDOWN, "node shutting down");
    }
  }

  private static URI remoteUri(Channel ch) {
    InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
    String host =
        remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    try {
      return new URI("ws", null, host, remote.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Unexpected remote address " + remote, e);
    }
  }
}
