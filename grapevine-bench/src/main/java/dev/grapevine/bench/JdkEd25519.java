package dev.grapevine.bench;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;

/**
 * The JDK's built-in Ed25519 verifier, kept here only as the baseline that benchmarks compare
 * BouncyCastle against. It must never be used on a hot path of the node.
 */
final class JdkEd25519 {
  private static final byte[] X509_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private JdkEd25519() {}

  static PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
    byte[] der = new byte[X509_PREFIX.length + raw.length];
    System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
    System.arraycopy(raw, 0, der, X509_PREFIX.length, raw.length);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
  }

  static boolean verify(PublicKey key, byte[] sig, byte[] message) throws GeneralSecurityException {
    Signature s = Signature.getInstance("Ed25519");
    s.initVerify(key);
    s.update(message);
    return s.verify(sig);
  }
}
