package dev.grapevine.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Netty responses: the JSON errors of the server and the conversion of {@link HttpResponse}. */
final class HttpResponses {
  static final String NOT_FOUND = "{\"error\":\"not_found\"}";
  static final String BAD_REQUEST = "{\"error\":\"bad_request\"}";
  static final String PAYLOAD_TOO_LARGE = "{\"error\":\"payload_too_large\"}";
  static final String INTERNAL_ERROR = "{\"error\":\"internal_error\"}";
  static final String TOO_MANY_CONNECTIONS = "{\"error\":\"too_many_connections\"}";

  private static final String JSON = "application/json; charset=utf-8";

  private HttpResponses() {}

  /** A JSON response with Content-Length and keep-alive headers set. */
  static FullHttpResponse json(HttpResponseStatus status, String json, boolean keepAlive) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON);
    HttpUtil.setContentLength(r, r.content().readableBytes());
    HttpUtil.setKeepAlive(r, keepAlive);
    return r;
  }

  /** The handler's response; for a HEAD request, the headers only. */
  static FullHttpResponse of(HttpResponse response, boolean head, boolean keepAlive) {
    String body = response.body() == null ? "" : response.body();
    ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    int length = content.readableBytes();
    if (head) {
      content.release();
      content = Unpooled.EMPTY_BUFFER;
    }
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()), content);
    for (Map.Entry<String, String> h : response.headers().entrySet()) {
      r.headers().add(h.getKey(), h.getValue());
    }
    if (response.contentType() != null) {
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
    }
    HttpUtil.setContentLength(r, length);
    HttpUtil.setKeepAlive(r, keepAlive);
    return r;
  }
}
