package dev.grapevine.mesh;

/**
 * Handles an application's own message type, registered with {@link Mesh#on}. Called on the link's
 * I/O thread, in the order frames arrived from that peer, only for peers whose handshake is done
 * and whose envelope's {@code from} is their nodeId; must return quickly (hand slow work to an
 * executor). A handler that throws gets the peer an {@code ERROR} reply; the link stays open.
 */
@FunctionalInterface
public interface MeshHandler {
  /** One message of the registered type from {@code peer}. */
  void handle(MeshPeer peer, MeshEnvelope envelope) throws Exception;
}
