package dev.grapevine.http;

import static dev.grapevine.http.GossipPoll.SEQUENCE_CURSOR_BASE;
import static dev.grapevine.http.HttpFixtures.T0;
import static dev.grapevine.http.HttpFixtures.call;
import static dev.grapevine.http.HttpFixtures.get;
import static dev.grapevine.http.HttpFixtures.keys;
import static dev.grapevine.http.HttpFixtures.parse;
import static dev.grapevine.http.HttpFixtures.post;
import static dev.grapevine.http.HttpFixtures.sign;
import static dev.grapevine.http.HttpFixtures.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.http.HttpFixtures.ManualClock;
import dev.grapevine.store.MessageStore;
import dev.grapevine.transport.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GossipPollTest {
  private static final KeyPair ALICE = keys(1);
  private static final KeyPair BOB = keys(2);

  private final MessageStore store = MessageStore.inMemory();

  @AfterEach
  void closeStore() {
    store.close();
  }

  private ApdsRoutes routes(ApdsLimits limits) {
    return HttpFixtures.routes(
        store,
        frame -> CompletableFuture.completedFuture(List.of()),
        new ManualClock(Instant.ofEpochMilli(T0)),
        limits);
  }

  private JsonNode poll(ApdsRoutes routes, String... query) {
    HttpResponse r = call(routes, get("/gossip/poll", query));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.headers())
        .containsEntry("Access-Control-Allow-Origin", "*")
        .containsEntry("Access-Control-Allow-Methods", "GET,POST,OPTIONS");
    return parse(r);
  }

  private JsonNode poll(String... query) {
    return poll(routes(ApdsLimits.DEFAULT), query);
  }

  @Test
  void sinceZeroReturnsEverythingInArrivalOrderWithContentAfterEachSig() {
    VerifiedMessage late = post(store, ALICE, T0 + 5_000, "arrived first, signed later");
    VerifiedMessage early = post(store, BOB, T0, "arrived second, signed earlier");

    JsonNode body = poll("since", "0");

    assertThat(strings(body.get("messages")))
        .containsExactly(
            late.signed().value(),
            "arrived first, signed later",
            early.signed().value(),
            "arrived second, signed earlier");
    assertThat(body.get("nextSince").isIntegralNumber()).isTrue();
    assertThat(body.get("nextSince").asLong()).isEqualTo(SEQUENCE_CURSOR_BASE + 2);
  }

  @Test
  void bodyIsCompactJsonWithNextSinceAsANumber() {
    VerifiedMessage m = post(store, ALICE, T0, "hi");

    HttpResponse r = call(routes(ApdsLimits.DEFAULT), get("/gossip/poll", "since", "0"));

    assertThat(r.body())
        .isEqualTo(
            "{\"messages\":[\""
                + m.signed().value()
                + "\",\"hi\"],\"nextSince\":"
                + (SEQUENCE_CURSOR_BASE + 1)
                + "}");
  }

  @Test
  void missingSinceMeansFromTheStart() {
    post(store, ALICE, T0, "one");

    JsonNode body = poll();

    assertThat(body.get("messages")).hasSize(2);
    assertThat(body.get("nextSince").asLong()).isEqualTo(SEQUENCE_CURSOR_BASE + 1);
  }

  @Test
  void sigWithoutStoredContentComesAlone() {
    VerifiedMessage m = sign(ALICE, T0, "content not here yet");
    store.add(m);

    assertThat(strings(poll().get("messages"))).containsExactly(m.signed().value());
  }

  @Test
  void lateArrivingOldMessageIsNotSkipped() {
    post(store, ALICE, T0 + 60_000, "new");
    JsonNode first = poll();
    // The reference would now answer since = T0 + 60 s and never show this one.
    VerifiedMessage old = post(store, BOB, T0, "old, arriving late");

    JsonNode second = poll("since", first.get("nextSince").asText());

    assertThat(strings(second.get("messages")))
        .containsExactly(old.signed().value(), "old, arriving late");
    assertThat(second.get("nextSince").asLong()).isEqualTo(SEQUENCE_CURSOR_BASE + 2);
  }

  @Test
  void limitNeverSplitsEntriesSharingATimestamp() {
    List<String> sigs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sigs.add(post(store, keys(10 + i), T0, "same ms " + i).signed().value());
    }
    ApdsRoutes routes = routes(ApdsLimits.DEFAULT);

    List<String> seen = new ArrayList<>();
    String since = "0";
    for (int page = 0; page < 4; page++) {
      JsonNode body = poll(routes, "since", since, "limit", "1");
      assertThat(body.get("messages").size()).isLessThanOrEqualTo(2);
      seen.addAll(strings(body.get("messages")));
      since = body.get("nextSince").asText();
    }

    assertThat(seen.stream().filter(sigs::contains)).containsExactlyElementsOf(sigs);
  }

  @Test
  void emptyPageKeepsTheCursor() {
    post(store, ALICE, T0, "one");
    String cursor = Long.toString(SEQUENCE_CURSOR_BASE + 1);

    JsonNode body = poll("since", cursor);

    assertThat(body.get("messages")).isEmpty();
    assertThat(body.get("nextSince").asText()).isEqualTo(cursor);
  }

  @Test
  void bareSequenceNumbersAreAcceptedToo() {
    post(store, ALICE, T0, "one");
    VerifiedMessage two = post(store, ALICE, T0 + 1, "two");

    JsonNode body = poll("since", "1");

    assertThat(strings(body.get("messages"))).containsExactly(two.signed().value(), "two");
    assertThat(body.get("nextSince").asLong()).isEqualTo(SEQUENCE_CURSOR_BASE + 2);
  }

  // ---- timestamp mode ----

  @Test
  void publishConfirmationFindsAJustPublishedMessage() {
    long signedTs = T0 + 3_600_000;
    for (int i = 0; i < 20; i++) {
      post(store, BOB, T0 + i * 1_000L, "older " + i);
    }
    post(store, BOB, signedTs - 9_000, "nine seconds before");
    VerifiedMessage mine = post(store, ALICE, signedTs, "my new post");
    post(store, BOB, T0 + 30_000, "old, arriving late");

    JsonNode body = poll("since", Long.toString(signedTs - 10_000));

    List<String> messages = strings(body.get("messages"));
    assertThat(messages).contains(mine.signed().value(), "my new post");
    assertThat(messages).hasSize(4); // only the two entries signed after since
    assertThat(messages.get(2)).isEqualTo(mine.signed().value());
    assertThat(body.get("nextSince").asLong()).isEqualTo(SEQUENCE_CURSOR_BASE + 23);
  }

  @Test
  void timestampPollContinuesWithoutGapsThroughItsCursor() {
    long since = T0 + 100_000;
    List<String> expected = new ArrayList<>();
    post(store, BOB, since, "not after since");
    for (int i = 0; i < 5; i++) {
      // Arrival order is the reverse of timestamp order.
      expected.add(post(store, ALICE, since + 50_000 - i * 1_000L, "m" + i).signed().value());
    }
    ApdsRoutes routes = routes(ApdsLimits.DEFAULT);

    JsonNode first = poll(routes, "since", Long.toString(since), "limit", "2");
    VerifiedMessage late = post(store, BOB, T0, "late and old");
    expected.add(late.signed().value());

    Set<String> seen = new LinkedHashSet<>(strings(first.get("messages")));
    assertThat(seen).hasSize(4);
    // The two earliest-signed (the last two to arrive) come first.
    assertThat(strings(first.get("messages")).get(0)).isEqualTo(expected.get(4));
    String cursor = first.get("nextSince").asText();
    for (int i = 0; i < 10; i++) {
      JsonNode next = poll(routes, "since", cursor, "limit", "2");
      seen.addAll(strings(next.get("messages")));
      cursor = next.get("nextSince").asText();
    }

    assertThat(seen).containsAll(expected);
  }

  @Test
  void wiredovePollerKeepingTheMaximumCursorSeesEverything() {
    // Wiredove starts from its newest local timestamp and keeps max(lastSince, nextSince).
    long lastSince = T0 + 10_000;
    Set<String> expected = new LinkedHashSet<>();
    post(store, BOB, T0, "already known to the client");
    for (int i = 0; i < 7; i++) {
      expected.add(post(store, ALICE, T0 + 20_000 + i, "new " + i).signed().value());
    }
    ApdsRoutes routes = routes(ApdsLimits.builder().defaultPollLimit(3).build());

    Set<String> seen = new LinkedHashSet<>();
    for (int round = 0; round < 8; round++) {
      if (round == 2) {
        expected.add(post(store, BOB, T0 + 1, "late, signed long ago").signed().value());
      }
      JsonNode body = poll(routes, "since", Long.toString(lastSince));
      seen.addAll(strings(body.get("messages")));
      lastSince = Math.max(lastSince, body.get("nextSince").asLong());
    }

    assertThat(seen).containsAll(expected);
    assertThat(lastSince).isEqualTo(SEQUENCE_CURSOR_BASE + 9);
  }

  @Test
  void timestampPollOfAnEmptyStoreStartsTheCursorAtZero() {
    JsonNode body = poll("since", Long.toString(T0));

    assertThat(body.get("messages")).isEmpty();
    assertThat(body.get("nextSince").asLong()).isEqualTo(SEQUENCE_CURSOR_BASE);
  }

  // ---- limits and input ----

  @Test
  void limitDefaultsAndIsClampedToTheMaximum() {
    for (int i = 0; i < 8; i++) {
      post(store, ALICE, T0 + i, "m" + i);
    }
    ApdsRoutes routes = routes(ApdsLimits.builder().defaultPollLimit(3).maxPollLimit(5).build());

    assertThat(poll(routes).get("messages")).hasSize(6);
    assertThat(poll(routes, "limit", "4").get("messages")).hasSize(8);
    assertThat(poll(routes, "limit", "1000000").get("messages")).hasSize(10);
    assertThat(poll(routes, "limit", "1000000").get("nextSince").asLong())
        .isEqualTo(SEQUENCE_CURSOR_BASE + 5);
    assertThat(poll(routes, "since", Long.toString(T0 + 2), "limit", "99").get("messages"))
        .hasSize(10);
  }

  @Test
  void sizeBoundMovesTheCursorOnlyOverWhatWasSent() {
    for (int i = 0; i < 3; i++) {
      post(store, ALICE, T0 + i, "m" + i);
    }
    ApdsRoutes routes = routes(ApdsLimits.builder().maxResponseChars(1).build());

    JsonNode bySeq = poll(routes, "since", "0");
    JsonNode byTs = poll(routes, "since", Long.toString(T0));

    assertThat(bySeq.get("messages")).hasSize(2);
    assertThat(bySeq.get("nextSince").asLong()).isEqualTo(SEQUENCE_CURSOR_BASE + 1);
    assertThat(strings(byTs.get("messages"))).contains("m1");
    assertThat(byTs.get("nextSince").asLong()).isEqualTo(SEQUENCE_CURSOR_BASE + 2);
  }

  @Test
  void badSinceOrLimitIs400() {
    ApdsRoutes routes = routes(ApdsLimits.DEFAULT);
    for (String[] q :
        List.of(
            new String[] {"since", "-1"},
            new String[] {"since", "1.5e12"},
            new String[] {"since", "abc"},
            new String[] {"since", "99999999999999999999"},
            new String[] {"limit", "0"},
            new String[] {"limit", "x"})) {
      HttpResponse r = call(routes, get("/gossip/poll", q));

      assertThat(r.status()).as("%s=%s", q[0], q[1]).isEqualTo(400);
      assertThat(parse(r).get("error").asText()).isEqualTo("bad_request");
      assertThat(r.headers()).containsEntry("Access-Control-Allow-Headers", "content-type");
    }
  }
}
