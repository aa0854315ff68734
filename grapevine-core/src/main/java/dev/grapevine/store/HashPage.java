package dev.grapevine.store;

import dev.grapevine.anproto.Hash;
import java.util.List;

/**
 * One page of the hash log (msgHashes in arrival order), from {@link MessageStore#hashLog(long,
 * int)}.
 *
 * @param hashes msgHashes with {@code seq > afterSeq}, in ascending {@code seq} order
 * @param next the cursor for the next call: the {@code seq} of the last hash, or the given {@code
 *     afterSeq} when the page is empty
 */
public record HashPage(List<Hash> hashes, long next) {
  /** Copies {@code hashes} into an immutable list. */
  public HashPage {
    hashes = List.copyOf(hashes);
  }
}
