package dev.grapevine.mesh.reconcile;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The 16-byte fingerprint of a range of items: the first 16 bytes of SHA-256 over the sum of the
 * ids (as little-endian 256-bit numbers, modulo 2<sup>256</sup>, written as 32 little-endian bytes)
 * followed by the item count as a varint. Because the sum is order-independent and invertible, the
 * fingerprint of a range does not depend on insertion order and can be computed from subtotals.
 *
 * <p>Immutable and thread-safe.
 */
public final class Fingerprint {
  /** Length of a fingerprint in bytes. */
  public static final int BYTES = 16;

  private final long hi;
  private final long lo;

  Fingerprint(long hi, long lo) {
    this.hi = hi;
    this.lo = lo;
  }

  /** Reads a fingerprint from 16 bytes at {@code offset}. */
  static Fingerprint read(byte[] bytes, int offset) {
    ByteBuffer b = ByteBuffer.wrap(bytes, offset, BYTES);
    return new Fingerprint(b.getLong(), b.getLong());
  }

  /**
   * The fingerprint of {@code count} items whose ids sum to {@code sum} (little-endian limbs, least
   * significant first).
   */
  static Fingerprint of(Sum256 sum, long count, MessageDigest sha256) {
    byte[] input = new byte[32 + Varint.size(count)];
    sum.writeLittleEndian(input, 0);
    Varint.write(count, input, 32);
    byte[] digest = sha256.digest(input);
    return read(digest, 0);
  }

  /** A new SHA-256 digest for {@link #of}. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  /** A fresh copy of the 16 bytes. */
  public byte[] bytes() {
    return ByteBuffer.allocate(BYTES).putLong(hi).putLong(lo).array();
  }

  void write(byte[] out, int offset) {
    ByteBuffer.wrap(out, offset, BYTES).putLong(hi).putLong(lo);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fingerprint other && hi == other.hi && lo == other.lo;
  }

  @Override
  public int hashCode() {
    return Objects.hash(hi, lo);
  }

  /** The 32 lowercase hex digits. */
  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes());
  }
}
