package dev.grapevine.mesh.reconcile;

import dev.grapevine.anproto.CanonicalBase64;
import dev.grapevine.anproto.Hash;
import java.nio.ByteBuffer;

/**
 * The 32-byte id of a reconciliation item: the SHA-256 digest behind a msgHash. Ordered by its
 * bytes as unsigned numbers, first byte first (as {@code memcmp} orders them).
 *
 * <p>Immutable and thread-safe. The bytes are kept as four big-endian 64-bit words, which compare
 * in the same order and sum cheaply into fingerprints.
 */
public final class ItemId implements Comparable<ItemId> {
  /** Length of an id in bytes. */
  public static final int BYTES = 32;

  private final long w0;
  private final long w1;
  private final long w2;
  private final long w3;

  ItemId(long w0, long w1, long w2, long w3) {
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.w3 = w3;
  }

  /**
   * The id with these 32 bytes (copied).
   *
   * @throws IllegalArgumentException if {@code bytes} is not 32 bytes long
   */
  public static ItemId of(byte[] bytes) {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException(
          "Expected an id of " + BYTES + " bytes but was " + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new ItemId(b.getLong(), b.getLong(), b.getLong(), b.getLong());
  }

  /** The id behind a msgHash: its 32 decoded bytes. */
  public static ItemId of(Hash msgHash) {
    return of(CanonicalBase64.decode(msgHash.value(), BYTES, "hash"));
  }

  /** A fresh copy of the 32 bytes. */
  public byte[] bytes() {
    return ByteBuffer.allocate(BYTES).putLong(w0).putLong(w1).putLong(w2).putLong(w3).array();
  }

  /** The id as an ANProto hash (44-character base64), the msgHash it came from. */
  public Hash toHash() {
    return new Hash(CanonicalBase64.encode(bytes()));
  }

  /** Big-endian word {@code i} (0 to 3): bytes {@code 8i} to {@code 8i+7}. */
  long word(int i) {
    return switch (i) {
      case 0 -> w0;
      case 1 -> w1;
      case 2 -> w2;
      case 3 -> w3;
      default -> throw new IndexOutOfBoundsException(i);
    };
  }

  @Override
  public int compareTo(ItemId o) {
    int c = Long.compareUnsigned(w0, o.w0);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(w1, o.w1);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(w2, o.w2);
    return c != 0 ? c : Long.compareUnsigned(w3, o.w3);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ItemId other
        && w0 == other.w0
        && w1 == other.w1
        && w2 == other.w2
        && w3 == other.w3;
  }

  @Override
  public int hashCode() {
    // ids are hash outputs, so any of their bits spread well
    return Long.hashCode(w0 ^ w3);
  }

  /** The base64 form, as a msgHash is written. */
  @Override
  public String toString() {
    return CanonicalBase64.encode(bytes());
  }
}
