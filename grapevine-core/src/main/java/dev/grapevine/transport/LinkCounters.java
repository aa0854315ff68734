package dev.grapevine.transport;

import java.util.concurrent.atomic.LongAdder;

/** Byte counters shared by every link of a {@link Transport}; any thread adds to them. */
final class LinkCounters {
  /** Payload bytes of the text messages received. */
  final LongAdder bytesIn = new LongAdder();

  /** Payload bytes of the text messages written to the socket's queue. */
  final LongAdder bytesOut = new LongAdder();

  /** The most bytes any one link has had queued at once. */
  final java.util.concurrent.atomic.LongAccumulator peakQueued =
      new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);
}
