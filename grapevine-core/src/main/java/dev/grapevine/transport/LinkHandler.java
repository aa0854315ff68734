package dev.grapevine.transport;

/**
 * Receives the life of the links of one surface (the ANProto protocol, later the mesh). Each link
 * gets exactly one {@link #onOpen}, then any number of {@link #onFrame}, then exactly one {@link
 * #onClose}; no call is made for that link after {@code onClose}.
 *
 * <p>Calls for one link come from that link's I/O thread, in order. Methods must return quickly and
 * must not block: hand slow work (verification, storage) to another executor. A method that throws
 * closes the link with {@link CloseReason#INTERNAL_ERROR}.
 */
public interface LinkHandler {
  /** The link is open and may send. */
  void onOpen(PeerLink link);

  /** One complete (reassembled) text message arrived. */
  void onFrame(PeerLink link, String text);

  /** The link closed; {@code detail} says why in words. */
  void onClose(PeerLink link, CloseReason reason, String detail);

  /**
   * Decides on a WebSocket upgrade request for this surface, before the handshake, on the
   * connection's I/O thread: must return at once. A surface can refuse it with an HTTP answer (an
   * origin that is not allowed, too many connections), or accept it with a handler for this one
   * link (which can carry what the request said, such as its token) and its own limits. The default
   * accepts it for this handler with the transport's limits. A method that throws refuses the
   * upgrade with a 500.
   */
  default Admission admit(HttpRequest upgrade) {
    return Admission.accept(this);
  }

  /**
   * The link's outbound queue has drained to half its bound after {@link PeerLink#isWritable()}
   * returned false: the surface may send again. Called on the link's I/O thread, at most once per
   * false answer, never after {@link #onClose}. The default does nothing.
   */
  default void onWritable(PeerLink link) {}
}
