package dev.grapevine.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Many idle WebSocket clients of one server for {@link ConnectionsBench}, on Netty: each opens a
 * connection from its own loopback source address (bound before connecting, so that every address
 * has its own ephemeral ports), completes the handshake, answers the server's pings with pongs and
 * sends nothing else.
 *
 * <p>Thread-safe. {@link #close()} closes every connection and stops the client's two I/O threads.
 */
final class IdleClients implements AutoCloseable {
  /** Connection attempts in flight at once, well below the server's accept backlog. */
  private static final int MAX_CONNECTING = 256;

  private final URI uri;
  private final EventLoopGroup group;
  private final Class<? extends SocketChannel> channelClass;
  private final List<Channel> open = new CopyOnWriteArrayList<>();
  private final LongAdder pingsAnswered = new LongAdder();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean closingAll;
  private final Map<Integer, Integer> closeCodes = new ConcurrentSkipListMap<>();

  IdleClients(URI uri) {
    this.uri = uri;
    DefaultThreadFactory threads = new DefaultThreadFactory("bench-client", true);
    if (Epoll.isAvailable()) {
      group = new EpollEventLoopGroup(2, threads);
      channelClass = EpollSocketChannel.class;
    } else {
      group = new NioEventLoopGroup(2, threads);
      channelClass = NioSocketChannel.class;
    }
  }

  /**
   * Opens {@code count} connections, client {@code i} from source address {@code 127.0.0.(2 + i /
   * perAddress)}, and returns when all are open or one failed, or when {@code timeoutMillis} pass.
   *
   * @return how many opened; {@link #failure()} says why one could not
   */
  int open(int count, int perAddress, long timeoutMillis) throws InterruptedException {
    Semaphore permits = new Semaphore(MAX_CONNECTING);
    InetSocketAddress server = new InetSocketAddress(uri.getHost(), uri.getPort());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    CompletableFuture<Void> failed = new CompletableFuture<>();
    AtomicInteger opened = new AtomicInteger();
    for (int i = 0; i < count && !failed.isDone(); i++) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        break;
      }
      InetSocketAddress source = new InetSocketAddress(sourceAddress(i, perAddress), 0);
      CompletableFuture<Channel> handshake = new CompletableFuture<>();
      WebSocketClientHandshaker handshaker =
          WebSocketClientHandshakerFactory.newHandshaker(
              uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders());
      ChannelFuture connect =
          new Bootstrap()
              .group(group)
              .channel(channelClass)
              .option(ChannelOption.TCP_NODELAY, true)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(new HttpClientCodec())
                          .addLast(new HttpObjectAggregator(8192))
                          .addLast(new Client(handshaker, handshake));
                    }
                  })
              .connect(server, source);
      connect.addListener(
          f -> {
            if (!f.isSuccess()) {
              handshake.completeExceptionally(f.cause());
            }
          });
      handshake.whenComplete(
          (ch, err) -> {
            if (err != null) {
              failed.completeExceptionally(err);
            } else {
              open.add(ch);
              opened.incrementAndGet();
            }
            permits.release(); // last: the caller reads the counts once every permit is back
          });
    }
    long left = deadline - System.nanoTime();
    if (permits.tryAcquire(MAX_CONNECTING, Math.max(0, left), TimeUnit.NANOSECONDS)) {
      permits.release(MAX_CONNECTING);
    }
    failed.whenComplete((v, err) -> failure.compareAndSet(null, err));
    return opened.get();
  }

  /** Source address of client {@code i}: 127.0.0.2 for the first {@code perAddress}, and so on. */
  static String sourceAddress(int i, int perAddress) {
    int n = 2 + i / perAddress;
    return "127." + (n >> 16 & 0xff) + "." + (n >> 8 & 0xff) + "." + (n & 0xff);
  }

  /** Why a connection could not be opened, or null. */
  Throwable failure() {
    return failure.get();
  }

  /** Connections open now. */
  int openCount() {
    return (int) open.stream().filter(Channel::isActive).count();
  }

  /** Pings from the server answered with a pong, over all connections. */
  long pingsAnswered() {
    return pingsAnswered.sum();
  }

  /** How many connections the server closed with each close code (1006: without a frame). */
  Map<Integer, Integer> closeCodes() {
    return Map.copyOf(closeCodes);
  }

  /** Connections the server closed (close frame or connection ended). */
  int closedByServer() {
    return closedByServer.get();
  }

  @Override
  public void close() {
    closingAll = true;
    for (Channel ch : open) {
      ch.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** One connection: the handshake, then pongs for pings. I/O thread. */
  private final class Client extends SimpleChannelInboundHandler<Object> {
    private final WebSocketClientHandshaker handshaker;
    private final CompletableFuture<Channel> handshake;
    private boolean closing;

    Client(WebSocketClientHandshaker handshaker, CompletableFuture<Channel> handshake) {
      this.handshaker = handshaker;
      this.handshake = handshake;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      handshaker.handshake(ctx.channel());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
      if (!handshaker.isHandshakeComplete()) {
        try {
          handshaker.finishHandshake(ctx.channel(), (FullHttpResponse) msg);
          handshake.complete(ctx.channel());
        } catch (RuntimeException e) {
          handshake.completeExceptionally(e);
          ctx.close();
        }
        return;
      }
      WebSocketFrame frame = (WebSocketFrame) msg;
      if (frame instanceof PingWebSocketFrame) {
        pingsAnswered.increment();
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
      } else if (frame instanceof CloseWebSocketFrame) {
        closing = true;
        closedByServer.incrementAndGet();
        closeCodes.merge(((CloseWebSocketFrame) frame).statusCode(), 1, Integer::sum);
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (handshake.isDone() && !closing && !closingAll) {
        closedByServer.incrementAndGet();
        closeCodes.merge(1006, 1, Integer::sum);
      }
      handshake.completeExceptionally(
          new IllegalStateException("connection closed before the handshake"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      handshake.completeExceptionally(cause);
      ctx.close();
    }
  }
}
