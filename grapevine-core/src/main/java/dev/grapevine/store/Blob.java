package dev.grapevine.store;

import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.VerifiedMessage;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A blob ready to store: its exact text, hash, UTF-8 size and the {@code name:} of its front
 * matter, all computed on the caller's thread so the writer only writes.
 *
 * @param hash the hash of the UTF-8 bytes of {@code data}
 * @param data the text to store (the input, with any unpaired surrogate replaced by {@code ?}, the
 *     exact text whose bytes were hashed)
 * @param bytes UTF-8 size of {@code data}
 * @param name the front-matter name if the blob is content with a usable one, else null
 */
record Blob(Hash hash, String data, int bytes, String name) {

  /**
   * Prepares {@code data} for storage.
   *
   * @throws StoreException {@code TOO_LARGE} if its UTF-8 form exceeds {@code maxBytes}
   */
  static Blob of(String data, int maxBytes) {
    return of(data, maxBytes, null);
  }

  /**
   * Prepares the text of {@code content} for storage, taking its name from the parsed attributes
   * rather than parsing the text again.
   *
   * @throws StoreException {@code TOO_LARGE} if its UTF-8 form exceeds {@code maxBytes}
   */
  static Blob of(Content content, int maxBytes) {
    return of(content.text(), maxBytes, content);
  }

  /**
   * {@link #of(Content, int)} for the content {@code message} signs: the one place where a store
   * checks that a content given with its message hashes to the message's content hash.
   *
   * @throws StoreException {@code TOO_LARGE} if its UTF-8 form exceeds {@code maxBytes}
   * @throws IllegalArgumentException if it is not the content {@code message} signs
   */
  static Blob signedBy(VerifiedMessage message, Content content, int maxBytes) {
    Blob blob = of(content, maxBytes);
    if (!blob.hash().equals(message.contentHash())) {
      throw new IllegalArgumentException(
          "Expected content hashing to "
              + message.contentHash()
              + " but it hashes to "
              + blob.hash());
    }
    return blob;
  }

  private static Blob of(String data, int maxBytes, Content parsed) {
    long size = 0;
    boolean unpaired = false;
    int n = data.length();
    for (int i = 0; i < n; i++) {
      char c = data.charAt(i);
      if (c < 0x80) {
        size += 1;
      } else if (c < 0x800) {
        size += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(data.charAt(i + 1))) {
        size += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        size += 1; // the encoder writes '?'
        unpaired = true;
      } else {
        size += 3;
      }
    }
    if (size > maxBytes) {
      throw new StoreException(
          StoreException.Reason.TOO_LARGE,
          "Expected a blob of at most " + maxBytes + " bytes but was " + size + " bytes");
    }
    byte[] utf8 = data.getBytes(StandardCharsets.UTF_8);
    String text = unpaired ? new String(utf8, StandardCharsets.UTF_8) : data;
    // An unpaired surrogate changes the text, so a name parsed from the original may not match.
    String name = parsed == null || unpaired ? nameOf(text) : usableName(parsed);
    return new Blob(Hash.of(utf8), text, utf8.length, name);
  }

  /** The usable {@code name:} front-matter attribute of {@code content}, or null. */
  static String nameOf(String content) {
    if (!content.startsWith("---") && !content.startsWith("\ufeff---")) {
      return null;
    }
    return usableName(Content.parse(content));
  }

  private static String usableName(Content content) {
    return content.string("name").filter(Blob::isUsableName).orElse(null);
  }

  /** Whether {@code name} may be in the name directory. */
  static boolean isUsableName(String name) {
    return !name.isBlank() && name.length() <= MessageStore.MAX_NAME_LENGTH;
  }

  /** Checks an explicitly given name. */
  static String requireUsableName(String name) {
    if (name == null || !isUsableName(name)) {
      throw new IllegalArgumentException(
          "Expected a non-blank name of at most "
              + MessageStore.MAX_NAME_LENGTH
              + " chars but was "
              + (name == null ? "null" : name.length() + " chars"));
    }
    return name;
  }

  /** Lower-cases a search needle once, as {@link #containsLowered} expects. */
  static String lower(String text) {
    return text.toLowerCase(Locale.ROOT);
  }

  /** Case-insensitive substring test, like JavaScript's {@code a.toLowerCase().includes(b)}. */
  static boolean containsLowered(String haystack, String loweredNeedle) {
    return haystack != null && lower(haystack).contains(loweredNeedle);
  }
}
