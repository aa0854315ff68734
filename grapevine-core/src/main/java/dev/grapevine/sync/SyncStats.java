package dev.grapevine.sync;

/**
 * A snapshot of the frame protocol's counters and gauges, for metrics. Counters only grow; gauges
 * are the values at the moment of the snapshot.
 *
 * @param framesIn frames received on links and over HTTP
 * @param framesOut frames sent (answers, relays, requests)
 * @param requestsIn 44-char request frames received
 * @param requestsServed requests answered with at least one frame (now or later)
 * @param requestsSent request frames we sent (asking for hashes we want)
 * @param messagesStored signed messages committed for the first time
 * @param blobsStored blobs committed for the first time
 * @param duplicates signed messages and wanted blobs that were already stored
 * @param rejected invalid signed messages and blobs the store refused
 * @param junk 44-char frames that are not hashes
 * @param relayed frames sent on to other links (new messages and blobs)
 * @param dropped frames dropped for overload or a busy store (nothing was stored or acknowledged)
 * @param junkClosures links closed for exceeding the junk limit
 * @param openLinks links open now
 * @param pausedLinks links whose reading is paused now (backpressure)
 * @param pendingFrames frames admitted and not yet fully processed
 * @param missingHashes hashes the gossip queue wants now
 * @param pendingRequests (hash, link) requests waiting for an answer now
 * @param unclaimedBlobs blobs waiting in memory for a message to claim them
 * @param unclaimedBytes approximate heap bytes of those blobs
 */
public record SyncStats(
    long framesIn,
    long framesOut,
    long requestsIn,
    long requestsServed,
    long requestsSent,
    long messagesStored,
    long blobsStored,
    long duplicates,
    long rejected,
    long junk,
    long relayed,
    long dropped,
    long junkClosures,
    int openLinks,
    int pausedLinks,
    int pendingFrames,
    int missingHashes,
    int pendingRequests,
    int unclaimedBlobs,
    long unclaimedBytes) {}
