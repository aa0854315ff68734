package dev.grapevine.transport;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request of an accepted connection: a WebSocket upgrade becomes a {@link
 * WebSocketLink} (this handler then leaves the pipeline), anything else goes to the {@link
 * HttpHandler}.
 *
 * <p>Requests on one connection are answered in order: while the handler's future is pending the
 * channel stops reading, and requests already decoded wait in a small queue. All state is touched
 * only on the channel's I/O thread.
 */
final class HttpRouter extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);

  /** Pipelined requests decoded while one is in flight; more closes the connection. */
  private static final int MAX_WAITING_REQUESTS = 16;

  private static final int MAX_QUERY_PARAMS = 1024;

  private final Transport transport;
  private final TransportConfig config;
  private final boolean overLimit;
  private final WebSocketDecoderConfig decoderConfig;

  /** I/O thread: requests decoded while another was in flight. */
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();

  /** I/O thread: a handler future is pending. */
  private boolean inFlight;

  HttpRouter(Transport transport, TransportConfig config, boolean overLimit) {
    this.transport = transport;
    this.config = config;
    this.overLimit = overLimit;
    this.decoderConfig =
        WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(config.maxFrameBytes())
            .expectMaskedFrames(true)
            .allowMaskMismatch(false)
            .allowExtensions(false)
            .closeOnProtocolViolation(false)
            .withUTF8Validator(true)
            .build();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (overLimit) {
      // A connection over the limit gets one answer (503); if it never asks, it goes soon.
      ctx.executor()
          .schedule(
              () -> {
                ctx.close();
              },
              config.handshakeTimeout().toNanos(),
              TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    FullHttpRequest request = (FullHttpRequest) msg;
    if (inFlight) {
      if (waiting.size() >= MAX_WAITING_REQUESTS) {
        request.release();
        log.debug("{}: too many pipelined requests, closing", ctx.channel());
        ctx.close();
        return;
      }
      waiting.add(request);
      return;
    }
    process(ctx, request);
  }

  private void process(ChannelHandlerContext ctx, FullHttpRequest request) {
    try {
      boolean keepAlive = HttpUtil.isKeepAlive(request) && !transport.isClosed();
      if (!request.decoderResult().isSuccess()) {
        log.debug("{}: bad request: {}", ctx.channel(), request.decoderResult().cause());
        respond(ctx, HttpResponseStatus.BAD_REQUEST, HttpResponses.BAD_REQUEST, false);
      } else if (overLimit) {
        respond(
            ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, HttpResponses.TOO_MANY_CONNECTIONS, false);
      } else if (request
          .headers()
          .containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
        upgrade(ctx, request, keepAlive);
      } else {
        serve(ctx, request, keepAlive);
      }
    } finally {
      request.release();
    }
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    String path = rawPath(request.uri());
    LinkHandler target = transport.surfaces().route(path);
    if (target == null) {
      respond(ctx, HttpResponseStatus.NOT_FOUND, HttpResponses.NOT_FOUND, keepAlive);
      return;
    }
    Admission.Accept accepted = admit(ctx, request, target);
    if (accepted == null) {
      return;
    }
    LinkSettings settings = accepted.settings().orElse(transport.defaultSettings());
    String host = request.headers().get(HttpHeaderNames.HOST, "localhost");
    String scheme = config.tlsEnabled() ? "wss://" : "ws://";
    WebSocketDecoderConfig decoder =
        settings.maxFrameBytes() == config.maxFrameBytes()
            ? decoderConfig
            : decoderConfig.toBuilder().maxFramePayloadLength(settings.maxFrameBytes()).build();
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(scheme + host + path, null, decoder)
            .newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    ChannelFuture handshake;
    try {
      // Replaces the HTTP codec and aggregator with the WebSocket decoder and encoder.
      handshake = handshaker.handshake(ctx.channel(), request);
    } catch (WebSocketHandshakeException e) {
      log.debug("{}: bad WebSocket upgrade: {}", ctx.channel(), e.getMessage());
      respond(ctx, HttpResponseStatus.BAD_REQUEST, HttpResponses.BAD_REQUEST, false);
      return;
    }
    if (settings.maxOutboundBytes() != config.maxOutboundBytes()) {
      int high = settings.maxOutboundBytes();
      ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
    }
    ChannelPipeline p = ctx.pipeline();
    p.remove(ServerInitializer.HTTP_IDLE);
    WebSocketLink link = transport.newInboundLink(ctx.channel(), accepted.handler(), settings);
    LinkPipeline.install(p, ctx.name(), link, settings);
    p.remove(this);
    ctx.channel().config().setAutoRead(true);
    handshake.addListener(
        f -> {
          if (!f.isSuccess()) {
            link.terminate(CloseReason.CONNECTION_LOST, "handshake response failed: " + f.cause());
          }
        });
    transport.open(link);
  }

  /**
   * Asks the surface whether to take the upgrade; answers and closes the connection itself when the
   * answer is no (or the surface failed), returning null.
   */
  private Admission.Accept admit(
      ChannelHandlerContext ctx, FullHttpRequest request, LinkHandler target) {
    Admission admission;
    try {
      admission = target.admit(convert(ctx, request));
      if (admission == null) {
        throw new NullPointerException("admit returned null");
      }
    } catch (IllegalArgumentException e) {
      log.debug("{}: bad upgrade request {}: {}", ctx.channel(), request.uri(), e.getMessage());
      respond(ctx, HttpResponseStatus.BAD_REQUEST, HttpResponses.BAD_REQUEST, false);
      return null;
    } catch (RuntimeException e) {
      log.error("{}: admission of an upgrade to {} failed", ctx.channel(), request.uri(), e);
      respond(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, HttpResponses.INTERNAL_ERROR, false);
      return null;
    }
    if (admission instanceof Admission.Refuse) {
      transport.upgradeRefused();
      HttpResponse answer = ((Admission.Refuse) admission).response();
      log.debug("{}: upgrade to {} refused with {}", ctx.channel(), request.uri(), answer.status());
      ctx.writeAndFlush(HttpResponses.of(answer, false, false))
          .addListener(ChannelFutureListener.CLOSE);
      return null;
    }
    return (Admission.Accept) admission;
  }

  private void serve(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    HttpRequest converted;
    try {
      converted = convert(ctx, request);
    } catch (IllegalArgumentException e) {
      log.debug("{}: bad request {}: {}", ctx.channel(), request.uri(), e.getMessage());
      respond(ctx, HttpResponseStatus.BAD_REQUEST, HttpResponses.BAD_REQUEST, false);
      return;
    }
    boolean head = HttpMethod.HEAD.equals(request.method());
    inFlight = true;
    ctx.channel().config().setAutoRead(false);
    CompletableFuture<HttpResponse> answer;
    try {
      answer = transport.http().handle(converted);
      if (answer == null) {
        answer = CompletableFuture.failedFuture(new NullPointerException("handler returned null"));
      }
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete(
        (response, error) ->
            runOnLoop(ctx, () -> answered(ctx, converted, response, error, head, keepAlive)));
  }

  private void answered(
      ChannelHandlerContext ctx,
      HttpRequest request,
      HttpResponse response,
      Throwable error,
      boolean head,
      boolean keepAlive) {
    FullHttpResponse out = null;
    if (error == null && response != null) {
      try {
        out = HttpResponses.of(response, head, keepAlive);
      } catch (RuntimeException e) {
        error = e;
      }
    }
    if (out == null) {
      log.error(
          "HTTP handler failed for {} {}",
          request.method(),
          request.path(),
          error != null ? error : new NullPointerException("handler completed with null"));
      out =
          HttpResponses.json(
              HttpResponseStatus.INTERNAL_SERVER_ERROR, HttpResponses.INTERNAL_ERROR, keepAlive);
    }
    ChannelFuture written = ctx.writeAndFlush(out);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
      return;
    }
    written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    inFlight = false;
    while (!inFlight && !waiting.isEmpty() && ctx.channel().isActive()) {
      process(ctx, waiting.poll());
    }
    if (!inFlight && ctx.pipeline().get(HttpRouter.class) == this) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private static HttpRequest convert(ChannelHandlerContext ctx, FullHttpRequest request) {
    String uri = request.uri();
    Map<String, List<String>> query =
        new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, MAX_QUERY_PARAMS, true)
            .parameters();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : request.headers()) {
      headers
          .computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(h.getValue());
    }
    Map<String, List<String>> immutableHeaders = new LinkedHashMap<>();
    headers.forEach((k, v) -> immutableHeaders.put(k, List.copyOf(v)));
    Map<String, List<String>> immutableQuery = new LinkedHashMap<>();
    query.forEach((k, v) -> immutableQuery.put(k, List.copyOf(v)));
    return new HttpRequest(
        request.method().name().toUpperCase(Locale.ROOT),
        rawPath(uri),
        immutableQuery,
        immutableHeaders,
        request.content().toString(StandardCharsets.UTF_8),
        remoteIp(ctx.channel().remoteAddress()));
  }

  /** The path of a request target, without query or fragment and not percent-decoded. */
  static String rawPath(String uri) {
    String u = uri;
    int scheme = u.indexOf("://");
    if (!u.startsWith("/") && scheme > 0) {
      int slash = u.indexOf('/', scheme + 3);
      u = slash < 0 ? "/" : u.substring(slash);
    }
    int end = u.length();
    int q = u.indexOf('?');
    if (q >= 0) {
      end = q;
    }
    int h = u.indexOf('#');
    if (h >= 0 && h < end) {
      end = h;
    }
    return u.substring(0, end);
  }

  private static String remoteIp(SocketAddress address) {
    if (address instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) address;
      return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
    return String.valueOf(address);
  }

  private void respond(
      ChannelHandlerContext ctx, HttpResponseStatus status, String json, boolean keepAlive) {
    ChannelFuture written = ctx.writeAndFlush(HttpResponses.json(status, json, keepAlive));
    written.addListener(
        keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
  }

  private static void runOnLoop(ChannelHandlerContext ctx, Runnable task) {
    if (ctx.executor().inEventLoop()) {
      task.run();
      return;
    }
    try {
      ctx.executor().execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("{}: response dropped, the transport is closed", ctx.channel());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (!inFlight) {
        log.debug("{}: HTTP connection idle for {}, closing", ctx.channel(), config.idleTimeout());
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Failures.Failure f = Failures.classify(cause);
    if (f.bug()) {
      log.error("{}: HTTP connection failed", ctx.channel(), cause);
    } else {
      log.debug("{}: HTTP connection failed: {}", ctx.channel(), f.detail());
    }
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseWaiting();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseWaiting();
  }

  private void releaseWaiting() {
    FullHttpRequest r;
    while ((r = waiting.poll()) != null) {
      r.release();
    }
  }
}
