package dev.grapevine.transport;

import java.net.URI;

/**
 * One open WebSocket connection to a peer, carrying text frames. A link is open when its handler's
 * {@link LinkHandler#onOpen} is called and closed exactly once, reported by {@link
 * LinkHandler#onClose}.
 *
 * <p>Thread-safe: any thread may send or close. Frames are written in the order {@code send} is
 * called from one thread.
 */
public interface PeerLink {
  /** A short id unique within this node's lifetime, for logs, for example {@code "in-12"}. */
  String id();

  /** Whether we accepted or dialled this link. */
  Direction direction();

  /**
   * The peer: for outbound links the URL we dialled; for inbound links {@code ws://host:port} of
   * the remote socket.
   */
  URI remote();

  /**
   * Queues one text frame. Never blocks.
   *
   * @return false if the link is closed or closing, or if the frame did not fit the outbound bound,
   *     in which case the link is being closed with {@link CloseReason#SLOW_CONSUMER}
   */
  boolean send(String frame);

  /**
   * Sends a close frame with the reason's code and closes; idempotent, and the first reason wins
   * (it is the one {@link LinkHandler#onClose} reports). The peer has the transport's close grace
   * period to answer before the connection is cut. {@link CloseReason#SLOW_CONSUMER} and {@link
   * CloseReason#CONNECTION_LOST} cut the connection at once, without a close frame. Frames that
   * arrive after this call are not delivered.
   */
  void close(CloseReason reason, String detail);

  /** Whether the link is open (not yet closing). */
  boolean isOpen();

  /**
   * Whether the link is open and the bytes queued by {@link #send} are below its outbound bound, so
   * that a surface with its own queue (the event API) should send now rather than hold frames back.
   * After this returned false, the handler's {@link LinkHandler#onWritable} is called once the
   * queue has drained to half the bound, unless the link closes first. The default is {@link
   * #isOpen()}, for links without a bound.
   */
  default boolean isWritable() {
    return isOpen();
  }

  /**
   * Stops (false) or resumes (true) reading from this peer. Used for backpressure when the verify
   * pool or the store writer is full; frames already read are still delivered. Called on the link's
   * I/O thread (from a {@link LinkHandler} method) it takes effect before the next read; from
   * another thread, a read already under way may still deliver a few frames. While reading is
   * paused the idle timeout does not apply (the silence is ours). Ignored once the link is closing.
   */
  void setReading(boolean reading);
}
