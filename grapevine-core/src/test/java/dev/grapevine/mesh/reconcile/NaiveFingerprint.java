package dev.grapevine.mesh.reconcile;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;

/**
 * The fingerprint computed the slow, obvious way (BigInteger sum, byte-by-byte varint), to check
 * the index's subtotals against.
 */
final class NaiveFingerprint {
  private static final BigInteger MOD = BigInteger.ONE.shiftLeft(256);

  private NaiveFingerprint() {}

  static byte[] of(Collection<Item> items) {
    BigInteger sum = BigInteger.ZERO;
    for (Item item : items) {
      sum = sum.add(littleEndian(item.id().bytes())).mod(MOD);
    }
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    byte[] big = sum.toByteArray(); // big-endian, maybe with a sign byte
    byte[] le = new byte[32];
    for (int i = 0; i < 32 && i < big.length; i++) {
      le[i] = big[big.length - 1 - i];
    }
    input.writeBytes(le);
    input.writeBytes(varint(items.size()));
    return Arrays.copyOf(sha256(input.toByteArray()), 16);
  }

  static BigInteger littleEndian(byte[] bytes) {
    byte[] be = new byte[bytes.length + 1];
    for (int i = 0; i < bytes.length; i++) {
      be[be.length - 1 - i] = bytes[i];
    }
    return new BigInteger(be);
  }

  /** Base-128, most significant group first, continuation bit on all but the last byte. */
  static byte[] varint(long n) {
    ByteArrayOutputStream groups = new ByteArrayOutputStream();
    do {
      groups.write((int) (n & 0x7f));
      n >>>= 7;
    } while (n != 0);
    byte[] g = groups.toByteArray();
    byte[] out = new byte[g.length];
    for (int i = 0; i < g.length; i++) {
      int group = g[g.length - 1 - i];
      out[i] = (byte) (i == g.length - 1 ? group : group | 0x80);
    }
    return out;
  }

  static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
