package dev.grapevine.anproto;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * An Ed25519 key pair in ANProto form. The text form is {@code base64(pub32) + base64(seed32 ‖
 * pub32)}: 44 + 88 = 132 characters, as the reference's {@code an.gen} makes it.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the secret.
 */
public final class KeyPair {
  /** Length of the text form. */
  public static final int LENGTH = 132;

  private final byte[] seed;
  private final byte[] pub;
  private final PublicKey publicKey;

  private KeyPair(byte[] seed) {
    this.seed = seed.clone();
    this.pub = Ed25519.publicKeyOf(this.seed);
    this.publicKey = PublicKey.of(pub);
  }

  /** A new key pair from the platform's strong random source. */
  public static KeyPair generate() {
    return generate(new SecureRandom());
  }

  /** A new key pair from {@code random}. */
  public static KeyPair generate(SecureRandom random) {
    return new KeyPair(Ed25519.generateSeed(random));
  }

  /** The key pair of a 32-byte seed. */
  public static KeyPair fromSeed(byte[] seed) {
    if (seed.length != Ed25519.SEED_BYTES) {
      throw new InvalidMessageException(
          InvalidMessageException.Reason.BAD_LENGTH,
          "Expected 32-byte seed but was " + seed.length + " bytes");
    }
    return new KeyPair(seed);
  }

  /**
   * Parses the 132-character text form and checks that both copies of the public key match the
   * seed.
   */
  public static KeyPair parse(String text) {
    String trimmed = text.strip();
    if (trimmed.length() != LENGTH) {
      throw new InvalidMessageException(
          InvalidMessageException.Reason.BAD_LENGTH,
          "Expected key pair of " + LENGTH + " chars but was " + trimmed.length());
    }
    PublicKey declared = PublicKey.parse(trimmed.substring(0, PublicKey.LENGTH));
    byte[] secret = CanonicalBase64.decode(trimmed.substring(PublicKey.LENGTH), 64, "secret key");
    KeyPair pair = new KeyPair(Arrays.copyOf(secret, 32));
    byte[] embedded = Arrays.copyOfRange(secret, 32, 64);
    if (!pair.publicKey.equals(declared) || !Arrays.equals(embedded, pair.pub)) {
      throw new InvalidMessageException(
          InvalidMessageException.Reason.BAD_PAYLOAD,
          "Expected the key pair's public key to match its seed but it does not");
    }
    return pair;
  }

  /** The public key, which is also the author id. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** Signs raw bytes; returns the 64-byte signature. */
  public byte[] sign(byte[] message) {
    return Ed25519.sign(seed, pub, message);
  }

  /** The 132-character secret text form. Handle with care: it contains the private key. */
  public String encode() {
    byte[] secret = new byte[64];
    System.arraycopy(seed, 0, secret, 0, 32);
    System.arraycopy(pub, 0, secret, 32, 32);
    return publicKey.value() + CanonicalBase64.encode(secret);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyPair && Arrays.equals(seed, ((KeyPair) o).seed);
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  /** Shows the public key only. */
  @Override
  public String toString() {
    return "KeyPair[" + publicKey + "]";
  }
}
