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
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Many WebSocket subscribers of one server for {@link FanoutBench}, on Netty (two I/O threads for
 * all of them): each connects from a loopback source address ({@link IdleClients#sourceAddress}),
 * completes the handshake, optionally sends one text frame (a subscription) and waits for an answer
 * containing a given text, then hands every text frame it receives to a {@link Receiver} with its
 * arrival time. Pings are answered.
 *
 * <p>Thread-safe. {@link #close()} closes every connection and stops the I/O threads.
 */
final class Subscribers implements AutoCloseable {
  /** Connection attempts in flight at once, well below the server's accept backlog. */
  private static final int MAX_CONNECTING = 128;

  /** Where the text frames go. Called on an I/O thread; one subscriber's calls are sequential. */
  @FunctionalInterface
  interface Receiver {
    /**
     * Subscriber {@code subscriber} received {@code text} at {@code nanos} ({@link
     * System#nanoTime()}).
     */
    void received(int subscriber, String text, long nanos);
  }

  private final URI uri;
  private final String subscribe;
  private final String subscribed;
  private final Receiver receiver;
  private final EventLoopGroup group;
  private final Class<? extends SocketChannel> channelClass;
  private final List<Channel> open = new CopyOnWriteArrayList<>();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private volatile boolean closingAll;

  /**
   * Subscribers of {@code uri}. If {@code subscribe} is not null, each sends it after the handshake
   * and counts as open once a frame containing {@code subscribed} arrives (frames before that are
   * not handed to the receiver).
   */
  Subscribers(URI uri, String subscribe, String subscribed, Receiver receiver) {
    this.uri = uri;
    this.subscribe = subscribe;
    this.subscribed = subscribed;
    this.receiver = receiver;
    DefaultThreadFactory threads = new DefaultThreadFactory("bench-subscriber", true);
    if (Epoll.isAvailable()) {
      group = new EpollEventLoopGroup(2, threads);
      channelClass = EpollSocketChannel.class;
    } else {
      group = new NioEventLoopGroup(2, threads);
      channelClass = NioSocketChannel.class;
    }
  }

  /**
   * Opens {@code count} subscribers, number {@code i} from {@code IdleClients.sourceAddress(i,
   * perAddress)}, and returns when all are subscribed, one failed, or {@code timeoutMillis} passed.
   *
   * @throws IllegalStateException naming the first failure, or the count opened at the timeout
   */
  void open(int count, int perAddress, long timeoutMillis) throws InterruptedException {
    Semaphore permits = new Semaphore(MAX_CONNECTING);
    InetSocketAddress server = new InetSocketAddress(uri.getHost(), uri.getPort());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger opened = new AtomicInteger();
    for (int i = 0; i < count && failure.get() == null; i++) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        break;
      }
      int index = i;
      CompletableFuture<Channel> ready = new CompletableFuture<>();
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
                          .addLast(new Client(index, handshaker, ready));
                    }
                  })
              .connect(server, new InetSocketAddress(IdleClients.sourceAddress(i, perAddress), 0));
      connect.addListener(
          f -> {
            if (!f.isSuccess()) {
              ready.completeExceptionally(f.cause());
            }
          });
      ready.whenComplete(
          (ch, err) -> {
            if (err != null) {
              failure.compareAndSet(null, err);
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
    if (failure.get() != null) {
      throw new IllegalStateException(
          "Subscriber could not open (" + opened.get() + " of " + count + " did)", failure.get());
    }
    if (opened.get() < count) {
      throw new IllegalStateException(
          "Opened " + opened.get() + " of " + count + " subscribers before the timeout");
    }
  }

  /** Subscribers whose connection the server closed. */
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

  /** One subscriber: the handshake, the subscription, then text frames to the receiver. */
  private final class Client extends SimpleChannelInboundHandler<Object> {
    private final int index;
    private final WebSocketClientHandshaker handshaker;
    private final CompletableFuture<Channel> ready;
    private boolean closing;

    Client(int index, WebSocketClientHandshaker handshaker, CompletableFuture<Channel> ready) {
      this.index = index;
      this.handshaker = handshaker;
      this.ready = ready;
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
          // Frames of the server's largest size (the event API allows 1 MiB) arrive whole.
          ctx.pipeline().addBefore(ctx.name(), "aggregator", new WebSocketFrameAggregator(1 << 20));
          if (subscribe == null) {
            ready.complete(ctx.channel());
          } else {
            ctx.writeAndFlush(new TextWebSocketFrame(subscribe));
          }
        } catch (RuntimeException e) {
          ready.completeExceptionally(e);
          ctx.close();
        }
        return;
      }
      long now = System.nanoTime();
      WebSocketFrame frame = (WebSocketFrame) msg;
      if (frame instanceof TextWebSocketFrame) {
        String text = ((TextWebSocketFrame) frame).text();
        if (ready.isDone()) {
          receiver.received(index, text, now);
        } else if (text.contains(subscribed)) {
          ready.complete(ctx.channel());
        }
      } else if (frame instanceof PingWebSocketFrame) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
      } else if (frame instanceof CloseWebSocketFrame) {
        closing = true;
        closedByServer.incrementAndGet();
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (ready.isDone() && !closing && !closingAll) {
        closedByServer.incrementAndGet();
      }
      ready.completeExceptionally(
          new IllegalStateException("connection closed before the subscription"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ready.completeExceptionally(cause);
      ctx.close();
    }
  }
}
