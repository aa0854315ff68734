package dev.grapevine.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.grapevine.store.LogEntry;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * The JSON bodies of the APDS routes, written with Jackson in the shapes of JavaScript's {@code
 * JSON.stringify}: no spaces, entries exactly as {@link LogEntry#toJson()} (the generator comes
 * from {@link LogEntry#jsonFactory()}, so strings are escaped the same way everywhere).
 */
final class JsonBodies {

  /**
   * A body and how many of the given entries it holds (fewer than given when the size bound cut
   * it).
   */
  record Page(String json, int written) {}

  private JsonBodies() {}

  /**
   * {@code [entry,entry,…]}: the entries in the given order, stopping before the next entry once
   * the body has reached {@code maxChars} (at least one entry is always written).
   */
  static Page entryArray(List<LogEntry> entries, int maxChars) {
    return write(
        (g, out) -> {
          g.writeStartArray();
          int n = 0;
          for (LogEntry e : entries) {
            if (n > 0 && full(g, out, maxChars)) {
              break;
            }
            e.writeJson(g);
            n++;
          }
          g.writeEndArray();
          return n;
        });
  }

  /**
   * {@code {"messages":[sig,text?,sig,text?,…],"nextSince":n}}: each entry's signed message
   * followed by its content when stored, never splitting the two, with the same size bound as
   * {@link #entryArray}; {@code nextSince} is computed from the number of entries written.
   */
  static Page pollBody(List<LogEntry> entries, int maxChars, IntToLongFunction nextSince) {
    return write(
        (g, out) -> {
          g.writeStartObject();
          g.writeArrayFieldStart("messages");
          int n = 0;
          for (LogEntry e : entries) {
            if (n > 0 && full(g, out, maxChars)) {
              break;
            }
            g.writeString(e.sig());
            if (e.text().isPresent()) {
              g.writeString(e.text().get());
            }
            n++;
          }
          g.writeEndArray();
          g.writeNumberField("nextSince", nextSince.applyAsLong(n));
          g.writeEndObject();
          return n;
        });
  }

  /** {@code {"messages":[…]}}, the answer of {@code POST /gossip}. */
  static String messages(List<String> frames) {
    return write(
            (g, out) -> {
              g.writeStartObject();
              g.writeArrayFieldStart("messages");
              for (String f : frames) {
                g.writeString(f);
              }
              g.writeEndArray();
              g.writeEndObject();
              return frames.size();
            })
        .json();
  }

  /** {@code ["a","b",…]}. */
  static String strings(List<String> values) {
    return write(
            (g, out) -> {
              g.writeStartArray();
              for (String v : values) {
                g.writeString(v);
              }
              g.writeEndArray();
              return values.size();
            })
        .json();
  }

  /** {@code {"error":code}} or {@code {"error":code,"message":message}}. */
  static String error(String code, String message) {
    return write(
            (g, out) -> {
              g.writeStartObject();
              g.writeStringField("error", code);
              if (message != null) {
                g.writeStringField("message", message);
              }
              g.writeEndObject();
              return 0;
            })
        .json();
  }

  private static boolean full(JsonGenerator g, StringWriter out, int maxChars) throws IOException {
    g.flush();
    return out.getBuffer().length() >= maxChars;
  }

  private interface Body {
    int write(JsonGenerator g, StringWriter out) throws IOException;
  }

  private static Page write(Body body) {
    StringWriter out = new StringWriter(256);
    int n;
    try (JsonGenerator g = LogEntry.jsonFactory().createGenerator(out)) {
      n = body.write(g, out);
    } catch (IOException e) {
      throw new UncheckedIOException("Writing JSON to a string failed", e);
    }
    return new Page(out.toString(), n);
  }
}
