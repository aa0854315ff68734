package dev.grapevine.mesh.reconcile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A 256-bit number modulo 2<sup>256</sup> in four 64-bit limbs, least significant first: the
 * running sum of item ids that fingerprints are made from. Each id counts as the little-endian
 * number of its 32 bytes, so its first byte is the least significant. Mutable; not thread-safe.
 */
final class Sum256 {
  long l0;
  long l1;
  long l2;
  long l3;

  /** Zero. */
  Sum256() {}

  /** A copy of {@code other}. */
  Sum256(Sum256 other) {
    set(other);
  }

  void set(Sum256 other) {
    l0 = other.l0;
    l1 = other.l1;
    l2 = other.l2;
    l3 = other.l3;
  }

  void clear() {
    l0 = 0;
    l1 = 0;
    l2 = 0;
    l3 = 0;
  }

  /** Adds the id whose big-endian words are {@code w0..w3}. */
  void addId(long w0, long w1, long w2, long w3) {
    add(Long.reverseBytes(w0), Long.reverseBytes(w1), Long.reverseBytes(w2), Long.reverseBytes(w3));
  }

  /** Subtracts the id whose big-endian words are {@code w0..w3}. */
  void subtractId(long w0, long w1, long w2, long w3) {
    subtract(
        Long.reverseBytes(w0), Long.reverseBytes(w1), Long.reverseBytes(w2), Long.reverseBytes(w3));
  }

  void add(Sum256 o) {
    add(o.l0, o.l1, o.l2, o.l3);
  }

  void subtract(Sum256 o) {
    subtract(o.l0, o.l1, o.l2, o.l3);
  }

  /** Adds the number with limbs {@code b0..b3} (least significant first). */
  void add(long b0, long b1, long b2, long b3) {
    long r0 = l0 + b0;
    long carry = Long.compareUnsigned(r0, l0) < 0 ? 1 : 0;
    long t1 = l1 + b1;
    long c1 = Long.compareUnsigned(t1, l1) < 0 ? 1 : 0;
    long r1 = t1 + carry;
    c1 |= Long.compareUnsigned(r1, t1) < 0 ? 1 : 0;
    long t2 = l2 + b2;
    long c2 = Long.compareUnsigned(t2, l2) < 0 ? 1 : 0;
    long r2 = t2 + c1;
    c2 |= Long.compareUnsigned(r2, t2) < 0 ? 1 : 0;
    l3 = l3 + b3 + c2; // the carry out of the top limb is dropped: arithmetic modulo 2^256
    l2 = r2;
    l1 = r1;
    l0 = r0;
  }

  /** Subtracts the number with limbs {@code b0..b3}, by adding its two's complement. */
  void subtract(long b0, long b1, long b2, long b3) {
    add(~b0, ~b1, ~b2, ~b3);
    add(1, 0, 0, 0);
  }

  /** Writes the 32 little-endian bytes at {@code offset}. */
  void writeLittleEndian(byte[] out, int offset) {
    ByteBuffer.wrap(out, offset, 32)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(l0)
        .putLong(l1)
        .putLong(l2)
        .putLong(l3);
  }
}
