package dev.grapevine.mesh.reconcile;

/**
 * A position in the item order that ends a range: every item below it is in the range. On the wire
 * it is a timestamp and the shortest id prefix that separates two neighbouring items; here the
 * prefix is kept zero-padded to 32 bytes as four big-endian words, so a bound compares with an item
 * like an item does.
 *
 * @param timestamp epoch milliseconds, or {@link #INFINITE_TIMESTAMP}
 * @param w0 prefix bytes 0-7 (zero where beyond the prefix)
 * @param w1 prefix bytes 8-15
 * @param w2 prefix bytes 16-23
 * @param w3 prefix bytes 24-31
 * @param prefixLength how many id bytes the wire form carries, 0 to 32
 */
record Bound(long timestamp, long w0, long w1, long w2, long w3, int prefixLength)
    implements Comparable<Bound> {
  /** The timestamp of the bound above every item. */
  static final long INFINITE_TIMESTAMP = Long.MAX_VALUE;

  /** The bound below every item: where the first range of a message starts. */
  static final Bound MIN = new Bound(0, 0, 0, 0, 0, 0);

  /** The bound above every item: where the last range of a message ends. */
  static final Bound INFINITY = new Bound(INFINITE_TIMESTAMP, 0, 0, 0, 0, 0);

  /** Checks that the words are zero beyond the prefix and that infinity has no prefix. */
  Bound {
    if (prefixLength < 0 || prefixLength > ItemId.BYTES) {
      throw new IllegalArgumentException("Expected a prefix of 0 to 32 bytes: " + prefixLength);
    }
    if (timestamp < 0) {
      throw new IllegalArgumentException("Expected a timestamp >= 0 but was " + timestamp);
    }
    if ((w0 & ~mask(prefixLength, 0)) != 0
        || (w1 & ~mask(prefixLength, 1)) != 0
        || (w2 & ~mask(prefixLength, 2)) != 0
        || (w3 & ~mask(prefixLength, 3)) != 0) {
      throw new IllegalArgumentException("Expected zero bytes beyond the prefix");
    }
    if (timestamp == INFINITE_TIMESTAMP && prefixLength != 0) {
      throw new IllegalArgumentException("Expected no id prefix on the infinite bound");
    }
  }

  /** The bound with the first {@code prefixLength} bytes of the id words {@code k0..k3}. */
  static Bound of(long timestamp, long k0, long k1, long k2, long k3, int prefixLength) {
    return new Bound(
        timestamp,
        k0 & mask(prefixLength, 0),
        k1 & mask(prefixLength, 1),
        k2 & mask(prefixLength, 2),
        k3 & mask(prefixLength, 3),
        prefixLength);
  }

  /**
   * The shortest bound above item {@code a} and not above item {@code b}, where {@code a < b}: only
   * the timestamp of {@code b} if the timestamps differ, else {@code b}'s id up to and including
   * the first byte where the ids differ.
   */
  static Bound between(long aTs, long[] aIds, int aOff, long bTs, long[] bIds, int bOff) {
    if (aTs != bTs) {
      return new Bound(bTs, 0, 0, 0, 0, 0);
    }
    int shared = 0;
    for (int i = 0; i < 4; i++) {
      long x = aIds[aOff + i] ^ bIds[bOff + i];
      if (x != 0) {
        shared = 8 * i + Long.numberOfLeadingZeros(x) / 8;
        break;
      }
      shared = 8 * (i + 1);
    }
    int length = Math.min(ItemId.BYTES, shared + 1);
    return of(bTs, bIds[bOff], bIds[bOff + 1], bIds[bOff + 2], bIds[bOff + 3], length);
  }

  /** The mask keeping the first {@code prefixLength} bytes of big-endian word {@code word}. */
  static long mask(int prefixLength, int word) {
    int keep = Math.max(0, Math.min(8, prefixLength - 8 * word));
    return keep == 0 ? 0 : keep == 8 ? -1L : -1L << (64 - 8 * keep);
  }

  boolean isInfinite() {
    return timestamp == INFINITE_TIMESTAMP;
  }

  /** Word {@code i} of the padded prefix. */
  long word(int i) {
    return switch (i) {
      case 0 -> w0;
      case 1 -> w1;
      case 2 -> w2;
      case 3 -> w3;
      default -> throw new IndexOutOfBoundsException(i);
    };
  }

  /** The prefix bytes as the wire carries them. */
  byte[] prefix() {
    byte[] out = new byte[prefixLength];
    for (int i = 0; i < prefixLength; i++) {
      out[i] = (byte) (word(i / 8) >>> (56 - 8 * (i % 8)));
    }
    return out;
  }

  /** Compares positions; the prefix length does not count, only the padded value. */
  @Override
  public int compareTo(Bound o) {
    int c = Long.compare(timestamp, o.timestamp);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(w0, o.w0);
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
}
