package dev.grapevine.sync;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.VerifiedMessage;

/**
 * Observes the frame protocol, for events and logs. Every method has an empty default.
 *
 * <p><b>Threads.</b> Methods are called on the sync worker threads (and {@link #rejected} for junk
 * on the link's I/O thread), possibly concurrently, never while a lock of the protocol is held.
 * They must return quickly, must not block and should not throw (an exception is logged and
 * ignored). {@code origin} names where a frame came from: a link id, {@code "http"} for a frame
 * posted over HTTP, or {@code "local"} for {@link AnprotoSync#publish}.
 */
public interface SyncListener {
  /** Why a frame was refused. */
  enum Rejection {
    /** A 44-char frame that is not canonical base64 of 32 bytes. */
    JUNK_REQUEST,
    /** A frame shaped like a signed message that is malformed or does not verify (N1–N4). */
    INVALID_MESSAGE,
    /** A blob the store refused as too large. */
    TOO_LARGE,
    /** Dropped for overload (too many pending frames, or the store was busy); not stored. */
    OVERLOADED
  }

  /** A no-op listener. */
  SyncListener NOOP = new SyncListener() {};

  /** A signed message was committed for the first time. */
  default void messageStored(VerifiedMessage message, String origin) {}

  /** A new signed message was sent on to {@code links} other links. */
  default void messageRelayed(VerifiedMessage message, int links) {}

  /** A blob (content or image) was committed for the first time. */
  default void blobStored(Hash hash, int chars, String origin) {}

  /** A newly stored blob was sent on to {@code links} other links. */
  default void blobRelayed(Hash hash, int links) {}

  /** A frame was refused; {@code detail} says why in words. */
  default void rejected(Rejection reason, String origin, String detail) {}

  /** A request for {@code key} was answered with {@code frames} frames. */
  default void requestServed(Hash key, String origin, int frames) {}
}
