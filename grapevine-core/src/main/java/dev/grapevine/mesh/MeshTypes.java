package dev.grapevine.mesh;

import java.util.Set;

/** The message types on the wire. */
public final class MeshTypes {
  /** The dialer's introduction. */
  public static final String HANDSHAKE = "HANDSHAKE";

  /** The answer to a handshake (and the dialer's proof). */
  public static final String HANDSHAKE_ACK = "HANDSHAKE_ACK";

  /** Connected peers. */
  public static final String PEER_LIST = "PEER_LIST";

  /** Liveness probe. */
  public static final String PING = "PING";

  /** Answer to a probe. */
  public static final String PONG = "PONG";

  /** Asks for a batch of one author's messages. */
  public static final String SYNC_REQUEST = "SYNC_REQUEST";

  /** A batch of one author's messages. */
  public static final String SYNC_RESPONSE = "SYNC_RESPONSE";

  /** A set reconciliation message. */
  public static final String RECONCILE = "RECONCILE";

  /** A lazy announcement of message hashes. */
  public static final String HAVE = "HAVE";

  /** A request for messages by hash. */
  public static final String WANT = "WANT";

  /** Messages sent on request. */
  public static final String MESSAGES = "MESSAGES";

  /** A message pushed along the tree. */
  public static final String MESSAGE = "MESSAGE";

  /** Asks the peer to stop pushing eagerly. */
  public static final String PRUNE = "PRUNE";

  /** Asks the peer for messages and to push eagerly again. */
  public static final String GRAFT = "GRAFT";

  /** A refused frame. */
  public static final String ERROR = "ERROR";

  /**
   * MiniLedger's application types ({@code TX_BROADCAST}, {@code BLOCK_ANNOUNCE}, the consensus
   * messages...). Grapevine has no handler of its own for them: an application may register one.
   */
  public static final Set<String> MINILEDGER_APPLICATION =
      Set.of(
          "TX_BROADCAST",
          "TX_FORWARD",
          "BLOCK_ANNOUNCE",
          "BLOCK_REQUEST",
          "BLOCK_RESPONSE",
          "CONSENSUS_REQUEST_VOTE",
          "CONSENSUS_REQUEST_VOTE_REPLY",
          "CONSENSUS_APPEND_ENTRIES",
          "CONSENSUS_APPEND_ENTRIES_REPLY");

  /** The types the mesh handles itself; applications cannot register handlers for them. */
  public static final Set<String> RESERVED =
      Set.of(
          HANDSHAKE,
          HANDSHAKE_ACK,
          PEER_LIST,
          PING,
          PONG,
          SYNC_REQUEST,
          SYNC_RESPONSE,
          RECONCILE,
          HAVE,
          WANT,
          MESSAGES,
          MESSAGE,
          PRUNE,
          GRAFT,
          ERROR);

  private MeshTypes() {}
}
