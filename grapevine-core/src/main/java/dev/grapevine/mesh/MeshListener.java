package dev.grapevine.mesh;

/**
 * Hears peers join and leave the mesh: {@code peer:connected} once when a peer's handshake
 * finishes, {@code peer:disconnected} once when that link closes, whichever side dialled and even
 * when both sides dialled at once. Called without locks held, on the thread that finished the
 * handshake or saw the close; must return quickly.
 */
public interface MeshListener {
  /** {@code peer:connected}. */
  default void peerConnected(MeshPeer peer) {}

  /** {@code peer:disconnected}, with the reason the link closed. */
  default void peerDisconnected(MeshPeer peer, String reason) {}
}
