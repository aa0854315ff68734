package dev.grapevine.mesh.reconcile;

/**
 * Unsigned varints as the reconciliation wire writes them: base 128, most significant group first,
 * the high bit set on every byte but the last. Values are 0 to {@code Long.MAX_VALUE}, so at most 9
 * bytes. Stateless.
 */
final class Varint {
  /** The most bytes a varint may take. */
  static final int MAX_BYTES = 9;

  private Varint() {}

  /** Bytes needed for {@code value} (0 or more). */
  static int size(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("Expected a varint >= 0 but was " + value);
    }
    int bits = 64 - Long.numberOfLeadingZeros(value);
    return Math.max(1, (bits + 6) / 7);
  }

  /** Writes {@code value} at {@code offset} and returns the offset after it. */
  static int write(long value, byte[] out, int offset) {
    int n = size(value);
    for (int i = n - 1; i >= 0; i--) {
      int group = (int) (value >>> (7 * i)) & 0x7f;
      out[offset++] = (byte) (i == 0 ? group : group | 0x80);
    }
    return offset;
  }
}
