package dev.grapevine.tests.events;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bare WebSocket client that never answers pings with pongs (the JDK's client always does). With
 * {@code talk}, it answers each ping with a text frame instead; otherwise it sends nothing.
 */
final class RawWs implements AutoCloseable {
  private final NioEventLoopGroup group =
      new NioEventLoopGroup(1, (java.util.concurrent.ThreadFactory) r -> new Thread(r, "raw-ws"));
  private final CompletableFuture<Void> handshaken = new CompletableFuture<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final AtomicInteger pings = new AtomicInteger();
  private final boolean talk;
  private Channel channel;

  private RawWs(boolean talk) {
    this.talk = talk;
  }

  static RawWs open(URI uri, boolean talk) {
    RawWs s = new RawWs(talk);
    WebSocketClientHandshaker handshaker =
        WebSocketClientHandshakerFactory.newHandshaker(
            uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 20);
    s.channel =
        new Bootstrap()
            .group(s.group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16))
                        .addLast(s.new Reader(handshaker));
                  }
                })
            .connect(uri.getHost(), uri.getPort())
            .syncUninterruptibly()
            .channel();
    // The handshake is sent from channelActive, on the event loop: sent from here, its write
    // listener could run after the server's answer had already replaced the HTTP codec.
    s.handshaken.orTimeout(10, TimeUnit.SECONDS).join();
    return s;
  }

  int pings() {
    return pings.get();
  }

  boolean isOpen() {
    return channel.isActive() && !closeCode.isDone();
  }

  int awaitCloseCode() {
    return closeCode.orTimeout(20, TimeUnit.SECONDS).join();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private final class Reader extends SimpleChannelInboundHandler<Object> {
    private final WebSocketClientHandshaker handshaker;

    Reader(WebSocketClientHandshaker handshaker) {
      this.handshaker = handshaker;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      handshaker.handshake(ctx.channel());
      super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
      if (!handshaker.isHandshakeComplete()) {
        handshaker.finishHandshake(ctx.channel(), (FullHttpResponse) msg);
        handshaken.complete(null);
        return;
      }
      WebSocketFrame frame = (WebSocketFrame) msg;
      if (frame instanceof PingWebSocketFrame) {
        pings.incrementAndGet();
        if (talk) {
          ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"auth\"}"));
        }
      } else if (frame instanceof CloseWebSocketFrame) {
        closeCode.complete(((CloseWebSocketFrame) frame).statusCode());
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeCode.complete(1006);
    }
  }
}
