package dev.grapevine.mesh;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The payloads of the protocol's own message types, as Jackson reads and writes them. Field names
 * are MiniLedger's where it has the type; {@code nonce}, {@code signature}, {@code summary} and
 * {@code requestId} are ours. Unknown fields are ignored, so later versions may add some.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
sealed interface MeshPayload {
  /** The wire name of the payload's type. */
  String type();

  /** How many messages a store holds and the fingerprint of all of them. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Summary(long messages, String fingerprint) {}

  /** The dialer's introduction; {@code nonce} is the challenge the listener signs. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Handshake(
      String nodeId,
      String publicKey,
      String orgId,
      long chainHeight,
      int listenPort,
      String listenAddress,
      String nonce,
      Summary summary)
      implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.HANDSHAKE;
    }
  }

  /**
   * The listener's answer (with its own challenge in {@code nonce} and its signature of the
   * dialer's), and then the dialer's (with its signature of the listener's challenge). A refusal
   * has {@code accepted: false} and a {@code reason}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record HandshakeAck(
      String nodeId,
      String publicKey,
      String orgId,
      long chainHeight,
      boolean accepted,
      String reason,
      String nonce,
      String signature,
      String listenAddress,
      Summary summary)
      implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.HANDSHAKE_ACK;
    }

    static HandshakeAck refusal(String nodeId, String publicKey, String orgId, String reason) {
      return new HandshakeAck(nodeId, publicKey, orgId, 0, false, reason, null, null, null, null);
    }
  }

  /** One known peer in a {@link PeerList}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record PeerEntry(String nodeId, String publicKey, String address, String orgId) {}

  /** The sender's connected peers. */
  record PeerList(List<PeerEntry> peers) implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.PEER_LIST;
    }
  }

  /** A liveness probe with the sender's store summary. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Ping(long chainHeight, Long seq, Summary summary) implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.PING;
    }
  }

  /** The answer to a {@link Ping}, echoing its {@code seq}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Pong(long chainHeight, Long seq, Summary summary) implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.PONG;
    }
  }

  /** Asks for the messages of one author at positions {@code fromHeight..toHeight} (1-based). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SyncRequest(String requestId, String author, long fromHeight, long toHeight)
      implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.SYNC_REQUEST;
    }
  }

  /** One batch of an author's messages, in timestamp order, starting at {@code fromHeight}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SyncResponse(
      String requestId,
      String author,
      long fromHeight,
      List<Carried> messages,
      boolean hasMore,
      long height)
      implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.SYNC_RESPONSE;
    }
  }

  /** A signed message and, if the sender has it, its content. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Carried(String message, String content) {
    /** Characters of the message and the content, what a frame's size limit counts. */
    long chars() {
      return (message == null ? 0 : message.length()) + (content == null ? 0 : content.length());
    }
  }

  /** One message of a set reconciliation session ({@link dev.grapevine.mesh.reconcile}). */
  record Reconcile(String session, String data) implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.RECONCILE;
    }
  }

  /** Message hashes the sender has received (a lazy announcement). */
  record Have(List<String> ids) implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.HAVE;
    }
  }

  /**
   * Message (or content) hashes the sender wants; answered by {@link Messages} frames with the same
   * {@code requestId}, the last of which says {@code last: true}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Want(String requestId, List<String> ids) implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.WANT;
    }
  }

  /** Messages answering a {@link Want}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Messages(String requestId, List<Carried> messages, Boolean last) implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.MESSAGES;
    }
  }

  /** A new message pushed along the tree. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Message(String message, String content) implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.MESSAGE;
    }
  }

  /** The sender got a message twice: push to it lazily from now on. */
  record Prune() implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.PRUNE;
    }
  }

  /** The sender missed announced messages: send them and push to it eagerly from now on. */
  record Graft(List<String> ids) implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.GRAFT;
    }
  }

  /** A refusal of one frame; the link stays open. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Error(String code, String message, String refusedType) implements MeshPayload {
    @Override
    public String type() {
      return MeshTypes.ERROR;
    }
  }
}
