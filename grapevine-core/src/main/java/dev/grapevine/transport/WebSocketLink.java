package dev.grapevine.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PeerLink} over one Netty channel whose WebSocket handshake is done, inbound or outbound.
 *
 * <p>Threads: {@link #send}, {@link #close}, {@link #setReading} and the accessors may be called
 * from any thread. Everything else (frame delivery, keepalive, the slow-consumer timer, writes to
 * the channel, the {@link LinkHandler} calls) runs on the channel's event loop. Fields marked "I/O
 * thread" are touched only there; the two atomics are the only state shared across threads, and no
 * lock is ever taken.
 *
 * <p>Lifecycle: open (after {@link #open()}) → closing (once {@link #termination} is set, by
 * whichever cause came first) → closed (channel inactive, {@code onClose} reported once).
 */
final class WebSocketLink implements PeerLink {
  private static final Logger log = LoggerFactory.getLogger(WebSocketLink.class);

  /** A close frame carries at most 125 payload bytes, 2 of them the status code. */
  private static final int MAX_CLOSE_REASON_BYTES = 123;

  private final String id;
  private final Direction direction;
  private final URI remote;
  private final Channel channel;
  private final LinkHandler handler;
  private final Duration idleTimeout;
  private final Duration slowConsumerTimeout;
  private final Duration closeGracePeriod;
  private final long maxQueuedBytes;
  private final long maxOutboundBytes;
  private final LinkCounters counters;
  private final FrameHandler frameHandler = new FrameHandler();
  private final Pinger pinger = new Pinger();
  private final Runnable flushTask = this::flushNow;
  private final CompletableFuture<Void> finished = new CompletableFuture<>();

  /** Why the link is closing, set once by the first cause; null while open. Any thread. */
  private final AtomicReference<Termination> termination = new AtomicReference<>();

  /** UTF-8 bytes of frames accepted by {@link #send} and not yet written out. Any thread. */
  private final AtomicLong queuedBytes = new AtomicLong();

  /**
   * Set when {@link #isWritable()} answered false; the write that drains the queue to half the
   * bound clears it and calls the handler's {@code onWritable}. Any thread.
   */
  private final AtomicBoolean blocked = new AtomicBoolean();

  /** I/O thread: {@code onOpen} was called. */
  private boolean opened;

  /** I/O thread: {@code onClose} was called (or the link closed before it opened). */
  private boolean reported;

  /** I/O thread: our close frame is written; no frame may follow it. */
  private boolean closeFrameSent;

  /** I/O thread: a flush of queued data frames is scheduled. */
  private boolean flushScheduled;

  /** I/O thread: fires if the channel stays unwritable for the slow-consumer timeout. */
  private ScheduledFuture<?> slowConsumerTimer;

  /** I/O thread: closes the channel if the peer does not answer our close frame in time. */
  private ScheduledFuture<?> graceTimer;

  private record Termination(CloseReason reason, String detail) {}

  WebSocketLink(
      String id,
      Direction direction,
      URI remote,
      Channel channel,
      LinkHandler handler,
      LinkSettings settings,
      Duration closeGracePeriod,
      LinkCounters counters) {
    this.id = id;
    this.direction = direction;
    this.remote = remote;
    this.channel = channel;
    this.handler = handler;
    this.idleTimeout = settings.idleTimeout();
    this.slowConsumerTimeout = settings.slowConsumerTimeout();
    this.closeGracePeriod = closeGracePeriod;
    this.maxOutboundBytes = settings.maxOutboundBytes();
    this.maxQueuedBytes = 2L * settings.maxOutboundBytes();
    this.counters = counters;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Direction direction() {
    return direction;
  }

  @Override
  public URI remote() {
    return remote;
  }

  @Override
  public boolean isOpen() {
    return termination.get() == null && channel.isActive();
  }

  @Override
  public boolean send(String frame) {
    Objects.requireNonNull(frame, "frame");
    if (termination.get() != null) {
      return false;
    }
    int size = ByteBufUtil.utf8Bytes(frame);
    // Reserve the bytes only if they fit, so that the count never passes the bound, not even for
    // a moment while senders on several threads race. One frame larger than the bound still goes
    // out when nothing else is queued.
    while (true) {
      long queued = queuedBytes.get();
      if (queued + size > maxQueuedBytes && queued != 0) {
        terminate(
            CloseReason.SLOW_CONSUMER,
            "outbound queue would exceed " + maxQueuedBytes + " bytes; the peer is not reading");
        return false;
      }
      if (queuedBytes.compareAndSet(queued, queued + size)) {
        counters.peakQueued.accumulate(queued + size);
        break;
      }
    }
    ByteBuf payload = channel.alloc().buffer(size);
    ByteBufUtil.reserveAndWriteUtf8(payload, frame, size);
    TextWebSocketFrame text = new TextWebSocketFrame(payload);
    if (!runOnLoop(() -> writeData(text, size))) {
      text.release();
      queuedBytes.addAndGet(-size);
      return false;
    }
    return true;
  }

  @Override
  public boolean isWritable() {
    if (termination.get() != null || !channel.isActive()) {
      return false;
    }
    if (queuedBytes.get() < maxOutboundBytes) {
      return true;
    }
    blocked.set(true);
    // A write that completed between the two reads would not have seen the flag.
    return queuedBytes.get() < maxOutboundBytes;
  }

  @Override
  public void close(CloseReason reason, String detail) {
    terminate(reason, detail);
  }

  @Override
  public void setReading(boolean reading) {
    if (termination.get() == null) {
      channel.config().setAutoRead(reading);
    }
  }

  @Override
  public String toString() {
    return id + " " + remote;
  }

  /** The channel this link runs on. */
  Channel channel() {
    return channel;
  }

  /** Completes on the I/O thread after {@code onClose} returned (or the link closed unopened). */
  CompletableFuture<Void> finished() {
    return finished;
  }

  /** Bytes accepted by {@link #send} and not yet written to the socket. */
  long queuedBytes() {
    return queuedBytes.get();
  }

  /** The handler at the end of the pipeline that receives frames and channel events. */
  ChannelHandler frameHandler() {
    return frameHandler;
  }

  /** Consumes the ping timer's idle events and pings the peer. */
  ChannelHandler pinger() {
    return pinger;
  }

  /** Calls {@code onOpen}. I/O thread, once, after the pipeline is installed. */
  void open() {
    assert channel.eventLoop().inEventLoop();
    opened = true;
    log.debug("Link {} open to {}", id, remote);
    try {
      handler.onOpen(this);
    } catch (RuntimeException e) {
      handlerFailed("onOpen", e);
    }
    if (!channel.isActive()) {
      // The connection ended before the pipeline saw it; channelInactive will not come again.
      reportClosed();
    }
  }

  /**
   * Starts closing for {@code reason}, if no other cause came first. Any thread. Slow consumers and
   * lost connections are cut at once; otherwise a close frame is sent and the peer has the grace
   * period to answer it.
   */
  void terminate(CloseReason reason, String detail) {
    Objects.requireNonNull(reason, "reason");
    String words = detail == null ? "" : detail;
    if (!termination.compareAndSet(null, new Termination(reason, words))) {
      return;
    }
    if (!runOnLoop(() -> startClosing(reason, words))) {
      channel.close();
    }
  }

  private void startClosing(CloseReason reason, String detail) {
    if (reported || !channel.isActive()) {
      channel.close();
      return;
    }
    switch (reason) {
      case SLOW_CONSUMER:
      case CONNECTION_LOST:
        // A close frame would wait behind the bytes the peer does not read.
        channel.close();
        return;
      default:
        // Read the peer's answer even if the protocol had paused reading.
        channel.config().setAutoRead(true);
        writeCloseFrame(new CloseWebSocketFrame(reason.wireCode(), truncate(detail)));
        graceTimer =
            channel
                .eventLoop()
                .schedule(
                    () -> {
                      log.debug("Link {}: no close frame within {}, closing", id, closeGracePeriod);
                      channel.close();
                    },
                    closeGracePeriod.toNanos(),
                    TimeUnit.NANOSECONDS);
    }
  }

  private void writeCloseFrame(CloseWebSocketFrame frame) {
    if (closeFrameSent) {
      frame.release();
      return;
    }
    closeFrameSent = true;
    channel.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }

  private void writeData(TextWebSocketFrame frame, int size) {
    if (closeFrameSent || !channel.isActive()) {
      frame.release();
      queuedBytes.addAndGet(-size);
      return;
    }
    counters.bytesOut.add(size);
    channel.write(frame).addListener(f -> written(size));
    if (!flushScheduled) {
      // Coalesce: frames queued in this turn of the loop go out in one flush.
      flushScheduled = true;
      channel.eventLoop().execute(flushTask);
    }
  }

  /** A data frame left the queue (written or failed). I/O thread. */
  private void written(int size) {
    long left = queuedBytes.addAndGet(-size);
    if (left <= maxOutboundBytes / 2 && blocked.compareAndSet(true, false)) {
      if (termination.get() == null && opened && !reported) {
        try {
          handler.onWritable(this);
        } catch (RuntimeException e) {
          handlerFailed("onWritable", e);
        }
      }
    }
  }

  private void flushNow() {
    flushScheduled = false;
    channel.flush();
  }

  private void ping() {
    if (!closeFrameSent && channel.isActive()) {
      channel.writeAndFlush(new PingWebSocketFrame());
    }
  }

  private void onText(TextWebSocketFrame frame) {
    if (termination.get() != null) {
      return; // closing: the protocol asked for no more frames or the link failed
    }
    counters.bytesIn.add(frame.content().readableBytes());
    String text = frame.content().toString(StandardCharsets.UTF_8);
    try {
      handler.onFrame(this, text);
    } catch (RuntimeException e) {
      handlerFailed("onFrame", e);
    }
  }

  private void onCloseFrame(CloseWebSocketFrame frame) {
    int code = frame.statusCode();
    String words = code == -1 ? "peer closed" : "peer closed with " + code;
    String reasonText = code == -1 ? "" : frame.reasonText();
    if (!reasonText.isEmpty()) {
      words += ": " + reasonText;
    }
    if (termination.compareAndSet(null, new Termination(CloseReason.REMOTE_CLOSED, words))) {
      // The peer started the closing handshake: echo its code, then end the connection.
      CloseWebSocketFrame echo =
          code == -1 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, "");
      if (closeFrameSent) {
        echo.release();
        channel.close();
      } else {
        closeFrameSent = true;
        channel.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
      }
    } else {
      // The answer to our close frame (or both sides closed at once): the handshake is done.
      channel.close();
    }
  }

  private void writabilityChanged() {
    if (!channel.isWritable()) {
      if (slowConsumerTimer == null && termination.get() == null) {
        slowConsumerTimer =
            channel
                .eventLoop()
                .schedule(
                    this::slowConsumerCheck, slowConsumerTimeout.toNanos(), TimeUnit.NANOSECONDS);
      }
    } else if (slowConsumerTimer != null) {
      slowConsumerTimer.cancel(false);
      slowConsumerTimer = null;
    }
  }

  private void slowConsumerCheck() {
    slowConsumerTimer = null;
    if (!channel.isWritable()) {
      terminate(
          CloseReason.SLOW_CONSUMER,
          "outbound buffer above its bound for "
              + slowConsumerTimeout
              + "; the peer is not reading");
    }
  }

  private void handlerFailed(String method, RuntimeException e) {
    log.error("Link {}: {} threw", id, method, e);
    terminate(CloseReason.INTERNAL_ERROR, method + " failed: " + e);
  }

  /** Reports the close to the handler, once. I/O thread. */
  private void reportClosed() {
    if (reported) {
      return;
    }
    reported = true;
    cancel(slowConsumerTimer);
    cancel(graceTimer);
    termination.compareAndSet(
        null,
        new Termination(CloseReason.CONNECTION_LOST, "connection ended without a close frame"));
    Termination t = termination.get();
    log.debug("Link {} closed: {} ({})", id, t.reason(), t.detail());
    if (opened) {
      try {
        handler.onClose(this, t.reason(), t.detail());
      } catch (RuntimeException e) {
        log.error("Link {}: onClose threw", id, e);
      }
    }
    finished.complete(null);
  }

  private boolean runOnLoop(Runnable task) {
    if (channel.eventLoop().inEventLoop()) {
      task.run();
      return true;
    }
    try {
      channel.eventLoop().execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false; // the event loop is shut down; the channel is gone
    }
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private static String truncate(String detail) {
    if (ByteBufUtil.utf8Bytes(detail) <= MAX_CLOSE_REASON_BYTES) {
      return detail;
    }
    StringBuilder b = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < detail.length(); ) {
      int cp = detail.codePointAt(i);
      int n = ByteBufUtil.utf8Bytes(new String(Character.toChars(cp)));
      if (bytes + n > MAX_CLOSE_REASON_BYTES) {
        break;
      }
      b.appendCodePoint(cp);
      bytes += n;
      i += Character.charCount(cp);
    }
    return b.toString();
  }

  /**
   * The last handler of the link's pipeline: delivers reassembled text messages, answers pings,
   * runs the closing handshake, and is the one place where failures are classified.
   */
  private final class FrameHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof TextWebSocketFrame) {
          onText((TextWebSocketFrame) msg);
        } else if (msg instanceof CloseWebSocketFrame) {
          onCloseFrame((CloseWebSocketFrame) msg);
        } else if (msg instanceof PingWebSocketFrame) {
          if (!closeFrameSent) {
            ctx.writeAndFlush(
                new PongWebSocketFrame(((PingWebSocketFrame) msg).content().retain()));
          }
        } else if (msg instanceof PongWebSocketFrame) {
          // Liveness only: the idle timer already saw the read.
        } else if (msg instanceof BinaryWebSocketFrame) {
          exceptionCaught(
              ctx, new LinkFailure(CloseReason.BINARY_FRAME, "binary frames are not accepted"));
        } else {
          log.debug("Link {}: ignoring unexpected {}", id, msg.getClass().getSimpleName());
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent
          && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
        if (channel.config().isAutoRead()) {
          terminate(CloseReason.IDLE_TIMEOUT, "nothing received for " + idleTimeout);
        }
        // Otherwise reading is paused by our protocol layer: the silence is ours, not the peer's.
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      writabilityChanged();
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      reportClosed();
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Failures.Failure f = Failures.classify(cause);
      if (termination.get() != null) {
        log.debug("Link {}: {} while closing: {}", id, f.reason(), f.detail());
        if (f.reason() == CloseReason.CONNECTION_LOST) {
          channel.close();
        }
        return;
      }
      if (f.bug()) {
        log.error("Link {} failed", id, cause);
      } else {
        log.debug("Link {} failed: {} ({})", id, f.reason(), f.detail());
      }
      terminate(f.reason(), f.detail());
    }
  }

  /** Pings the peer whenever it has been silent for the ping interval. */
  private final class Pinger extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ping();
        return; // consumed: this timer's events are not the idle timeout's
      }
      ctx.fireUserEventTriggered(evt);
    }
  }
}
