package dev.grapevine.tests.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ANProto test vectors produced by the reference implementation ({@code vectors/anproto.json}
 * on the test classpath), and the reference pub's log-entry JSON for each, for byte-exact
 * comparisons.
 */
final class Vectors {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode ROOT = load();

  /** The author of A, B and C. */
  static final String PUBKEY = ROOT.path("keypair").path("pubkey").asText();

  static final Vector A = message("A");
  static final Vector B = message("B");
  static final Vector C = message("C");

  /** N1–N4: malleated, non-canonical, unpadded and forged variants of A; never to be stored. */
  static final List<Malformed> MALFORMED = malformed();

  private Vectors() {}

  /**
   * One signed message with its content.
   *
   * @param name A, B or C
   * @param content the content blob
   * @param contentHash its hash
   * @param ts the signed timestamp (13 digits)
   * @param sig the 208-char signed message
   * @param msgHash the hash of {@code sig}
   */
  record Vector(
      String name, String content, String contentHash, String ts, String sig, String msgHash) {
    /** What the signed message opens to: the timestamp, then the content hash. */
    String opened() {
      return ts + contentHash;
    }

    /**
     * The reference pub's {@code /all} entry for this message, in its key order ({@code hash, sig,
     * author, opened, text, ts}) and with {@code JSON.stringify}'s escaping.
     */
    String logEntry() {
      Map<String, String> entry = new LinkedHashMap<>();
      entry.put("hash", msgHash);
      entry.put("sig", sig);
      entry.put("author", PUBKEY);
      entry.put("opened", opened());
      entry.put("text", content);
      entry.put("ts", ts);
      try {
        return JSON.writeValueAsString(entry);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * A frame the strict node must refuse.
   *
   * @param name N1 to N4
   * @param sig the frame
   */
  record Malformed(String name, String sig) {}

  /** The log entry of C exactly as the vector file spells it (placeholders filled in). */
  static String referenceLogEntryOfC() {
    String template = message("C", "logEntry");
    return template
        .replace("\"<C.sig>\"", quote(C.sig()))
        .replace("\"<pubkey>\"", quote(PUBKEY))
        .replace("\"<C.content>\"", quote(C.content()));
  }

  /** {@code [e1,e2,…]} as {@code JSON.stringify} writes an array of entries. */
  static String array(Vector... vectors) {
    List<String> entries = new ArrayList<>();
    for (Vector v : vectors) {
      entries.add(v.logEntry());
    }
    return "[" + String.join(",", entries) + "]";
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Vector message(String name) {
    JsonNode m = find(name);
    return new Vector(
        name,
        m.path("content").asText(),
        m.path("contentHash").asText(),
        m.path("ts").asText(),
        m.path("sig").asText(),
        m.path("msgHash").asText());
  }

  private static String message(String name, String field) {
    return find(name).path(field).asText();
  }

  private static JsonNode find(String name) {
    for (JsonNode m : ROOT.path("messages")) {
      if (m.path("name").asText().equals(name)) {
        return m;
      }
    }
    throw new IllegalStateException("No vector " + name);
  }

  private static List<Malformed> malformed() {
    List<Malformed> out = new ArrayList<>();
    for (JsonNode m : ROOT.path("malformed")) {
      out.add(new Malformed(m.path("name").asText(), m.path("sig").asText()));
    }
    return List.copyOf(out);
  }

  private static JsonNode load() {
    try (InputStream in = Vectors.class.getResourceAsStream("/vectors/anproto.json")) {
      if (in == null) {
        throw new IllegalStateException("vectors/anproto.json is not on the test classpath");
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
