package dev.grapevine.transport;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The handlers of an open link, the same for inbound and outbound links. After the handshake the
 * pipeline reads, from the socket inwards:
 *
 * <pre>
 *   [tls] → ws frame decoder/encoder (Netty, no extensions, closeOnProtocolViolation=false)
 *         → ws-utf8          UTF-8 validation of text messages, across fragments   (→ 1007)
 *         → ws-ping-timer    reader idle for pingInterval  ─┐
 *         → ws-pinger        sends a ping on that event   ◄─┘
 *         → ws-idle-timer    reader idle for idleTimeout        (→ IDLE_TIMEOUT)
 *         → ws-binary-guard  binary frames fail the link        (→ 1003)
 *         → ws-aggregator    reassembles fragments up to maxFrameBytes (→ 1009)
 *         → ws-link          WebSocketLink: frames, pings, close handshake, failures
 * </pre>
 */
final class LinkPipeline {
  private static final BinaryFrameGuard BINARY_FRAME_GUARD = new BinaryFrameGuard();

  private LinkPipeline() {}

  /**
   * Adds the link's handlers before the handler named {@code before} (which the caller removes).
   */
  static void install(ChannelPipeline p, String before, WebSocketLink link, LinkSettings config) {
    p.addBefore(before, "ws-utf8", new Utf8FrameValidator(false));
    p.addBefore(
        before,
        "ws-ping-timer",
        new IdleStateHandler(config.pingInterval().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
    p.addBefore(before, "ws-pinger", link.pinger());
    p.addBefore(
        before,
        "ws-idle-timer",
        new IdleStateHandler(config.idleTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
    p.addBefore(before, "ws-binary-guard", BINARY_FRAME_GUARD);
    p.addBefore(before, "ws-aggregator", new WebSocketFrameAggregator(config.maxFrameBytes()));
    p.addBefore(before, "ws-link", link.frameHandler());
  }

  /** Refuses binary frames before the aggregator would buffer them. */
  @Sharable
  private static final class BinaryFrameGuard extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof BinaryWebSocketFrame) {
        ((BinaryWebSocketFrame) msg).release();
        ctx.fireExceptionCaught(
            new LinkFailure(CloseReason.BINARY_FRAME, "binary frames are not accepted"));
        return;
      }
      ctx.fireChannelRead(msg);
    }
  }
}
