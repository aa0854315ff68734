package dev.grapevine.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.store.MessageStore;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Vectors, keys, requests and a manual clock for the HTTP route tests. */
final class HttpFixtures {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A 13-digit timestamp to count from (the vectors' era). */
  static final long T0 = 1_755_197_900_000L;

  private static JsonNode vectors;

  private HttpFixtures() {}

  // ---- vectors ----

  /** {@code /vectors/anproto.json}, produced by the reference implementation. */
  static synchronized JsonNode vectors() {
    if (vectors == null) {
      try (InputStream in = HttpFixtures.class.getResourceAsStream("/vectors/anproto.json")) {
        if (in == null) {
          throw new IllegalStateException("Expected /vectors/anproto.json on the test classpath");
        }
        vectors = JSON.readTree(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return vectors;
  }

  /** The signed-message vector {@code name} ("A", "B" or "C"). */
  static JsonNode vector(String name) {
    for (JsonNode m : vectors().get("messages")) {
      if (m.get("name").asText().equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("Expected a vector named " + name);
  }

  /** The vector key pair's public key. */
  static String vectorPubkey() {
    return vectors().get("keypair").get("pubkey").asText();
  }

  /** The vector's signed message, verified. */
  static VerifiedMessage verified(JsonNode vector) {
    return SignedMessage.parse(vector.get("sig").asText()).verify();
  }

  /** Stores vector {@code name}'s signed message and its content. */
  static void storeVector(MessageStore store, String name) {
    JsonNode v = vector(name);
    store.add(verified(v));
    store.make(v.get("content").asText());
  }

  /** {@code s} as a JSON string literal, quotes included. */
  static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The reference's log-entry JSON for a vector, assembled from the vector's own strings in the
   * reference's key order (independent of {@code LogEntry}).
   */
  static String vectorEntryJson(String name) {
    JsonNode v = vector(name);
    String ts = v.get("ts").asText();
    return "{\"hash\":"
        + quote(v.get("msgHash").asText())
        + ",\"sig\":"
        + quote(v.get("sig").asText())
        + ",\"author\":"
        + quote(vectorPubkey())
        + ",\"opened\":"
        + quote(ts + v.get("contentHash").asText())
        + ",\"text\":"
        + quote(v.get("content").asText())
        + ",\"ts\":"
        + quote(ts)
        + "}";
  }

  // ---- other messages ----

  /** The key pair whose seed is 32 bytes of {@code i}. */
  static KeyPair keys(int i) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) i);
    return KeyPair.fromSeed(seed);
  }

  /** {@code content} signed by {@code keys} at {@code tsMillis}. */
  static VerifiedMessage sign(KeyPair keys, long tsMillis, String content) {
    return AnProto.sign(Hash.of(content), tsMillis, keys);
  }

  /** Signs and stores a post with its content; returns the signed message. */
  static VerifiedMessage post(MessageStore store, KeyPair keys, long tsMillis, String content) {
    VerifiedMessage m = sign(keys, tsMillis, content);
    store.make(content);
    store.add(m);
    return m;
  }

  // ---- requests ----

  /** A request with query parameters given as name, value, name, value… */
  static HttpRequest request(String method, String rawPath, String body, String... query) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    for (int i = 0; i < query.length; i += 2) {
      q.computeIfAbsent(query[i], k -> new ArrayList<>()).add(query[i + 1]);
    }
    return new HttpRequest(method, rawPath, q, Map.of(), body, "127.0.0.1");
  }

  /** A GET with query parameters given as name, value, name, value… */
  static HttpRequest get(String rawPath, String... query) {
    return request("GET", rawPath, "", query);
  }

  /** Calls the handler and waits (briefly) for its answer. */
  static HttpResponse call(ApdsRoutes routes, HttpRequest request) {
    try {
      return routes.handle(request).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("Expected the handler to complete with a response", e);
    }
  }

  /** Parses a JSON body. */
  static JsonNode parse(HttpResponse response) {
    try {
      return JSON.readTree(response.body());
    } catch (JsonProcessingException e) {
      throw new AssertionError("Expected JSON but was: " + response.body(), e);
    }
  }

  /** The strings of a JSON array. */
  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Routes over {@code store} on the calling thread, with {@code clock} and {@code limits}. */
  static ApdsRoutes routes(
      MessageStore store, GossipEndpoint gossip, Clock clock, ApdsLimits limits) {
    return ApdsRoutes.builder()
        .store(store)
        .gossip(gossip)
        .executor(Runnable::run)
        .clock(clock)
        .limits(limits)
        .build();
  }

  /** Routes over {@code store} with a gossip endpoint that answers nothing. */
  static ApdsRoutes routes(MessageStore store) {
    return routes(
        store,
        frame -> java.util.concurrent.CompletableFuture.completedFuture(List.of()),
        new ManualClock(Instant.ofEpochMilli(T0)),
        ApdsLimits.DEFAULT);
  }

  /** A clock that moves only when told. Thread-safe. */
  static final class ManualClock extends Clock {
    private volatile Instant now;

    ManualClock(Instant start) {
      this.now = start;
    }

    void set(Instant instant) {
      this.now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
