package dev.grapevine.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker13;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the client side of the WebSocket handshake for one {@link Transport#dial} attempt, within
 * the handshake timeout. On success it installs the link's handlers, leaves the pipeline, calls
 * {@code onOpen} and completes the future; on failure it fails the future with a {@link
 * DialException} and closes the channel, and no {@link LinkHandler} method is called. I/O thread
 * only.
 */
final class ClientHandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ClientHandshakeHandler.class);

  private final Transport transport;
  private final TransportConfig config;
  private final URI uri;
  private final LinkHandler handler;
  private final CompletableFuture<PeerLink> result;
  private final WebSocketClientHandshaker handshaker;

  /** I/O thread: fails the attempt when the handshakes take too long. */
  private ScheduledFuture<?> timeout;

  ClientHandshakeHandler(
      Transport transport,
      TransportConfig config,
      URI uri,
      LinkHandler handler,
      CompletableFuture<PeerLink> result) {
    this.transport = transport;
    this.config = config;
    this.uri = uri;
    this.handler = handler;
    this.result = result;
    this.handshaker = newHandshaker(uri, config.maxFrameBytes());
  }

  /**
   * Netty's RFC 6455 client handshaker (what {@code WebSocketClientHandshakerFactory} returns for
   * V13), with a frame decoder that reports protocol violations instead of closing on its own, so
   * that the link classifies every failure in one place.
   */
  private static WebSocketClientHandshaker newHandshaker(URI uri, int maxFrameBytes) {
    WebSocketDecoderConfig decoderConfig =
        WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(maxFrameBytes)
            .expectMaskedFrames(false)
            .allowMaskMismatch(false)
            .allowExtensions(false)
            .closeOnProtocolViolation(false)
            .withUTF8Validator(true)
            .build();
    return new WebSocketClientHandshaker13(
        uri,
        WebSocketVersion.V13,
        null,
        false,
        new DefaultHttpHeaders(),
        maxFrameBytes,
        true,
        false,
        -1) {
      @Override
      protected WebSocketFrameDecoder newWebsocketDecoder() {
        return new WebSocket13FrameDecoder(decoderConfig);
      }
    };
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    timeout =
        ctx.executor()
            .schedule(
                () -> fail(ctx, "no WebSocket handshake within " + config.handshakeTimeout(), null),
                config.handshakeTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
    handshaker
        .handshake(ctx.channel())
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                fail(ctx, "cannot send the handshake request", f.cause());
              }
            });
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpResponse) || result.isDone()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    FullHttpResponse response = (FullHttpResponse) msg;
    try {
      try {
        handshaker.finishHandshake(ctx.channel(), response);
      } catch (WebSocketHandshakeException e) {
        fail(ctx, "server refused the WebSocket upgrade with " + response.status(), e);
        return;
      }
      timeout.cancel(false);
      WebSocketLink link = transport.newOutboundLink(ctx.channel(), uri, handler);
      LinkPipeline.install(ctx.pipeline(), ctx.name(), link, LinkSettings.of(config));
      ctx.pipeline().remove(this);
      transport.open(link);
      if (!result.complete(link)) {
        link.terminate(CloseReason.NORMAL, "dial cancelled");
      }
    } finally {
      response.release();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent
        && !((SslHandshakeCompletionEvent) evt).isSuccess()) {
      Throwable cause = ((SslHandshakeCompletionEvent) evt).cause();
      fail(ctx, "TLS handshake failed: " + cause.getMessage(), cause);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, String.valueOf(Failures.classify(cause).detail()), cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(ctx, "connection closed during the handshake", null);
    ctx.fireChannelInactive();
  }

  private void fail(ChannelHandlerContext ctx, String message, Throwable cause) {
    if (result.completeExceptionally(new DialException(uri, message, cause))) {
      log.debug("Dial {} failed: {}", uri, message);
      if (timeout != null) {
        timeout.cancel(false);
      }
      ctx.close();
    }
  }
}
