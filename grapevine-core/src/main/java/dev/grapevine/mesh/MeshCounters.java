package dev.grapevine.mesh;

import java.util.concurrent.atomic.LongAdder;

/** The mesh's counters; thread-safe. */
final class MeshCounters {
  final LongAdder framesIn = new LongAdder();
  final LongAdder framesOut = new LongAdder();
  final LongAdder invalidFrames = new LongAdder();
  final LongAdder rateLimited = new LongAdder();
  final LongAdder refusalsSent = new LongAdder();
  final LongAdder refusalsReceived = new LongAdder();
  final LongAdder badSignatures = new LongAdder();
  final LongAdder handshakeTimeouts = new LongAdder();
  final LongAdder pingTimeouts = new LongAdder();
  final LongAdder messagesNew = new LongAdder();
  final LongAdder pushReceived = new LongAdder();
  final LongAdder pullReceived = new LongAdder();
  final LongAdder duplicatesReceived = new LongAdder();
  final LongAdder invalidMessages = new LongAdder();
  final LongAdder prunesSent = new LongAdder();
  final LongAdder graftsSent = new LongAdder();
  final LongAdder reconciliations = new LongAdder();
  final LongAdder dropped = new LongAdder();

  MeshStats snapshot(int peers) {
    return new MeshStats(
        peers,
        framesIn.sum(),
        framesOut.sum(),
        invalidFrames.sum(),
        rateLimited.sum(),
        refusalsSent.sum(),
        refusalsReceived.sum(),
        badSignatures.sum(),
        handshakeTimeouts.sum(),
        pingTimeouts.sum(),
        messagesNew.sum(),
        pushReceived.sum(),
        pullReceived.sum(),
        duplicatesReceived.sum(),
        invalidMessages.sum(),
        prunesSent.sum(),
        graftsSent.sum(),
        reconciliations.sum(),
        dropped.sum());
  }
}
