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
}
