package dev.grapevine.mesh;

/**
 * The mesh's counters since it started. Immutable snapshot.
 *
 * @param peers connected peers now
 * @param framesIn frames received
 * @param framesOut frames sent
 * @param invalidFrames frames answered with an {@code ERROR}
 * @param rateLimited frames dropped by the per-peer rate limit
 * @param refusalsSent handshakes this node refused
 * @param refusalsReceived handshakes peers refused
 * @param badSignatures handshakes whose signature did not prove the key
 * @param handshakeTimeouts links closed for not finishing the handshake in time
 * @param pingTimeouts links closed for missing pings
 * @param messagesNew messages that arrived by the mesh and were new to the store
 * @param pushReceived messages pushed along the tree (full copies, new or not)
 * @param pullReceived messages received in answer to WANT, GRAFT or SYNC_REQUEST
 * @param duplicatesReceived full copies of messages this node already had
 * @param invalidMessages messages whose signature or content did not verify
 * @param prunesSent PRUNE frames sent (a tree link turned lazy)
 * @param graftsSent GRAFT frames sent (a lazy link repaired the tree)
 * @param reconciliations set reconciliation sessions finished
 * @param dropped messages not verified because the pool was full (found again by the next
 *     reconciliation)
 */
public record MeshStats(
    int peers,
    long framesIn,
    long framesOut,
    long invalidFrames,
    long rateLimited,
    long refusalsSent,
    long refusalsReceived,
    long badSignatures,
    long handshakeTimeouts,
    long pingTimeouts,
    long messagesNew,
    long pushReceived,
    long pullReceived,
    long duplicatesReceived,
    long invalidMessages,
    long prunesSent,
    long graftsSent,
    long reconciliations,
    long dropped) {}
