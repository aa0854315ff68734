package dev.grapevine.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * Answers {@code get KEY} from a store the way a pub answers {@code GET /<KEY>}, so the local and
 * the remote answer look the same: a public key gives the author's entries and a msgHash {@code
 * [entry]} (as JSON arrays of the reference's log entries), another stored hash the raw blob, and a
 * name in the directory the JSON array of its public keys.
 */
final class LocalLookup {
  private LocalLookup() {}

  /** The answer for {@code key}, or empty if the store has nothing under it. */
  static Optional<String> find(MessageStore store, String key) {
    if (Hash.isValid(key)) {
      List<LogEntry> entries = store.query(key);
      if (!entries.isEmpty()) {
        return Optional.of(entriesJson(entries));
      }
      return store.get(Hash.parse(key));
    }
    List<PublicKey> keys = store.lookupName(key);
    if (keys.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        json(
            g -> {
              g.writeStartArray();
              for (PublicKey k : keys) {
                g.writeString(k.value());
              }
              g.writeEndArray();
            }));
  }

  /** Entries as the pub writes them: {@code [entry,…]} with no spaces. */
  static String entriesJson(List<LogEntry> entries) {
    return json(
        g -> {
          g.writeStartArray();
          for (LogEntry e : entries) {
            e.writeJson(g);
          }
          g.writeEndArray();
        });
  }

  private interface JsonWriter {
    void write(JsonGenerator g) throws IOException;
  }

  private static String json(JsonWriter writer) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = LogEntry.jsonFactory().createGenerator(out)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("Writing JSON to a string failed", e);
    }
    return out.toString();
  }
}
