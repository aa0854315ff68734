package dev.grapevine.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/** Deterministic keys, signed posts and the reference test vectors for store tests. */
final class TestMessages {
  /** A 13-digit timestamp to count from. */
  static final long T0 = 1_755_197_900_000L;

  private TestMessages() {}

  /** A signed message with its content text. */
  record Post(VerifiedMessage message, String content) {
    Hash hash() {
      return message.hash();
    }

    Hash contentHash() {
      return message.contentHash();
    }
  }

  /** The key pair whose seed is 32 bytes of {@code i}. */
  static KeyPair keys(int i) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) i);
    return KeyPair.fromSeed(seed);
  }

  /** {@code content} signed by {@code keys} at {@code tsMillis}. */
  static Post post(KeyPair keys, long tsMillis, String content) {
    return new Post(AnProto.sign(Hash.of(content), tsMillis, keys), content);
  }

  /** The test vectors of the reference implementation. */
  static JsonNode vectors() {
    try (InputStream in = TestMessages.class.getResourceAsStream("/vectors/anproto.json")) {
      if (in == null) {
        throw new IllegalStateException("Expected vectors/anproto.json on the test classpath");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The vector message named {@code name} ("A", "B", "C"). */
  static JsonNode vector(String name) {
    for (JsonNode m : vectors().get("messages")) {
      if (m.get("name").asText().equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("No vector message " + name);
  }
}
