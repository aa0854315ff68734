/**
 * The ANProto frame protocol of APDS pubs and Wiredove clients: {@link
 * dev.grapevine.sync.AnprotoSync} handles the frames of every link (a 44-char frame is a request,
 * anything else is data), with strict verification, relay of new data only, a bounded cache for
 * content that arrives before its message, and backpressure; {@link dev.grapevine.sync.GossipQueue}
 * asks peers for missing hashes and really retries; {@link dev.grapevine.sync.PubClient} keeps
 * outgoing connections to pubs with backoff. Settings are in {@link dev.grapevine.sync.SyncConfig}.
 *
 * <p>All parameters and return values are non-null unless documented otherwise. The thread model is
 * described in {@code CONCURRENCY-sync.md} beside these sources.
 */
package dev.grapevine.sync;
