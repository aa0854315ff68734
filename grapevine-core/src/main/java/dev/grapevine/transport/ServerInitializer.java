package dev.grapevine.transport;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of an accepted connection before it is upgraded:
 *
 * <pre>
 *   [tls] → http (HttpServerCodec) → http-idle → http-aggregator (413 above maxHttpBodyBytes)
 *         → router (HTTP handler or WebSocket upgrade)
 * </pre>
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
  static final String HTTP_CODEC = "http";
  static final String HTTP_IDLE = "http-idle";

  private static final int MAX_INITIAL_LINE_BYTES = 8192;
  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int MAX_CHUNK_BYTES = 64 * 1024;

  private final Transport transport;
  private final TransportConfig config;
  private final SslContext ssl;

  ServerInitializer(Transport transport, TransportConfig config, SslContext ssl) {
    this.transport = transport;
    this.config = config;
    this.ssl = ssl;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    boolean admitted = transport.admit(ch);
    ChannelPipeline p = ch.pipeline();
    if (ssl != null) {
      SslHandler tls = ssl.newHandler(ch.alloc());
      tls.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
      p.addLast("tls", tls);
    }
    p.addLast(
        HTTP_CODEC, new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, MAX_CHUNK_BYTES));
    p.addLast(
        HTTP_IDLE,
        new IdleStateHandler(0, 0, config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
    p.addLast("http-aggregator", new HttpBodyLimiter(config.maxHttpBodyBytes()));
    p.addLast("router", new HttpRouter(transport, config, !admitted));
  }
}
