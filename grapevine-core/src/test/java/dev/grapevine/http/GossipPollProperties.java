package dev.grapevine.http;

import static dev.grapevine.http.HttpFixtures.T0;
import static dev.grapevine.http.HttpFixtures.call;
import static dev.grapevine.http.HttpFixtures.get;
import static dev.grapevine.http.HttpFixtures.parse;
import static dev.grapevine.http.HttpFixtures.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.http.HttpFixtures.ManualClock;
import dev.grapevine.store.MessageStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The poll cursor never skips: whatever the arrival order, the limits, the size bound and the way
 * polls interleave with arrivals, the pages together hold every message.
 */
class GossipPollProperties {
  private static final int MESSAGES = 24;

  /** Messages whose signed timestamps take only 8 values, so many share one. */
  private static final List<VerifiedMessage> POOL = pool();

  private static List<VerifiedMessage> pool() {
    KeyPair[] authors = {HttpFixtures.keys(21), HttpFixtures.keys(22), HttpFixtures.keys(23)};
    List<VerifiedMessage> out = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      out.add(HttpFixtures.sign(authors[i % 3], T0 + (i * 5 % 8) * 1_000L, "m" + i));
    }
    return List.copyOf(out);
  }

  @Provide
  Arbitrary<List<Integer>> arrivals() {
    return Arbitraries.shuffle(
        IntStream.range(0, MESSAGES).boxed().collect(Collectors.toUnmodifiableList()));
  }

  private static ApdsRoutes routes(MessageStore store, boolean tinyBodies) {
    ApdsLimits.Builder limits = ApdsLimits.builder().maxPollLimit(10).defaultPollLimit(10);
    if (tinyBodies) {
      limits.maxResponseChars(1);
    }
    return HttpFixtures.routes(
        store,
        frame -> CompletableFuture.completedFuture(List.of()),
        new ManualClock(Instant.ofEpochMilli(T0)),
        limits.build());
  }

  private static JsonNode poll(ApdsRoutes routes, long since, int limit) {
    return parse(
        call(
            routes,
            get("/gossip/poll", "since", Long.toString(since), "limit", Integer.toString(limit))));
  }

  /** The signed messages among a page's strings (the contents are short). */
  private static List<String> sigs(JsonNode body) {
    return strings(body.get("messages")).stream()
        .filter(s -> s.length() == SignedMessage.LENGTH)
        .collect(Collectors.toList());
  }

  @Property(tries = 150)
  void sequencePagesUnionIsEverythingWithoutDuplicates(
      @ForAll("arrivals") List<Integer> arrival,
      @ForAll @IntRange(min = 1, max = 10) int limit,
      @ForAll @Size(MESSAGES) List<Boolean> pollAfterArrival,
      @ForAll boolean tinyBodies) {
    try (MessageStore store = MessageStore.inMemory()) {
      ApdsRoutes routes = routes(store, tinyBodies);
      List<String> seen = new ArrayList<>();
      long cursor = 0;
      for (int i = 0; i < MESSAGES; i++) {
        VerifiedMessage m = POOL.get(arrival.get(i));
        store.add(m);
        if (i % 2 == 0) {
          store.make("m" + arrival.get(i));
        }
        if (pollAfterArrival.get(i)) {
          JsonNode body = poll(routes, cursor, limit);
          seen.addAll(sigs(body));
          cursor = nextSince(body, cursor);
        }
      }
      for (int i = 0; i <= MESSAGES; i++) {
        JsonNode body = poll(routes, cursor, limit);
        seen.addAll(sigs(body));
        cursor = nextSince(body, cursor);
      }

      assertThat(seen).doesNotHaveDuplicates();
      assertThat(seen)
          .containsExactlyInAnyOrderElementsOf(
              POOL.stream().map(m -> m.signed().value()).collect(Collectors.toList()));
    }
  }

  @Property(tries = 150)
  void timestampStartThenCursorMissesNothing(
      @ForAll("arrivals") List<Integer> arrival,
      @ForAll @IntRange(min = 1, max = 10) int limit,
      @ForAll @IntRange(min = 0, max = MESSAGES) int storedBeforeFirstPoll,
      @ForAll @IntRange(min = -1, max = 8) int sinceStep,
      @ForAll boolean tinyBodies) {
    long since = T0 + sinceStep * 1_000L;
    try (MessageStore store = MessageStore.inMemory()) {
      ApdsRoutes routes = routes(store, tinyBodies);
      Set<String> expected = new HashSet<>();
      for (int i = 0; i < storedBeforeFirstPoll; i++) {
        VerifiedMessage m = POOL.get(arrival.get(i));
        store.add(m);
        if (m.timestampMillis() > since) {
          expected.add(m.signed().value());
        }
      }
      Set<String> seen = new HashSet<>();
      JsonNode first = poll(routes, since, limit);
      seen.addAll(sigs(first));
      for (String sig : sigs(first)) {
        assertThat(expected).contains(sig);
      }
      long cursor = Math.max(since, first.get("nextSince").asLong());
      for (int i = storedBeforeFirstPoll; i < MESSAGES; i++) {
        VerifiedMessage m = POOL.get(arrival.get(i));
        store.add(m);
        expected.add(m.signed().value());
        JsonNode body = poll(routes, cursor, limit);
        seen.addAll(sigs(body));
        cursor = nextSince(body, cursor);
      }
      for (int i = 0; i <= MESSAGES; i++) {
        JsonNode body = poll(routes, cursor, limit);
        seen.addAll(sigs(body));
        cursor = nextSince(body, cursor);
      }

      assertThat(seen).containsAll(expected);
    }
  }

  /** The client's next cursor, Wiredove's way; checks that it never moves back. */
  private static long nextSince(JsonNode body, long cursor) {
    long next = body.get("nextSince").asLong();
    if (cursor >= GossipPoll.SEQUENCE_CURSOR_BASE) {
      assertThat(next).isGreaterThanOrEqualTo(cursor);
    }
    return Math.max(cursor, next);
  }
}
