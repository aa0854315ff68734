package dev.grapevine.tests.dashboard;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for a node with the event API and token authentication, as documented (welcome,
 * subscribe, events {@code {type, topic, data, timestamp}}, {@code error{code, message}}, a token
 * as {@code ?token=} on {@code /ws} and as {@code Authorization: Bearer} on {@code /api/…}): it
 * answers {@code /ws} itself, with events the test scripts, and passes every other request to a
 * real node, refusing {@code /api/…} without the token with 401. Lets the browser test check the
 * page against that contract. Built on Netty's HTTP codec and WebSocket handshaker.
 */
final class EventApiStub implements AutoCloseable {
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "content-length", "transfer-encoding", "keep-alive");

  private final URI target;
  private final String token;
  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final ChannelGroup sockets = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Channel server;

  /** Frames the pages sent on {@code /ws}, in order. */
  final BlockingQueue<String> received = new LinkedBlockingQueue<>();

  /** {@code METHOD path?query} of every HTTP request, in order. */
  final List<String> requests = new CopyOnWriteArrayList<>();

  EventApiStub(URI target, String token) throws InterruptedException {
    this.target = target;
    this.token = token;
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new Http());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  URI url() {
    return URI.create(
        "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/");
  }

  /** Sends {@code json} as one text frame to every page that is subscribed. */
  void send(String json) {
    sockets.writeAndFlush(new TextWebSocketFrame(json));
  }

  int openSockets() {
    return sockets.size();
  }

  @Override
  public void close() throws InterruptedException {
    sockets.close().await(10, TimeUnit.SECONDS);
    server.close().await(10, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
  }

  private final class Http extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      requests.add(request.method() + " " + request.uri());
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      if (uri.path().equals("/ws")) {
        upgrade(ctx, request, uri);
        return;
      }
      if (uri.path().startsWith("/api/")
          && !("Bearer " + token).equals(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
        respond(
            ctx,
            401,
            "application/json",
            "{\"error\":\"unauthorized\",\"message\":\"A valid token is required\"}");
        return;
      }
      forward(ctx, request);
    }

    private void upgrade(
        ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
      WebSocketServerHandshaker hs =
          new WebSocketServerHandshakerFactory(
                  "ws://" + request.headers().get("host") + "/ws", null, false)
              .newHandshaker(request);
      if (hs == null) {
        WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
        return;
      }
      boolean authorised = uri.parameters().getOrDefault("token", List.of()).contains(token);
      Channel ch = ctx.channel();
      hs.handshake(ch, request)
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  ch.close();
                } else if (!authorised) {
                  ch.writeAndFlush(
                      new TextWebSocketFrame(
                          "{\"type\":\"error\",\"data\":{\"code\":\"AUTH_FAILED\","
                              + "\"message\":\"a valid token is required\"}}"));
                  ch.writeAndFlush(new CloseWebSocketFrame(1008, "AUTH_FAILED"));
                } else {
                  sockets.add(ch);
                  ch.writeAndFlush(
                      new TextWebSocketFrame(
                          "{\"type\":\"welcome\",\"data\":{\"clientId\":"
                              + "\"0123456789abcdef0123456789abcdef\",\"version\":\"stub\","
                              + "\"limits\":{\"maxMessageBytes\":1048576}}}"));
                }
              });
      ch.pipeline().replace(this, "frames", new Frames(hs));
    }

    private void forward(ChannelHandlerContext ctx, FullHttpRequest request) {
      HttpRequest.Builder out =
          HttpRequest.newBuilder(target.resolve(request.uri())).timeout(Duration.ofSeconds(30));
      for (String h : List.of("accept", "content-type", "if-none-match")) {
        String v = request.headers().get(h);
        if (v != null) {
          out.header(h, v);
        }
      }
      byte[] body = new byte[request.content().readableBytes()];
      request.content().getBytes(request.content().readerIndex(), body);
      out.method(
          request.method().name(),
          body.length == 0
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      client
          .sendAsync(out.build(), HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  respond(ctx, 502, "text/plain", String.valueOf(e));
                  return;
                }
                FullHttpResponse res =
                    new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        HttpResponseStatus.valueOf(r.statusCode()),
                        Unpooled.wrappedBuffer(r.body()));
                r.headers()
                    .map()
                    .forEach(
                        (k, v) -> {
                          if (!HOP_BY_HOP.contains(k.toLowerCase(java.util.Locale.ROOT))
                              && !k.startsWith(":")) {
                            res.headers().add(k, v);
                          }
                        });
                HttpUtil.setContentLength(res, r.body().length);
                ctx.writeAndFlush(res);
              });
    }

    private void respond(ChannelHandlerContext ctx, int status, String type, String body) {
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(status),
              Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
      HttpUtil.setContentLength(res, res.content().readableBytes());
      ctx.writeAndFlush(res);
    }
  }

  private final class Frames extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final WebSocketServerHandshaker handshaker;

    Frames(WebSocketServerHandshaker handshaker) {
      this.handshaker = handshaker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame t) {
        received.add(t.text());
      } else if (frame instanceof CloseWebSocketFrame c) {
        handshaker.close(ctx.channel(), c.retain());
      }
    }
  }
}
