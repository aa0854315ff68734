package dev.grapevine.store;

import static dev.grapevine.store.TestMessages.T0;
import static dev.grapevine.store.TestMessages.keys;
import static dev.grapevine.store.TestMessages.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.store.TestMessages.Post;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link MessageStore} implementation must have. Subclasses say how to open a
 * fresh, empty store.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class MessageStoreContract {
  static final KeyPair ALICE = keys(1);
  static final KeyPair BOB = keys(2);
  static final KeyPair CAROL = keys(3);

  MessageStore store;

  /** A new empty store with {@code config}; every call gives a distinct store. */
  abstract MessageStore open(StoreConfig config);

  @BeforeEach
  void openStore() {
    store = open(StoreConfig.DEFAULT);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  // ---- blobs ----

  @Test
  void makeReturnsTheHashOfTheTextAndGetReturnsTheText() {
    Hash h = store.make("Hello World");

    assertThat(h.value()).isEqualTo("pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4=");
    assertThat(store.get(h)).contains("Hello World");
    assertThat(store.has(h)).isTrue();
    assertThat(store.get(Hash.of("never stored"))).isEmpty();
    assertThat(store.has(Hash.of("never stored"))).isFalse();
  }

  @Test
  void makingTheSameBlobTwiceStoresItOnce() {
    Hash first = store.make("twice ü");
    Hash second = store.makeAsync("twice ü").join();

    assertThat(second).isEqualTo(first);
    assertThat(store.stats().blobs()).isEqualTo(1);
    assertThat(store.stats().blobBytes())
        .isEqualTo("twice ü".getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void blobsRoundTripNonAsciiEmojiAndAnEmptyString() {
    String text = "ÄÖÜ ß 日本語 😀 \u0000 \r\n end";
    assertThat(store.get(store.make(text))).contains(text);
    assertThat(store.get(store.make(""))).contains("");
  }

  @Test
  void anUnpairedSurrogateIsStoredAsTheQuestionMarkItIsHashedAs() {
    Hash h = store.make("a\uD800b");

    assertThat(h).isEqualTo(Hash.of("a?b"));
    assertThat(store.get(h)).contains("a?b");
  }

  @Test
  void blobLargerThanTheLimitFailsWithTooLargeAndStoresNothing() {
    try (MessageStore small = open(StoreConfig.builder().maxBlobBytes(10).build())) {
      String tooLarge = "ééééééé"; // 7 chars, 14 UTF-8 bytes

      StoreException e = catchThrowableOfType(StoreException.class, () -> small.make(tooLarge));
      assertThat(e.reason()).isEqualTo(StoreException.Reason.TOO_LARGE);
      assertThat(e).hasMessageContaining("10 bytes").hasMessageContaining("14 bytes");
      assertThat(small.makeAsync(tooLarge))
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(
              StoreException.class,
              se -> assertThat(se.reason()).isEqualTo(StoreException.Reason.TOO_LARGE));

      assertThat(small.has(Hash.of(tooLarge))).isFalse();
      assertThat(small.stats().blobs()).isZero();
      assertThat(small.get(small.make("0123456789"))).contains("0123456789");
    }
  }

  // ---- add ----

  @Test
  void addReturnsTrueForANewMessageAndFalseForADuplicate() {
    Post p = post(ALICE, T0, "hello");

    assertThat(store.add(p.message())).isTrue();
    assertThat(store.add(p.message())).isFalse();
    assertThat(store.addAsync(p.message()).join()).isFalse();
    assertThat(store.count()).isEqualTo(1);
    assertThat(store.hashLog()).containsExactly(p.hash());
  }

  @Test
  void addStoresTheSignedTextAsABlobUnderItsMsgHash() {
    Post p = post(ALICE, T0, "hello");

    store.addAsync(p.message()).join();

    assertThat(store.get(p.hash())).contains(p.message().signed().value());
  }

  @Test
  void makingASignedMessageThatIsAlreadyLoggedStoresNothingMore() {
    Post p = post(ALICE, T0, "hello");
    store.add(p.message());

    assertThat(store.make(p.message().signed().value())).isEqualTo(p.hash());

    assertThat(store.stats().blobs()).isZero();
    assertThat(store.get(p.hash())).contains(p.message().signed().value());
  }

  @Test
  void missingContentListsSignedContentThatIsNotStoredUntilItArrives() {
    Post first = post(ALICE, T0, "content one");
    Post second = post(BOB, T0, "content two");
    Post sameContent = post(BOB, T0 + 1, "content one");
    Post stored = post(CAROL, T0, "content three");
    store.make(stored.content());
    for (Post p : List.of(first, second, sameContent, stored)) {
      store.add(p.message());
    }

    assertThat(store.missingContent(10))
        .containsExactlyInAnyOrder(first.contentHash(), second.contentHash())
        .isSorted();
    assertThat(store.missingContent(1)).hasSize(1);

    store.make(first.content());
    assertThat(store.missingContent(10)).containsExactly(second.contentHash());
    store.make(second.content());
    assertThat(store.missingContent(10)).isEmpty();
  }

  @Test
  void addAllReturnsOneResultPerMessageInOrder() {
    Post a = post(ALICE, T0, "a");
    Post b = post(ALICE, T0 + 1, "b");
    store.add(a.message());

    List<Boolean> results = store.addAll(List.of(a.message(), b.message(), b.message()));

    assertThat(results).containsExactly(false, true, false);
    assertThat(store.hashLog()).containsExactly(a.hash(), b.hash());
    assertThat(store.addAll(List.of())).isEmpty();
  }

  @Test
  void sequenceNumbersIncreaseInArrivalOrderAndIgnoreDuplicates() {
    Post late = post(ALICE, T0 + 100, "late");
    Post early = post(BOB, T0, "early");

    store.add(late.message());
    store.add(late.message());
    store.add(early.message());

    long lateSeq = store.byHash(late.hash()).orElseThrow().seq();
    long earlySeq = store.byHash(early.hash()).orElseThrow().seq();
    assertThat(lateSeq).isPositive();
    assertThat(earlySeq).isGreaterThan(lateSeq);
    assertThat(store.lastSeq()).isEqualTo(earlySeq);
  }

  // ---- latest, pubkeys, query ----

  @Test
  void latestIsTheLargestSignedTimestampEvenWhenAnOlderMessageArrivesLast() {
    Post newest = post(ALICE, T0 + 2_000, "newest");
    Post middle = post(ALICE, T0 + 1_000, "middle");
    Post oldest = post(ALICE, T0, "oldest");

    store.add(newest.message());
    store.add(middle.message());
    store.add(oldest.message());

    assertThat(store.getLatest(ALICE.publicKey())).map(LogEntry::hash).contains(newest.hash());
    assertThat(store.getLatest(BOB.publicKey())).isEmpty();
  }

  @Test
  void latestAmongEqualTimestampsIsTheOneThatArrivedLast() {
    Post first = post(ALICE, T0, "first");
    Post second = post(ALICE, T0, "second");

    store.add(first.message());
    store.add(second.message());

    assertThat(store.getLatest(ALICE.publicKey())).map(LogEntry::hash).contains(second.hash());
  }

  @Test
  void pubkeysAreListedInOrderOfFirstArrival() {
    store.add(post(BOB, T0 + 5, "bob 1").message());
    store.add(post(ALICE, T0, "alice 1").message());
    store.add(post(BOB, T0 + 9, "bob 2").message());
    store.add(post(CAROL, T0 - 9, "carol 1").message());

    assertThat(store.getPubkeys())
        .containsExactly(BOB.publicKey(), ALICE.publicKey(), CAROL.publicKey());
  }

  @Test
  void queryReturnsAllEntriesBySignedTimestampThenArrival() {
    Post b = post(BOB, T0 + 20, "b");
    Post a1 = post(ALICE, T0 + 10, "a1");
    Post a2 = post(ALICE, T0 + 10, "a2");
    Post c = post(CAROL, T0, "c");
    for (Post p : List.of(b, a1, a2, c)) {
      store.add(p.message());
    }

    assertThat(store.query())
        .extracting(LogEntry::hash)
        .containsExactly(c.hash(), a1.hash(), a2.hash(), b.hash());
    assertThat(store.query("")).isEqualTo(store.query());
  }

  @Test
  void byAuthorReturnsOnlyThatAuthorsEntriesInTimestampOrder() {
    Post a2 = post(ALICE, T0 + 2, "a2");
    Post b1 = post(BOB, T0 + 1, "b1");
    Post a1 = post(ALICE, T0 + 1, "a1");
    for (Post p : List.of(a2, b1, a1)) {
      store.add(p.message());
    }

    assertThat(store.byAuthor(ALICE.publicKey()))
        .extracting(LogEntry::hash)
        .containsExactly(a1.hash(), a2.hash());
    assertThat(store.byAuthor(CAROL.publicKey())).isEmpty();
  }

  @Test
  void byHashFindsTheEntryWithThatMsgHash() {
    Post p = post(ALICE, T0, "find me");
    store.add(p.message());

    LogEntry e = store.byHash(p.hash()).orElseThrow();
    assertThat(e.sig()).isEqualTo(p.message().signed().value());
    assertThat(e.author()).isEqualTo(ALICE.publicKey());
    assertThat(e.opened()).isEqualTo(p.message().opened());
    assertThat(e.ts()).isEqualTo(Long.toString(T0));
    assertThat(store.byHash(Hash.of("nothing"))).isEmpty();
  }

  @Test
  void byHashesReadsManyEntriesAtOnceWithTheirContentsAndLeavesOutWhatIsNotAMessage() {
    Post withContent = post(ALICE, T0, "read me");
    Post withoutContent = post(BOB, T0 + 1, "content never stored");
    store.add(withContent.message());
    store.make(withContent.content());
    store.add(withoutContent.message());

    List<LogEntry> entries =
        store.byHashes(
            List.of(
                withoutContent.hash(),
                Hash.of("nothing"),
                withContent.message().contentHash(),
                withContent.hash()));

    assertThat(entries)
        .extracting(LogEntry::hash)
        .containsExactlyInAnyOrder(withContent.hash(), withoutContent.hash());
    assertThat(entries)
        .filteredOn(e -> e.hash().equals(withContent.hash()))
        .singleElement()
        .satisfies(e -> assertThat(e.text()).contains("read me"));
    assertThat(entries)
        .filteredOn(e -> e.hash().equals(withoutContent.hash()))
        .singleElement()
        .satisfies(e -> assertThat(e.text()).isEmpty());
    assertThat(store.byHashes(List.of())).isEmpty();
  }

  @Test
  void searchMatchesContentTextIgnoringCase() {
    Post apples = post(ALICE, T0, "I like ÄPFEL and Pears");
    Post pears = post(BOB, T0 + 1, "pears only");
    Post noContent = post(CAROL, T0 + 2, "pears but the content never arrives");
    for (Post p : List.of(apples, pears)) {
      store.make(p.content());
      store.add(p.message());
    }
    store.add(noContent.message());

    assertThat(store.search("PEARS"))
        .extracting(LogEntry::hash)
        .containsExactly(apples.hash(), pears.hash());
    assertThat(store.search("äpfel")).extracting(LogEntry::hash).containsExactly(apples.hash());
    assertThat(store.search("bananas")).isEmpty();
    assertThat(store.query("?pEaRs"))
        .extracting(LogEntry::hash)
        .containsExactly(apples.hash(), pears.hash());
  }

  @Test
  void queryStringMatchesAuthorOrMsgHashLikeTheReference() {
    Post a1 = post(ALICE, T0, "a1");
    Post a2 = post(ALICE, T0 + 1, "a2");
    Post b1 = post(BOB, T0 + 2, "b1");
    for (Post p : List.of(a2, a1, b1)) {
      store.add(p.message());
    }

    assertThat(store.query(ALICE.publicKey().value()))
        .extracting(LogEntry::hash)
        .containsExactly(a1.hash(), a2.hash());
    assertThat(store.query(b1.hash().value()))
        .extracting(LogEntry::hash)
        .containsExactly(b1.hash());
    assertThat(store.query(Hash.of("unknown").value())).isEmpty();
    assertThat(store.query("not a key")).isEmpty();
    assertThat(store.query((String) null)).hasSize(3);
  }

  // ---- JSON and text ----

  @Test
  void logEntryJsonOfVectorCMatchesTheReferenceByteForByte() {
    JsonNode c = TestMessages.vector("C");
    String pubkey = TestMessages.vectors().get("keypair").get("pubkey").asText();
    String content = c.get("content").asText();
    VerifiedMessage m = SignedMessage.parse(c.get("sig").asText()).verify();

    store.make(content);
    store.add(m);

    String expected =
        c.get("logEntry")
            .asText()
            .replace("<C.sig>", c.get("sig").asText())
            .replace("<pubkey>", pubkey)
            .replace("<C.content>", jsonEscape(content));
    assertThat(store.byHash(m.hash()).orElseThrow().toJson()).isEqualTo(expected);
    assertThat(store.query()).singleElement().extracting(LogEntry::toJson).isEqualTo(expected);
  }

  @Test
  void textAppearsOnceTheContentArrivesAfterTheMessage() {
    Post p = post(ALICE, T0, "content comes later");
    store.add(p.message());

    LogEntry before = store.byHash(p.hash()).orElseThrow();
    assertThat(before.text()).isEmpty();
    assertThat(before.toJson()).doesNotContain("\"text\"");

    store.make(p.content());

    assertThat(store.byHash(p.hash()).orElseThrow().text()).contains(p.content());
    assertThat(store.getLatest(ALICE.publicKey()).orElseThrow().text()).contains(p.content());
    assertThat(store.query()).singleElement().satisfies(e -> assertThat(e.text()).isPresent());
    assertThat(store.poll(0, 10).entries())
        .singleElement()
        .satisfies(e -> assertThat(e.toJson()).contains("\"text\":\"content comes later\""));
  }

  // ---- poll and hash log ----

  @Test
  void pollNeverSkipsAMessageThatArrivesLateWithAnOldTimestamp() {
    Post recent = post(ALICE, T0 + 60_000, "recent");
    store.add(recent.message());
    Poll first = store.poll(0, 100);
    assertThat(first.entries()).extracting(LogEntry::hash).containsExactly(recent.hash());

    Post old = post(BOB, T0, "old but arrives late");
    store.add(old.message());
    Poll second = store.poll(first.next(), 100);

    assertThat(second.entries()).extracting(LogEntry::hash).containsExactly(old.hash());
    Poll third = store.poll(second.next(), 100);
    assertThat(third.entries()).isEmpty();
    assertThat(third.next()).isEqualTo(second.next());
  }

  @Test
  void pollPagesWithSmallLimitsReturnEveryEntryOnceInArrivalOrder() {
    List<Post> posts = manyPosts(11);
    for (Post p : posts) {
      store.add(p.message());
    }
    List<Hash> arrival = posts.stream().map(Post::hash).collect(Collectors.toList());

    for (int limit : new int[] {1, 2, 3, 10, 11, 50}) {
      List<Hash> seen = new ArrayList<>();
      long cursor = 0;
      int pages = 0;
      while (true) {
        Poll page = store.poll(cursor, limit);
        assertThat(page.entries().size()).isLessThanOrEqualTo(limit);
        if (page.entries().isEmpty()) {
          break;
        }
        page.entries().forEach(e -> seen.add(e.hash()));
        cursor = page.next();
        pages++;
      }
      assertThat(seen).as("limit %d", limit).isEqualTo(arrival);
      assertThat(pages).isEqualTo((11 + limit - 1) / limit);
    }
  }

  @Test
  void pollLimitIsCappedAtMaxPageSizeAndMustBePositive() {
    try (MessageStore small = open(StoreConfig.builder().maxPageSize(2).build())) {
      for (Post p : manyPosts(3)) {
        small.add(p.message());
      }
      assertThat(small.poll(0, 100).entries()).hasSize(2);
      assertThat(small.hashLog(0, 100).hashes()).hasSize(2);
      assertThatThrownBy(() -> small.poll(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void hashLogListsMsgHashesInArrivalOrderAndPages() {
    List<Post> posts = manyPosts(5);
    Collections.reverse(posts);
    for (Post p : posts) {
      store.add(p.message());
    }
    List<Hash> arrival = posts.stream().map(Post::hash).collect(Collectors.toList());

    assertThat(store.hashLog()).isEqualTo(arrival);
    HashPage first = store.hashLog(0, 2);
    HashPage second = store.hashLog(first.next(), 2);
    HashPage third = store.hashLog(second.next(), 2);
    HashPage empty = store.hashLog(third.next(), 2);
    assertThat(first.hashes()).isEqualTo(arrival.subList(0, 2));
    assertThat(second.hashes()).isEqualTo(arrival.subList(2, 4));
    assertThat(third.hashes()).isEqualTo(arrival.subList(4, 5));
    assertThat(empty.hashes()).isEmpty();
    assertThat(empty.next()).isEqualTo(third.next()).isEqualTo(store.lastSeq());
  }

  @Test
  void timedHashLogListsMsgHashesWithSignedTimestampsInArrivalOrderAndPages() {
    List<Post> posts = manyPosts(7);
    Collections.reverse(posts);
    for (Post p : posts) {
      store.add(p.message());
    }
    store.add(posts.get(0).message()); // a duplicate adds no entry

    List<TimedHash> all = new ArrayList<>();
    long cursor = 0;
    int pages = 0;
    while (true) {
      TimedHashPage page = store.timedHashLog(cursor, 3);
      assertThat(page.entries().size()).isLessThanOrEqualTo(3);
      if (page.entries().isEmpty()) {
        assertThat(page.next()).isEqualTo(cursor);
        break;
      }
      all.addAll(page.entries());
      cursor = page.next();
      pages++;
    }

    assertThat(pages).isEqualTo(3);
    assertThat(all).extracting(TimedHash::hash).containsExactlyElementsOf(store.hashLog());
    assertThat(all)
        .extracting(TimedHash::timestampMillis)
        .containsExactlyElementsOf(posts.stream().map(p -> p.message().timestampMillis()).toList());
    assertThat(all).extracting(TimedHash::seq).isSorted().doesNotHaveDuplicates();
    assertThat(cursor).isEqualTo(store.lastSeq());
    Post late = post(ALICE, T0 - 5_000, "late");
    store.add(late.message());
    assertThat(store.timedHashLog(cursor, 3).entries())
        .containsExactly(new TimedHash(store.lastSeq(), late.hash(), T0 - 5_000));
    assertThatThrownBy(() -> store.timedHashLog(0, 0)).isInstanceOf(IllegalArgumentException.class);
    try (MessageStore small = open(StoreConfig.builder().maxPageSize(2).build())) {
      for (Post p : manyPosts(3)) {
        small.add(p.message());
      }
      assertThat(small.timedHashLog(0, 100).entries()).hasSize(2);
    }
  }

  // ---- names ----

  @Test
  void nameFromFrontMatterIsRecordedWhenTheContentArrivesFirst() {
    Post p = post(ALICE, T0, "---\nname: Alice\n---\nHello World");

    store.make(p.content());
    assertThat(store.lookupName("Alice")).isEmpty();
    store.add(p.message());

    assertThat(store.lookupName("Alice")).containsExactly(ALICE.publicKey());
    assertThat(store.namesOf(ALICE.publicKey())).containsExactly("Alice");
  }

  @Test
  void nameFromFrontMatterIsRecordedWhenTheMessageArrivesFirst() {
    Post p = post(ALICE, T0, "---\nname: Alice\n---\nHello World");

    store.add(p.message());
    assertThat(store.lookupName("Alice")).isEmpty();
    store.make(p.content());

    assertThat(store.lookupName("Alice")).containsExactly(ALICE.publicKey());
  }

  @Test
  void nameDirectoryCombinesFrontMatterAndExplicitNames() {
    Post alice = post(ALICE, T0, "---\nname: Alice\n---\nhi");
    Post bob = post(BOB, T0 + 1, "---\nname: Alice\nimage: x\n---\nI am also Alice");
    Post plain = post(CAROL, T0 + 2, "name: not front matter");
    for (Post p : List.of(alice, bob, plain)) {
      store.make(p.content());
      store.add(p.message());
    }

    assertThat(store.putName("carol", CAROL.publicKey())).isTrue();
    assertThat(store.putName("carol", CAROL.publicKey())).isFalse();
    assertThat(store.putName("alias", ALICE.publicKey())).isTrue();

    assertThat(store.lookupName("Alice")).containsExactly(ALICE.publicKey(), BOB.publicKey());
    assertThat(store.lookupName("alice")).isEmpty();
    assertThat(store.namesOf(ALICE.publicKey())).containsExactly("Alice", "alias");
    assertThat(store.namesOf(CAROL.publicKey())).containsExactly("carol");
    assertThat(store.names())
        .containsExactly(
            Map.entry("Alice", List.of(ALICE.publicKey(), BOB.publicKey())),
            Map.entry("carol", List.of(CAROL.publicKey())),
            Map.entry("alias", List.of(ALICE.publicKey())));
    assertThatThrownBy(() -> store.putName(" ", ALICE.publicKey()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNamedBlobThatNoMessageSignsRecordsNoName() {
    store.make("---\nname: Mallory\n---\nunsigned");
    store.add(post(ALICE, T0, "---\nname: [not, a, string]\n---\nlist").message());

    assertThat(store.names()).isEmpty();
  }

  // ---- a message with its content in one transaction ----

  @Test
  void addWithContentStoresBothAndRecordsTheNameWithoutMissingContent() {
    Post p = post(ALICE, T0, "---\nname: Alice\n---\nHello World");

    AddResult result = store.addWithContentAsync(p.message(), Content.parse(p.content())).join();

    assertThat(result).isEqualTo(new AddResult(true, true));
    assertThat(store.get(p.message().contentHash())).contains(p.content());
    assertThat(store.has(p.message().hash())).isTrue();
    assertThat(store.byHash(p.message().hash()).orElseThrow().text()).contains(p.content());
    assertThat(store.missingContent(10)).isEmpty();
    assertThat(store.lookupName("Alice")).containsExactly(ALICE.publicKey());
    assertThat(store.stats().blobs()).isEqualTo(1);
  }

  @Test
  void addWithContentReportsWhatWasAlreadyStored() {
    Post p = post(ALICE, T0, "shared text");
    Post same = post(BOB, T0 + 1, "shared text");
    store.make(p.content());

    assertThat(store.addWithContentAsync(p.message(), Content.parse(p.content())).join())
        .isEqualTo(new AddResult(true, false));
    assertThat(store.addWithContentAsync(p.message(), Content.parse(p.content())).join())
        .isEqualTo(new AddResult(false, false));
    assertThat(store.addWithContentAsync(same.message(), Content.parse(same.content())).join())
        .isEqualTo(new AddResult(true, false));
    assertThat(store.count()).isEqualTo(2);
  }

  @Test
  void addWithContentCompletesTheNameOfAnEarlierMessageWaitingForThatContent() {
    Post first = post(ALICE, T0, "---\nname: Twins\n---\nsame");
    Post second = post(BOB, T0 + 1, "---\nname: Twins\n---\nsame");
    store.add(first.message());
    assertThat(store.missingContent(10)).containsExactly(first.message().contentHash());

    store.addWithContentAsync(second.message(), Content.parse(second.content())).join();

    assertThat(store.missingContent(10)).isEmpty();
    assertThat(store.lookupName("Twins"))
        .containsExactlyInAnyOrder(ALICE.publicKey(), BOB.publicKey());
  }

  @Test
  void addWithContentRefusesContentTheMessageDoesNotSign() {
    Post p = post(ALICE, T0, "signed text");

    assertThatThrownBy(() -> store.addWithContentAsync(p.message(), Content.parse("other text")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(p.message().contentHash().value());
    assertThat(store.count()).isZero();
    assertThat(store.has(Hash.of("other text"))).isFalse();
  }

  @Test
  void addWithContentOverTheBlobLimitFailsWithTooLargeAndStoresNeither() {
    MessageStore small = open(StoreConfig.builder().maxBlobBytes(16).build());
    try {
      Post p = post(ALICE, T0, "a content longer than sixteen bytes");

      CompletableFuture<AddResult> f =
          small.addWithContentAsync(p.message(), Content.parse(p.content()));

      assertThat(catchThrowableOfType(ExecutionException.class, f::get).getCause())
          .isInstanceOfSatisfying(
              StoreException.class,
              e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.TOO_LARGE));
      assertThat(small.count()).isZero();
    } finally {
      small.close();
    }
  }

  @Test
  void makeOfParsedContentTakesTheNameFromItsAttributes() {
    Post p = post(ALICE, T0, "---\nname: Parsed\n---\nbody");

    assertThat(store.makeAsync(Content.parse(p.content())).join())
        .isEqualTo(p.message().contentHash());
    store.add(p.message());

    assertThat(store.lookupName("Parsed")).containsExactly(ALICE.publicKey());
  }

  @Test
  void hasAnswersForKeysJustCommittedAndKeysNeverStored() {
    List<Post> posts = manyPosts(50);
    for (Post p : posts) {
      assertThat(store.has(p.message().hash())).isFalse();
      store.addWithContentAsync(p.message(), Content.parse(p.content())).join();
      assertThat(store.has(p.message().hash())).isTrue();
      assertThat(store.has(p.message().contentHash())).isTrue();
    }
    assertThat(store.has(Hash.of("never stored"))).isFalse();
  }

  // ---- concurrency, stats, lifecycle ----

  @Test
  void concurrentAddsFromSeveralThreadsAllLandExactlyOnce() throws Exception {
    List<Post> posts = manyPosts(300);
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<Post> mine = new ArrayList<>(posts);
        Collections.shuffle(mine, new Random(t));
        boolean async = t % 2 == 0;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  int added = 0;
                  List<CompletableFuture<Boolean>> pending = new ArrayList<>();
                  for (Post p : mine) {
                    if (async) {
                      pending.add(store.addAsync(p.message()));
                    } else if (store.add(p.message())) {
                      added++;
                    }
                  }
                  for (CompletableFuture<Boolean> f : pending) {
                    if (f.get(20, TimeUnit.SECONDS)) {
                      added++;
                    }
                  }
                  return added;
                }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> r : results) {
        total += r.get(25, TimeUnit.SECONDS);
      }

      assertThat(total).isEqualTo(300);
      assertThat(store.count()).isEqualTo(300);
      List<Hash> log = store.hashLog();
      assertThat(log).hasSize(300).doesNotHaveDuplicates();
      assertThat(log).containsExactlyInAnyOrderElementsOf(posts.stream().map(Post::hash).toList());
      List<Long> seqs = store.poll(0, 1_000).entries().stream().map(LogEntry::seq).toList();
      assertThat(seqs).isSorted().doesNotHaveDuplicates().hasSize(300);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void statsCountMessagesAuthorsBlobsAndBytes() {
    Post a = post(ALICE, T0, "a");
    Post b = post(BOB, T0, "bb");
    store.make(a.content());
    store.add(a.message());
    store.add(b.message());

    StoreStats stats = store.stats();
    assertThat(stats.messages()).isEqualTo(2);
    assertThat(stats.authors()).isEqualTo(2);
    assertThat(stats.blobs()).isEqualTo(1); // content "a"; signed messages count as messages
    assertThat(stats.blobBytes()).isEqualTo(1);
    assertThat(store.count()).isEqualTo(2);
  }

  @Test
  void anIdleStoreHasRoom() {
    assertThat(store.remainingCapacity()).isEqualTo(StoreConfig.DEFAULT.queueCapacity());
    assertThat(store.hasRoom()).isTrue();
  }

  @Test
  void operationsAfterCloseFailWithClosed() {
    Post p = post(ALICE, T0, "after close");
    store.add(post(ALICE, T0 - 1, "before close").message());
    store.close();
    store.close();

    List<Consumer<MessageStore>> calls =
        List.of(
            s -> s.make("x"),
            s -> s.get(Hash.of("x")),
            s -> s.has(Hash.of("x")),
            s -> s.add(p.message()),
            s -> s.addAll(List.of(p.message())),
            s -> s.getLatest(ALICE.publicKey()),
            s -> s.getPubkeys(),
            s -> s.hashLog(),
            s -> s.hashLog(0, 1),
            s -> s.missingContent(1),
            s -> s.poll(0, 1),
            s -> s.query(),
            s -> s.byAuthor(ALICE.publicKey()),
            s -> s.search("x"),
            s -> s.putName("n", ALICE.publicKey()),
            s -> s.lookupName("n"),
            s -> s.names(),
            s -> s.count(),
            s -> s.stats());
    for (Consumer<MessageStore> call : calls) {
      assertThatThrownBy(() -> call.accept(store))
          .isInstanceOfSatisfying(
              StoreException.class,
              e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CLOSED))
          .hasMessageContaining("closed");
    }
    for (CompletableFuture<?> f : List.of(store.addAsync(p.message()), store.makeAsync("x"))) {
      assertThat(f)
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(
              StoreException.class,
              e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CLOSED));
    }
    assertThat(store.remainingCapacity()).isZero();
    assertThat(store.hasRoom()).isFalse();
  }

  // ---- helpers ----

  /** {@code n} posts by three authors with distinct timestamps, in creation order. */
  static List<Post> manyPosts(int n) {
    KeyPair[] authors = {ALICE, BOB, CAROL};
    return IntStream.range(0, n)
        .mapToObj(i -> post(authors[i % 3], T0 + 1_000L * ((i * 7) % n), "post " + i))
        .collect(Collectors.toCollection(ArrayList::new));
  }

  /** JSON string escaping for the characters the test vectors contain. */
  static String jsonEscape(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) {
            throw new IllegalArgumentException("unexpected control character " + (int) c);
          }
          out.append(c);
        }
      }
    }
    return out.toString();
  }
}
