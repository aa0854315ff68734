package dev.grapevine.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O threads of one transport: epoll when the native library loads, NIO otherwise. One group
 * serves the server socket, the accepted connections and the dialled ones; threads are named {@code
 * grapevine-io-N}.
 */
final class EventLoops {
  private static final Logger log = LoggerFactory.getLogger(EventLoops.class);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  private final EventLoopGroup group;
  private final Class<? extends ServerSocketChannel> serverChannelClass;
  private final Class<? extends SocketChannel> channelClass;

  private EventLoops(
      EventLoopGroup group,
      Class<? extends ServerSocketChannel> serverChannelClass,
      Class<? extends SocketChannel> channelClass) {
    this.group = group;
    this.serverChannelClass = serverChannelClass;
    this.channelClass = channelClass;
  }

  static EventLoops create(int threads) {
    ThreadFactory factory =
        r -> new FastThreadLocalThread(r, "grapevine-io-" + THREAD_IDS.incrementAndGet());
    if (Epoll.isAvailable()) {
      return new EventLoops(
          new EpollEventLoopGroup(threads, factory),
          EpollServerSocketChannel.class,
          EpollSocketChannel.class);
    }
    log.debug("Native epoll unavailable, using NIO", Epoll.unavailabilityCause());
    return new EventLoops(
        new NioEventLoopGroup(threads, factory),
        NioServerSocketChannel.class,
        NioSocketChannel.class);
  }

  EventLoopGroup group() {
    return group;
  }

  Class<? extends ServerSocketChannel> serverChannelClass() {
    return serverChannelClass;
  }

  Class<? extends SocketChannel> channelClass() {
    return channelClass;
  }

  /** Whether the calling thread is one of these I/O threads. */
  boolean inEventLoop() {
    for (EventExecutor executor : group) {
      if (executor.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  /** Shuts the threads down, running already queued tasks, and waits up to {@code timeout}. */
  void shutdown(Duration timeout) {
    group.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
    try {
      if (!group.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
        log.warn("I/O threads did not stop within {}", timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
