package dev.grapevine.store;

import dev.grapevine.anproto.Hash;
import java.util.Objects;

/**
 * A log entry reduced to what indexes of the whole log need: its arrival sequence number, msgHash
 * and signed timestamp. From {@link MessageStore#timedHashLog(long, int)}.
 *
 * @param seq the arrival sequence number
 * @param hash the msgHash
 * @param timestampMillis the signed timestamp in epoch milliseconds
 */
public record TimedHash(long seq, Hash hash, long timestampMillis) {
  /** Checks the parts. */
  public TimedHash {
    Objects.requireNonNull(hash, "hash");
  }
}
