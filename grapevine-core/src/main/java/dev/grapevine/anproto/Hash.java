package dev.grapevine.anproto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A SHA-256 hash in ANProto form: standard padded base64 of 32 bytes, 44 characters ending in one
 * {@code =}. Used for content blobs, message ids (msgHash) and every storage key.
 *
 * @param value the 44-character canonical base64 text
 */
public record Hash(String value) implements Comparable<Hash> {
  /** Length of the text form. */
  public static final int LENGTH = 44;

  /** Validates the text form. */
  public Hash {
    CanonicalBase64.decode(value, 32, "hash");
  }

  /** Parses a 44-character hash, failing with a precise reason. */
  public static Hash parse(String value) {
    return new Hash(value);
  }

  /** The hash of the UTF-8 bytes of {@code text} (ANProto {@code an.hash}). */
  public static Hash of(String text) {
    return of(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The hash of {@code bytes}. */
  public static Hash of(byte[] bytes) {
    return new Hash(CanonicalBase64.encode(sha256().digest(bytes)));
  }

  /** Whether {@code text} is a well-formed hash (or public key: the syntax is the same). */
  public static boolean isValid(String text) {
    if (text == null || text.length() != LENGTH) {
      return false;
    }
    try {
      CanonicalBase64.decode(text, 32, "hash");
      return true;
    } catch (InvalidMessageException e) {
      return false;
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  @Override
  public int compareTo(Hash other) {
    return value.compareTo(other.value);
  }

  /** The 44-character text form. */
  @Override
  public String toString() {
    return value;
  }
}
