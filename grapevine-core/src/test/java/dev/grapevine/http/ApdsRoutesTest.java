package dev.grapevine.http;

import static dev.grapevine.http.HttpFixtures.T0;
import static dev.grapevine.http.HttpFixtures.call;
import static dev.grapevine.http.HttpFixtures.get;
import static dev.grapevine.http.HttpFixtures.keys;
import static dev.grapevine.http.HttpFixtures.parse;
import static dev.grapevine.http.HttpFixtures.post;
import static dev.grapevine.http.HttpFixtures.quote;
import static dev.grapevine.http.HttpFixtures.request;
import static dev.grapevine.http.HttpFixtures.vector;
import static dev.grapevine.http.HttpFixtures.vectorEntryJson;
import static dev.grapevine.http.HttpFixtures.vectorPubkey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.http.HttpFixtures.ManualClock;
import dev.grapevine.store.MessageStore;
import dev.grapevine.transport.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApdsRoutesTest {
  private static final String ALL_VECTORS =
      "[" + vectorEntryJson("A") + "," + vectorEntryJson("B") + "," + vectorEntryJson("C") + "]";

  private final MessageStore store = MessageStore.inMemory();
  private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(T0));

  @AfterEach
  void closeStore() {
    store.close();
  }

  private ApdsRoutes routes() {
    return routes(ApdsLimits.DEFAULT);
  }

  private ApdsRoutes routes(ApdsLimits limits) {
    return HttpFixtures.routes(
        store, frame -> CompletableFuture.completedFuture(List.of()), clock, limits);
  }

  private ApdsRoutes routesWithGossip(GossipEndpoint gossip) {
    return HttpFixtures.routes(store, gossip, clock, ApdsLimits.DEFAULT);
  }

  private void storeVectors() {
    // Out of timestamp order on purpose: the routes answer in timestamp order.
    HttpFixtures.storeVector(store, "C");
    HttpFixtures.storeVector(store, "A");
    HttpFixtures.storeVector(store, "B");
  }

  // ---- entries, byte for byte ----

  @Test
  void allReturnsTheVectorsByteExactInTimestampOrder() {
    storeVectors();

    HttpResponse r = call(routes(), get("/all"));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    assertThat(r.body()).isEqualTo(ALL_VECTORS);
    assertThat(r.headers()).doesNotContainKey("X-Next-Offset");
  }

  @Test
  void entryCEqualsTheVectorsLogEntryAfterSubstitution() {
    storeVectors();
    JsonNode c = vector("C");
    String content = quote(c.get("content").asText());
    String expected =
        c.get("logEntry")
            .asText()
            .replace("<C.sig>", c.get("sig").asText())
            .replace("<pubkey>", vectorPubkey())
            .replace("<C.content>", content.substring(1, content.length() - 1));

    HttpResponse r = call(routes(), get("/" + c.get("msgHash").asText()));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("[" + expected + "]");
    assertThat(expected).isEqualTo(vectorEntryJson("C"));
  }

  @Test
  void sqliteStoreAnswersTheSameBytes(@TempDir Path dir) {
    try (MessageStore sqlite = MessageStore.sqlite(dir.resolve("store.db"))) {
      for (String name : List.of("C", "A", "B")) {
        HttpFixtures.storeVector(sqlite, name);
      }
      ApdsRoutes routes = HttpFixtures.routes(sqlite);

      assertThat(call(routes, get("/all")).body()).isEqualTo(ALL_VECTORS);
      assertThat(call(routes, get("/" + vectorPubkey())).body()).isEqualTo(ALL_VECTORS);
      assertThat(call(routes, get("/" + vector("B").get("contentHash").asText())).body())
          .isEqualTo(vector("B").get("content").asText());
      assertThat(parse(call(routes, get("/gossip/poll"))).get("messages")).hasSize(6);
    }
  }

  @Test
  void rootReturnsTheWholeLogForNow() {
    storeVectors();

    assertThat(call(routes(), get("/")).body()).isEqualTo(ALL_VECTORS);
  }

  @Test
  void pubkeyPathWithSlashReturnsThatAuthorsEntries() {
    storeVectors();
    post(store, keys(3), T0, "someone else");
    assertThat(vectorPubkey()).contains("/");

    HttpResponse r = call(routes(), get("/" + vectorPubkey()));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(ALL_VECTORS);
  }

  @Test
  void msgHashPathReturnsTheOneEntry() {
    storeVectors();

    HttpResponse r = call(routes(), get("/" + vector("A").get("msgHash").asText()));

    assertThat(r.body()).isEqualTo("[" + vectorEntryJson("A") + "]");
  }

  @Test
  void entryWithoutStoredContentHasNoText() {
    HttpFixtures.storeVector(store, "A");
    store.add(HttpFixtures.verified(vector("B")));
    String b = vectorEntryJson("B");
    String bWithoutText = b.replace(",\"text\":" + quote(vector("B").get("content").asText()), "");

    HttpResponse r = call(routes(), get("/all"));

    assertThat(r.body()).isEqualTo("[" + vectorEntryJson("A") + "," + bWithoutText + "]");
  }

  @Test
  void contentHashWithPlusAndSlashReturnsTheRawContent() {
    storeVectors();
    String contentHash = vector("B").get("contentHash").asText();
    assertThat(contentHash).startsWith("+").contains("/");

    HttpResponse r = call(routes(), get("/" + contentHash));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(vector("B").get("content").asText());
    assertThat(r.contentType()).startsWith("application/json");
    assertThat(r.headers()).containsEntry("X-Content-Type-Options", "nosniff");
    assertThat(r.headers()).containsEntry("Access-Control-Allow-Origin", "*");
  }

  @Test
  void storedBlobThatIsNoMessageComesBackRaw() {
    String image = "data:image/png;base64,iVBORw0KGgo=";
    String hash = store.make(image).value();

    HttpResponse r = call(routes(), get("/" + hash));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(image);
  }

  @Test
  void percentEncodedKeyIsNotDecoded() {
    storeVectors();
    String encoded = "/" + vectorPubkey().replace("/", "%2F");

    HttpResponse r = call(routes(), get(encoded));

    assertThat(r.status()).isEqualTo(404);
  }

  // ---- name directory ----

  @Test
  void nameAliasReturnsItsPubkeys() {
    storeVectors(); // B's front matter says "name: Alice"
    PublicKey other = keys(9).publicKey();
    store.putName("ev", other);
    store.putName("ev", PublicKey.parse(vectorPubkey()));

    assertThat(call(routes(), get("/Alice")).body()).isEqualTo("[" + quote(vectorPubkey()) + "]");
    HttpResponse ev = call(routes(), get("/ev"));
    assertThat(ev.status()).isEqualTo(200);
    assertThat(ev.body()).isEqualTo("[" + quote(other.value()) + "," + quote(vectorPubkey()) + "]");
  }

  @Test
  void percentEncodedNameIsFoundDecoded() {
    PublicKey k = keys(4).publicKey();
    store.putName("Zoë Q", k);

    assertThat(call(routes(), get("/Zo%C3%AB%20Q")).body()).isEqualTo("[" + quote(k.value()) + "]");
  }

  @Test
  void namesWithSlashesAndMalformedEscapesAreHandled() {
    PublicKey k = keys(5).publicKey();
    store.putName("a/b+c", k);

    assertThat(call(routes(), get("/a/b+c")).body()).isEqualTo("[" + quote(k.value()) + "]");
    assertThat(call(routes(), get("/100%")).status()).isEqualTo(404);
    assertThat(call(routes(), get("/%zz%C3")).status()).isEqualTo(404);
    assertThat(ApdsRoutes.percentDecode("%C3%28")).isEmpty();
    assertThat(ApdsRoutes.percentDecode("a%2Fb+%F0%9F%98%80")).contains("a/b+\uD83D\uDE00");
  }

  @Test
  void namesNeverShadowReservedRoutesOrKeys() {
    storeVectors();
    KeyPair mallory = keys(6);
    store.putName("all", mallory.publicKey());
    store.putName("latest", mallory.publicKey());
    store.putName(vectorPubkey(), mallory.publicKey());

    assertThat(call(routes(), get("/all")).body()).isEqualTo(ALL_VECTORS);
    assertThat(call(routes(), get("/" + vectorPubkey())).body()).isEqualTo(ALL_VECTORS);
    // The clock is at B's timestamp: all three vectors are less than five minutes old.
    assertThat(call(routes(), get("/latest")).body()).isEqualTo(ALL_VECTORS);
  }

  // ---- /latest ----

  @Test
  void latestHasTheEntriesSignedLessThanFiveMinutesAgo() {
    KeyPair k = keys(2);
    long now = T0 + 3_600_000;
    clock.set(Instant.ofEpochMilli(now));
    post(store, k, now - Duration.ofMinutes(5).toMillis(), "exactly five minutes old");
    VerifiedMessage recent = post(store, k, now - Duration.ofMinutes(5).toMillis() + 1, "recent");
    VerifiedMessage newest = post(store, k, now - 1_000, "newest");
    post(store, k, now - Duration.ofHours(1).toMillis(), "old");

    JsonNode latest = parse(call(routes(), get("/latest")));

    assertThat(latest).hasSize(2);
    assertThat(latest.get(0).get("hash").asText()).isEqualTo(recent.hash().value());
    assertThat(latest.get(1).get("hash").asText()).isEqualTo(newest.hash().value());

    clock.set(Instant.ofEpochMilli(now + Duration.ofMinutes(4).toMillis()));
    JsonNode later = parse(call(routes(), get("/latest")));
    assertThat(later).hasSize(1);
    assertThat(later.get(0).get("hash").asText()).isEqualTo(newest.hash().value());
  }

  // ---- paging and bounds ----

  @Test
  void allIsPagedByLimitAndOffsetClampedToMaxEntries() {
    storeVectors();
    ApdsRoutes routes = routes(ApdsLimits.builder().maxEntries(2).build());

    HttpResponse first = call(routes, get("/all"));
    HttpResponse clamped = call(routes, get("/all", "limit", "1000"));
    HttpResponse second = call(routes, get("/all", "offset", "2"));
    HttpResponse middle = call(routes, get("/all", "limit", "1", "offset", "1"));
    HttpResponse beyond = call(routes, get("/all", "offset", "99"));

    assertThat(first.body())
        .isEqualTo("[" + vectorEntryJson("A") + "," + vectorEntryJson("B") + "]");
    assertThat(first.headers())
        .containsEntry("X-Next-Offset", "2")
        .containsEntry("Access-Control-Expose-Headers", "X-Next-Offset");
    assertThat(clamped.body()).isEqualTo(first.body());
    assertThat(second.body()).isEqualTo("[" + vectorEntryJson("C") + "]");
    assertThat(second.headers()).doesNotContainKey("X-Next-Offset");
    assertThat(middle.body()).isEqualTo("[" + vectorEntryJson("B") + "]");
    assertThat(middle.headers()).containsEntry("X-Next-Offset", "2");
    assertThat(beyond.body()).isEqualTo("[]");
  }

  @Test
  void authorPagesFollowTheSameLimits() {
    storeVectors();
    ApdsRoutes routes = routes(ApdsLimits.builder().maxEntries(2).build());

    HttpResponse r = call(routes, get("/" + vectorPubkey(), "offset", "1"));

    assertThat(r.body()).isEqualTo("[" + vectorEntryJson("B") + "," + vectorEntryJson("C") + "]");
    assertThat(r.headers()).doesNotContainKey("X-Next-Offset");
  }

  @Test
  void bodySizeBoundCutsBetweenEntriesAndSaysWhereToContinue() {
    storeVectors();
    ApdsRoutes routes = routes(ApdsLimits.builder().maxResponseChars(10).build());

    HttpResponse r = call(routes, get("/all"));

    assertThat(r.body()).isEqualTo("[" + vectorEntryJson("A") + "]");
    assertThat(r.headers()).containsEntry("X-Next-Offset", "1");
    assertThat(call(routes, get("/all", "offset", "1")).body())
        .isEqualTo("[" + vectorEntryJson("B") + "]");
  }

  @Test
  void badPagingParametersAre400() {
    for (String[] q :
        List.of(
            new String[] {"limit", "abc"},
            new String[] {"limit", "0"},
            new String[] {"limit", "-3"},
            new String[] {"offset", "1.5"},
            new String[] {"offset", "99999999999"},
            new String[] {"search", ""})) {
      HttpResponse r = call(routes(), get("/all", q));

      assertThat(r.status()).as("%s=%s", q[0], q[1]).isEqualTo(400);
      assertThat(parse(r).get("error").asText()).isEqualTo("bad_request");
      assertThat(parse(r).get("message").asText()).isNotBlank();
      assertThat(r.headers()).containsEntry("Access-Control-Allow-Origin", "*");
    }
  }

  @Test
  void searchFindsContentCaseInsensitively() {
    storeVectors();

    HttpResponse r = call(routes(), get("/all", "search", "SECOND"));

    assertThat(r.body()).isEqualTo("[" + vectorEntryJson("C") + "]");
  }

  // ---- errors, methods, CORS ----

  @Test
  void unknownKeyIs404WithJsonBodyAndCors() {
    HttpResponse unknownName = call(routes(), get("/nobody"));
    HttpResponse unknownKey = call(routes(), get("/" + vector("A").get("msgHash").asText()));

    for (HttpResponse r : List.of(unknownName, unknownKey)) {
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.body()).isEqualTo("{\"error\":\"not_found\"}");
      assertThat(r.contentType()).startsWith("application/json");
      assertThat(r.headers()).containsEntry("Access-Control-Allow-Origin", "*");
      assertThat(r.headers()).doesNotContainKey("Access-Control-Allow-Methods");
    }
  }

  @Test
  void unknownGossipPathIs404WithGossipCors() {
    HttpResponse r = call(routes(), get("/gossip/nope"));

    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"error\":\"not_found\"}");
    assertGossipCors(r);
  }

  @Test
  void wrongMethodsAre405WithAllow() {
    record Case(String method, String path, String allow) {}
    List<Case> cases =
        List.of(
            new Case("PUT", "/all", "GET, OPTIONS"),
            new Case("POST", "/all", "GET, OPTIONS"),
            new Case("DELETE", "/" + vectorPubkey(), "GET, OPTIONS"),
            new Case("HEAD", "/", "GET, OPTIONS"),
            new Case("GET", "/gossip", "POST, OPTIONS"),
            new Case("PATCH", "/gossip", "POST, OPTIONS"),
            new Case("POST", "/gossip/poll", "GET, OPTIONS"));
    for (Case c : cases) {
      HttpResponse r = call(routes(), request(c.method(), c.path(), "x"));

      assertThat(r.status()).as("%s %s", c.method(), c.path()).isEqualTo(405);
      assertThat(r.body()).isEqualTo("{\"error\":\"method_not_allowed\"}");
      assertThat(r.headers()).containsEntry("Allow", c.allow());
      assertThat(r.headers()).containsEntry("Access-Control-Allow-Origin", "*");
    }
  }

  @Test
  void optionsOnGossipIs204WithCors() {
    for (String path : List.of("/gossip", "/gossip/poll", "/gossip/anything")) {
      HttpResponse r = call(routes(), request("OPTIONS", path, ""));

      assertThat(r.status()).isEqualTo(204);
      assertThat(r.body()).isEmpty();
      assertGossipCors(r);
    }
    assertThat(call(routes(), request("OPTIONS", "/gossip", "")).headers())
        .containsEntry("Allow", "POST, OPTIONS");
  }

  @Test
  void optionsElsewhereIs204() {
    HttpResponse r = call(routes(), request("OPTIONS", "/all", ""));

    assertThat(r.status()).isEqualTo(204);
    assertThat(r.headers())
        .containsEntry("Allow", "GET, OPTIONS")
        .containsEntry("Access-Control-Allow-Origin", "*");
  }

  @Test
  void everyResponseAllowsAnyOriginWithoutCredentials() {
    storeVectors();
    List<HttpResponse> responses = new ArrayList<>();
    for (String path :
        List.of("/", "/all", "/latest", "/Alice", "/missing", "/gossip/poll", "/gossip/x")) {
      responses.add(call(routes(), get(path)));
    }
    responses.add(call(routes(), request("POST", "/gossip", "frame")));
    responses.add(call(routes(), request("PUT", "/all", "")));

    for (HttpResponse r : responses) {
      assertThat(r.headers()).containsEntry("Access-Control-Allow-Origin", "*");
      assertThat(r.headers()).doesNotContainKey("Access-Control-Allow-Credentials");
    }
  }

  @Test
  void rejectedExecutorIs503() {
    ApdsRoutes routes =
        ApdsRoutes.builder()
            .store(store)
            .gossip(frame -> CompletableFuture.completedFuture(List.of()))
            .executor(
                task -> {
                  throw new RejectedExecutionException("full");
                })
            .build();

    for (HttpResponse r :
        List.of(call(routes, get("/all")), call(routes, request("POST", "/gossip", "x")))) {
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("{\"error\":\"unavailable\"}");
      assertThat(r.headers()).containsEntry("Retry-After", "1");
    }
  }

  @Test
  void closedStoreIs503NotAnException() {
    store.close();

    HttpResponse r = call(routes(), get("/all"));

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.headers()).containsEntry("Access-Control-Allow-Origin", "*");
  }

  @Test
  void answersStoreReadsOnTheExecutor() {
    storeVectors();
    List<Runnable> queued = new ArrayList<>();
    ApdsRoutes routes =
        ApdsRoutes.builder()
            .store(store)
            .gossip(frame -> CompletableFuture.completedFuture(List.of()))
            .executor(queued::add)
            .build();

    CompletableFuture<HttpResponse> pending = routes.handle(get("/all"));

    assertThat(pending).isNotDone();
    assertThat(queued).hasSize(1);
    queued.get(0).run();
    assertThat(pending.join().body()).isEqualTo(ALL_VECTORS);
  }

  // ---- POST /gossip ----

  @Test
  void postGossipPassesTheBodyAndWrapsTheAnswer() {
    List<String> received = new ArrayList<>();
    String frame = vector("B").get("content").asText();
    ApdsRoutes routes =
        routesWithGossip(
            f -> {
              received.add(f);
              return CompletableFuture.completedFuture(List.of("one", "two \"quoted\"\n"));
            });

    HttpResponse r = call(routes, request("POST", "/gossip", frame));

    assertThat(received).containsExactly(frame);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"messages\":[\"one\",\"two \\\"quoted\\\"\\n\"]}");
    assertGossipCors(r);
  }

  @Test
  void postGossipWithNothingToSayAnswersAnEmptyList() {
    HttpResponse r = call(routes(), request("POST", "/gossip", vectorPubkey()));

    assertThat(r.body()).isEqualTo("{\"messages\":[]}");
  }

  @Test
  void postGossipFailuresAre500() {
    List<GossipEndpoint> failing =
        List.of(
            f -> CompletableFuture.failedFuture(new IllegalStateException("boom")),
            f -> {
              throw new IllegalStateException("thrown");
            },
            f -> null,
            f -> CompletableFuture.completedFuture(null),
            f -> CompletableFuture.completedFuture(Arrays.asList("a", null)));
    for (GossipEndpoint endpoint : failing) {
      HttpResponse r = call(routesWithGossip(endpoint), request("POST", "/gossip", "frame"));

      assertThat(r.status()).isEqualTo(500);
      assertThat(r.body()).isEqualTo("{\"error\":\"internal_error\"}");
      assertGossipCors(r);
    }
  }

  @Test
  void postGossipRejectsEmptyAndOversizedBodies() {
    List<String> received = new ArrayList<>();
    ApdsRoutes routes =
        HttpFixtures.routes(
            store,
            f -> {
              received.add(f);
              return CompletableFuture.completedFuture(List.of());
            },
            clock,
            ApdsLimits.builder().maxFrameChars(5).build());

    HttpResponse empty = call(routes, request("POST", "/gossip", ""));
    HttpResponse large = call(routes, request("POST", "/gossip", "123456"));
    HttpResponse fits = call(routes, request("POST", "/gossip", "12345"));

    assertThat(empty.status()).isEqualTo(400);
    assertThat(parse(empty).get("error").asText()).isEqualTo("bad_request");
    assertThat(large.status()).isEqualTo(413);
    assertThat(parse(large).get("error").asText()).isEqualTo("payload_too_large");
    assertThat(fits.status()).isEqualTo(200);
    assertThat(received).containsExactly("12345");
  }

  // ---- limits ----

  @Test
  void limitsAreValidated() {
    assertThat(ApdsLimits.DEFAULT.defaultPollLimit()).isEqualTo(200);
    assertThat(ApdsLimits.DEFAULT.maxPollLimit()).isEqualTo(1_000);
    assertThat(ApdsLimits.DEFAULT.latestWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(ApdsLimits.DEFAULT.toBuilder().build()).isEqualTo(ApdsLimits.DEFAULT);
    assertThatThrownBy(() -> ApdsLimits.builder().defaultPollLimit(5).maxPollLimit(4).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("defaultPollLimit");
    assertThatThrownBy(() -> ApdsLimits.builder().latestWindow(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void assertGossipCors(HttpResponse r) {
    assertThat(r.headers())
        .containsEntry("Access-Control-Allow-Origin", "*")
        .containsEntry("Access-Control-Allow-Headers", "content-type")
        .containsEntry("Access-Control-Allow-Methods", "GET,POST,OPTIONS");
  }
}
