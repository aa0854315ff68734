package dev.grapevine.transport;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Aggregates HTTP requests up to {@code maxHttpBodyBytes} and answers larger ones with a 413 and a
 * JSON body (Netty's own 413 has an empty body). Like Netty, it keeps the connection when the
 * client can still be told before it sends the body ({@code Expect: 100-continue}) or when the rest
 * of the body can be skipped; otherwise it closes.
 */
final class HttpBodyLimiter extends HttpObjectAggregator {
  HttpBodyLimiter(int maxHttpBodyBytes) {
    super(maxHttpBodyBytes);
  }

  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    Object response = super.newContinueResponse(start, maxContentLength, pipeline);
    if (response instanceof io.netty.handler.codec.http.HttpResponse
        && ((io.netty.handler.codec.http.HttpResponse) response).status().code() == 413) {
      ReferenceCountUtil.release(response);
      return HttpResponses.json(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, HttpResponses.PAYLOAD_TOO_LARGE, true);
    }
    return response;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
      throws Exception {
    if (!(oversized instanceof io.netty.handler.codec.http.HttpRequest)) {
      super.handleOversizedMessage(ctx, oversized);
      return;
    }
    boolean keepAlive =
        !(oversized instanceof FullHttpMessage)
            && (HttpUtil.is100ContinueExpected(oversized) || HttpUtil.isKeepAlive(oversized));
    ChannelFuture written =
        ctx.writeAndFlush(
            HttpResponses.json(
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                HttpResponses.PAYLOAD_TOO_LARGE,
                keepAlive));
    written.addListener(
        keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
  }
}
