package dev.grapevine.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bare Netty WebSocket client for what well-behaved clients never do: it writes any frame it is
 * given (invalid UTF-8, unmasked frames), never answers pings, and can stop reading.
 */
final class RawClient implements AutoCloseable {
  private static final ThreadFactory THREADS = r -> new Thread(r, "raw-client");

  private final NioEventLoopGroup group = new NioEventLoopGroup(1, THREADS);
  private final List<String> texts = new CopyOnWriteArrayList<>();
  private final AtomicInteger pings = new AtomicInteger();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final CompletableFuture<Void> handshaken = new CompletableFuture<>();
  private Channel channel;

  /** Connects to {@code uri}; {@code mask} false sends unmasked frames (a protocol violation). */
  static RawClient connect(URI uri, boolean mask) {
    RawClient client = new RawClient();
    client.start(uri, mask);
    return client;
  }

  private void start(URI uri, boolean mask) {
    WebSocketClientHandshaker handshaker =
        WebSocketClientHandshakerFactory.newHandshaker(
            uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 20, mask, true);
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16))
                        .addLast(new Recorder(handshaker));
                  }
                })
            .connect(uri.getHost(), uri.getPort())
            .syncUninterruptibly()
            .channel();
    // The handshake is sent from channelActive, on the event loop: sent from here, its write
    // listener could run after the server's answer had already replaced the HTTP codec.
    handshaken.orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Writes {@code frame} as it is. */
  void write(WebSocketFrame frame) {
    channel.writeAndFlush(frame).syncUninterruptibly();
  }

  /** Stops reading from the socket, so the server's writes pile up. */
  void stopReading() {
    channel.config().setAutoRead(false);
  }

  List<String> texts() {
    return List.copyOf(texts);
  }

  int pings() {
    return pings.get();
  }

  /** The status code of the server's close frame. */
  int awaitCloseCode() {
    return closeCode.orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Recorder extends SimpleChannelInboundHandler<Object> {
    private final WebSocketClientHandshaker handshaker;

    Recorder(WebSocketClientHandshaker handshaker) {
      this.handshaker = handshaker;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      handshaker.handshake(ctx.channel());
      super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
      if (!handshaker.isHandshakeComplete() && msg instanceof FullHttpResponse) {
        handshaker.finishHandshake(ctx.channel(), (FullHttpResponse) msg);
        handshaken.complete(null);
      } else if (msg instanceof TextWebSocketFrame) {
        texts.add(((TextWebSocketFrame) msg).text());
      } else if (msg instanceof PingWebSocketFrame) {
        pings.incrementAndGet(); // deliberately no pong
      } else if (msg instanceof CloseWebSocketFrame) {
        closeCode.complete(((CloseWebSocketFrame) msg).statusCode());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeCode.complete(1006);
      handshaken.completeExceptionally(new IllegalStateException("closed during handshake"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
