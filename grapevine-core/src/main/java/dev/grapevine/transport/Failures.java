package dev.grapevine.transport;

import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import java.io.IOException;

/**
 * The one place that turns an exception on a link into a {@link CloseReason} (style §8.6): the
 * peer's protocol violations map to their close codes, I/O failures are routine, anything else is a
 * bug on our side.
 */
final class Failures {
  private Failures() {}

  /**
   * A classified failure.
   *
   * @param reason why the link closes
   * @param detail the words for logs and the close frame
   * @param bug whether this is our fault (logged as an error with its stack trace); peer faults and
   *     I/O failures are logged at debug level
   */
  record Failure(CloseReason reason, String detail, boolean bug) {}

  static Failure classify(Throwable cause) {
    Throwable t = cause;
    // The TLS handler and ByteToMessageDecoder wrap what they cannot decode.
    if (t instanceof DecoderException && t.getCause() instanceof IOException) {
      t = t.getCause();
    }
    if (t instanceof LinkFailure) {
      LinkFailure f = (LinkFailure) t;
      return new Failure(f.reason(), f.getMessage(), false);
    }
    if (t instanceof CorruptedWebSocketFrameException) {
      CorruptedWebSocketFrameException e = (CorruptedWebSocketFrameException) t;
      return new Failure(reasonFor(e.closeStatus().code()), message(e), false);
    }
    if (t instanceof TooLongFrameException) {
      return new Failure(CloseReason.MESSAGE_TOO_BIG, message(t), false);
    }
    if (t instanceof CorruptedFrameException || t instanceof DecoderException) {
      return new Failure(CloseReason.PROTOCOL_ERROR, message(t), false);
    }
    if (t instanceof IOException || t instanceof PrematureChannelClosureException) {
      return new Failure(CloseReason.CONNECTION_LOST, message(t), false);
    }
    return new Failure(CloseReason.INTERNAL_ERROR, message(t), true);
  }

  private static CloseReason reasonFor(int wireCode) {
    switch (wireCode) {
      case 1003:
        return CloseReason.BINARY_FRAME;
      case 1007:
        return CloseReason.INVALID_UTF8;
      case 1009:
        return CloseReason.MESSAGE_TOO_BIG;
      default:
        return CloseReason.PROTOCOL_ERROR;
    }
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }
}
