package dev.grapevine.tests.conformance;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
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
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A bare WebSocket client for frames that the JDK's client refuses to produce: it writes a text
 * frame with any bytes as its payload (invalid UTF-8 included), with no validation on its side.
 * Built from Netty's client handshaker and frame codec; runs on one thread named {@code raw-ws}.
 */
final class RawSocket implements AutoCloseable {
  private static final ThreadFactory THREADS = r -> new Thread(r, "raw-ws");

  private final NioEventLoopGroup group = new NioEventLoopGroup(1, THREADS);
  private final CompletableFuture<Void> handshaken = new CompletableFuture<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private Channel channel;

  private RawSocket() {}

  /** Connects and completes the WebSocket handshake. */
  static RawSocket open(URI uri) {
    RawSocket s = new RawSocket();
    try {
      s.start(uri);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  private void start(URI uri) {
    WebSocketClientHandshaker handshaker =
        WebSocketClientHandshakerFactory.newHandshaker(
            uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 20);
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
                        .addLast(new Reader(handshaker));
                  }
                })
            .connect(uri.getHost(), uri.getPort())
            .syncUninterruptibly()
            .channel();
    // The handshake is sent from channelActive, on the event loop: sent from here, its write
    // listener could run after the server's answer had already replaced the HTTP codec.
    handshaken.orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Writes one final text frame whose payload is exactly {@code payload}. */
  void sendTextBytes(byte[] payload) {
    channel
        .writeAndFlush(new TextWebSocketFrame(true, 0, Unpooled.wrappedBuffer(payload)))
        .syncUninterruptibly();
  }

  /** The status code of the node's close frame (1006 if the connection ended without one). */
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
      if (!handshaker.isHandshakeComplete() && msg instanceof FullHttpResponse) {
        handshaker.finishHandshake(ctx.channel(), (FullHttpResponse) msg);
        handshaken.complete(null);
      } else if (msg instanceof CloseWebSocketFrame) {
        closeCode.complete(((CloseWebSocketFrame) msg).statusCode());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeCode.complete(1006);
      handshaken.completeExceptionally(new IllegalStateException("closed during the handshake"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
