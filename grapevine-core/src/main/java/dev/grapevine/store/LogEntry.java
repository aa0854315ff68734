package dev.grapevine.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.Opened;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * One message of the log as the store returns it: the signed message, what it opens to, its arrival
 * sequence number and, if the content blob is stored, the content text. The text is read at query
 * time, so it appears as soon as the content arrives, whatever the order.
 *
 * <p>{@link #toJson()} is the reference's log-entry JSON, byte for byte. Immutable and thread-safe.
 */
public final class LogEntry {
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
          .disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
          .disable(JsonWriteFeature.ESCAPE_NON_ASCII)
          .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
          .build();

  /**
   * Signed timestamp ascending, then arrival ascending: the order of {@link MessageStore#query()}.
   */
  public static final Comparator<LogEntry> TIMESTAMP_ORDER =
      Comparator.comparing(LogEntry::ts).thenComparingLong(LogEntry::seq);

  private final long seq;
  private final Hash hash;
  private final String sig;
  private final PublicKey author;
  private final Opened opened;
  private final String text;

  /**
   * Creates an entry from its parts, as read from storage. The parts are not re-verified.
   *
   * @param seq the arrival sequence number, at least 1
   * @param hash the msgHash, the hash of {@code sig}
   * @param sig the 208-character signed message
   * @param author the author, the first 44 characters of {@code sig}
   * @param opened the verified timestamp and content hash
   * @param text the content blob, or {@code null} if it is not stored
   */
  public LogEntry(long seq, Hash hash, String sig, PublicKey author, Opened opened, String text) {
    if (seq < 1) {
      throw new IllegalArgumentException("Expected seq >= 1 but was " + seq);
    }
    this.seq = seq;
    this.hash = Objects.requireNonNull(hash, "hash");
    this.sig = Objects.requireNonNull(sig, "sig");
    this.author = Objects.requireNonNull(author, "author");
    this.opened = Objects.requireNonNull(opened, "opened");
    this.text = text;
    if (sig.length() != SignedMessage.LENGTH || !sig.startsWith(author.value())) {
      throw new IllegalArgumentException(
          "Expected a "
              + SignedMessage.LENGTH
              + "-char signed message by "
              + author
              + " but was '"
              + sig
              + "'");
    }
  }

  /** The entry for a verified message with arrival number {@code seq} and optional content. */
  public static LogEntry of(long seq, VerifiedMessage message, String text) {
    return new LogEntry(
        seq, message.hash(), message.signed().value(), message.author(), message.opened(), text);
  }

  /**
   * The JSON factory whose generators escape strings exactly as JavaScript's {@code
   * JSON.stringify}: lower-case {@code \}{@code u00xx} for control characters, {@code /} and
   * non-ASCII characters unescaped, supplementary characters as 4-byte UTF-8. Use it (or copy its
   * features) when streaming many entries with {@link #writeJson(JsonGenerator)}.
   */
  public static JsonFactory jsonFactory() {
    return JSON;
  }

  /** The arrival sequence number: assigned at commit, increasing, never reused. */
  public long seq() {
    return seq;
  }

  /** The msgHash: the hash of {@link #sig()}. */
  public Hash hash() {
    return hash;
  }

  /** The signed message, 208 characters. */
  public String sig() {
    return sig;
  }

  /** The author's public key. */
  public PublicKey author() {
    return author;
  }

  /** The opened payload: signed timestamp and content hash. */
  public Opened opened() {
    return opened;
  }

  /** The signed timestamp as its 13 digits. */
  public String ts() {
    return opened.timestamp();
  }

  /** The signed timestamp in epoch milliseconds. */
  public long timestampMillis() {
    return opened.timestampMillis();
  }

  /** The hash of the content blob this message signs. */
  public Hash contentHash() {
    return opened.contentHash();
  }

  /** The content blob, if it was stored when this entry was read. */
  public Optional<String> text() {
    return Optional.ofNullable(text);
  }

  /**
   * The reference's log-entry JSON: {@code
   * {"hash":…,"sig":…,"author":…,"opened":"<ts13><contentHash>","text":…,"ts":"<ts13>"}} in exactly
   * this key order, with {@code text} left out when the content is not stored.
   */
  public String toJson() {
    StringWriter out = new StringWriter(512 + (text == null ? 0 : text.length()));
    try (JsonGenerator g = JSON.createGenerator(out)) {
      writeJson(g);
    } catch (IOException e) {
      throw new UncheckedIOException("Writing JSON to a string failed", e);
    }
    return out.toString();
  }

  /** Writes {@link #toJson()}'s object to {@code g}, for streaming arrays of entries. */
  public void writeJson(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("hash", hash.value());
    g.writeStringField("sig", sig);
    g.writeStringField("author", author.value());
    g.writeStringField("opened", opened.toString());
    if (text != null) {
      g.writeStringField("text", text);
    }
    g.writeStringField("ts", opened.timestamp());
    g.writeEndObject();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogEntry
        && seq == ((LogEntry) o).seq
        && sig.equals(((LogEntry) o).sig)
        && Objects.equals(text, ((LogEntry) o).text);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seq) * 31 + sig.hashCode();
  }

  /** A short description without the text. */
  @Override
  public String toString() {
    return "LogEntry[seq="
        + seq
        + ", hash="
        + hash
        + ", author="
        + author
        + ", ts="
        + opened.timestamp()
        + ", text="
        + (text == null ? "absent" : text.length() + " chars")
        + "]";
  }
}
