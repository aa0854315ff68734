package dev.grapevine.mesh;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.transport.Direction;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * A connected mesh peer as it was when the snapshot was taken. Immutable.
 *
 * @param nodeId the first 16 hex characters of its public key
 * @param publicKey its key, proven by the handshake
 * @param address the mesh URL it listens on, if it told us one we can dial
 * @param orgId its network
 * @param direction whether it dialled us or we dialled it
 * @param chainHeight how many messages its store held at its last PING or PONG
 * @param lastSeen when a frame last arrived from it, epoch milliseconds
 * @param connectedAt when its handshake finished, epoch milliseconds
 * @param rttMillis the round-trip time of its last answered PING, or -1 before the first
 * @param linkId the id of the link, for logs
 */
public record MeshPeer(
    String nodeId,
    PublicKey publicKey,
    Optional<URI> address,
    String orgId,
    Direction direction,
    long chainHeight,
    long lastSeen,
    long connectedAt,
    double rttMillis,
    String linkId) {
  /** Checks for nulls. */
  public MeshPeer {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(orgId, "orgId");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(linkId, "linkId");
  }

  /** Whether the peer dialled us. */
  public boolean isInbound() {
    return direction == Direction.INBOUND;
  }
}
