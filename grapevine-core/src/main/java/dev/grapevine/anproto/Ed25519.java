package dev.grapevine.anproto;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint;

/**
 * Ed25519 (RFC 8032) through BouncyCastle's low-level {@code rfc8032.Ed25519}, which verifies
 * several times faster than the JDK's {@code Signature("Ed25519")} and is the only Ed25519 on any
 * hot path. Verification is strict: BouncyCastle rejects a signature whose scalar S is not below
 * the group order L, unlike tweetnacl.
 *
 * <p>Thread-safe and stateless.
 */
public final class Ed25519 {
  /** Raw public key size. */
  public static final int PUBLIC_KEY_BYTES = 32;

  /** Raw seed (private key) size. */
  public static final int SEED_BYTES = 32;

  /** Signature size. */
  public static final int SIGNATURE_BYTES = 64;

  private static final BigInteger GROUP_ORDER =
      BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));

  static {
    org.bouncycastle.math.ec.rfc8032.Ed25519.precompute();
  }

  private Ed25519() {}

  /** A new random 32-byte seed. */
  public static byte[] generateSeed(SecureRandom random) {
    byte[] seed = new byte[SEED_BYTES];
    org.bouncycastle.math.ec.rfc8032.Ed25519.generatePrivateKey(random, seed);
    return seed;
  }

  /** The public key of {@code seed}. */
  public static byte[] publicKeyOf(byte[] seed) {
    byte[] pub = new byte[PUBLIC_KEY_BYTES];
    org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pub, 0);
    return pub;
  }

  /** Signs {@code message} with {@code seed}, whose public key is {@code pub}. */
  public static byte[] sign(byte[] seed, byte[] pub, byte[] message) {
    byte[] sig = new byte[SIGNATURE_BYTES];
    org.bouncycastle.math.ec.rfc8032.Ed25519.sign(
        seed, 0, pub, 0, message, 0, message.length, sig, 0);
    return sig;
  }

  /**
   * Whether {@code sig} (64 bytes at {@code sigOff}) is a valid signature by {@code pub} of {@code
   * len} bytes of {@code message} at {@code off}.
   */
  public static boolean verify(
      byte[] pub, byte[] sig, int sigOff, byte[] message, int off, int len) {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(sig, sigOff, pub, 0, message, off, len);
  }

  /**
   * {@code pub} decoded for {@link #verify(PublicPoint, byte[], int, byte[], int, int)}, or null if
   * it fails BouncyCastle's full validation (then verify from the bytes, which decides the same as
   * before for any key).
   */
  static PublicPoint decodeForVerify(byte[] pub) {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFullExport(pub, 0);
  }

  /**
   * {@link #verify(byte[], byte[], int, byte[], int, int)} with the key already decoded by {@link
   * #decodeForVerify}: the same answer without decoding the key again.
   */
  static boolean verify(PublicPoint pub, byte[] sig, int sigOff, byte[] message, int off, int len) {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(sig, sigOff, pub, message, off, len);
  }

  /**
   * Whether the scalar S of the signature at {@code sigOff} is below the group order, the check
   * that makes signatures non-malleable. Used to explain a rejection precisely.
   */
  public static boolean hasCanonicalScalar(byte[] sig, int sigOff) {
    byte[] bigEndian = new byte[32];
    for (int i = 0; i < 32; i++) {
      bigEndian[i] = sig[sigOff + 63 - i];
    }
    return new BigInteger(1, bigEndian).compareTo(GROUP_ORDER) < 0;
  }
}
