package dev.grapevine.store;

import static dev.grapevine.store.TestMessages.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.store.TestMessages.Post;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Properties of paging and ordering, checked on both stores. */
class StoreProperties {
  private static final KeyPair AUTHOR = TestMessages.keys(7);
  private static final int MESSAGES = 40;
  private static final AtomicInteger FILES = new AtomicInteger();

  private static Path dir;
  private static MessageStore memory;
  private static MessageStore sqlite;
  private static List<Hash> arrival;

  @BeforeContainer
  static void fillStores() throws IOException {
    dir = Files.createTempDirectory("grapevine-store-properties");
    memory = MessageStore.inMemory();
    sqlite = MessageStore.sqlite(dir.resolve("shared.db"));
    Random random = new Random(42);
    KeyPair[] authors = {TestMessages.keys(4), TestMessages.keys(5), TestMessages.keys(6)};
    arrival = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      Post p = TestMessages.post(authors[i % 3], T0 + random.nextInt(20) * 1_000L, "p" + i);
      memory.add(p.message());
      sqlite.add(p.message());
      arrival.add(p.hash());
    }
  }

  @AfterContainer
  static void closeStores() throws IOException {
    memory.close();
    sqlite.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Property(tries = 60)
  void pollPagesConcatenatedEqualTheHashLog(
      @ForAll @IntRange(min = 1, max = MESSAGES + 5) int limit, @ForAll boolean useSqlite) {
    MessageStore store = useSqlite ? sqlite : memory;
    List<Hash> seen = new ArrayList<>();
    long cursor = 0;
    while (true) {
      Poll page = store.poll(cursor, limit);
      assertThat(page.entries().size()).isLessThanOrEqualTo(limit);
      if (page.entries().isEmpty()) {
        assertThat(page.next()).isEqualTo(cursor);
        break;
      }
      assertThat(page.next()).isGreaterThan(cursor);
      page.entries().forEach(e -> seen.add(e.hash()));
      cursor = page.next();
    }
    assertThat(seen).isEqualTo(store.hashLog()).isEqualTo(arrival);
  }

  @Property(tries = 60)
  void hashLogPagesFromAnyCursorAreTheRestOfTheHashLog(
      @ForAll @IntRange(min = 0, max = MESSAGES + 2) int skip,
      @ForAll @IntRange(min = 1, max = 7) int limit,
      @ForAll boolean useSqlite) {
    MessageStore store = useSqlite ? sqlite : memory;
    long cursor = skip == 0 ? 0 : store.hashLog(0, skip).next();
    List<Hash> rest = new ArrayList<>();
    for (HashPage page = store.hashLog(cursor, limit);
        !page.hashes().isEmpty();
        page = store.hashLog(page.next(), limit)) {
      rest.addAll(page.hashes());
    }
    assertThat(rest).isEqualTo(arrival.subList(Math.min(skip, MESSAGES), MESSAGES));
  }

  @Property(tries = 25)
  void latestIsTheLargestTimestampAndPollIsArrivalOrderWhateverTheArrivalOrder(
      @ForAll @Size(min = 1, max = 8) List<@LongRange(min = 0, max = 5) Long> offsets,
      @ForAll boolean useSqlite) {
    try (MessageStore store =
        useSqlite
            ? MessageStore.sqlite(dir.resolve("try-" + FILES.incrementAndGet() + ".db"))
            : MessageStore.inMemory()) {
      List<Post> posts = new ArrayList<>();
      for (int i = 0; i < offsets.size(); i++) {
        posts.add(TestMessages.post(AUTHOR, T0 + offsets.get(i), "post " + i));
        store.add(posts.get(i).message());
      }
      long max = offsets.stream().mapToLong(Long::longValue).max().orElseThrow();
      int lastWithMax = offsets.lastIndexOf(max);

      assertThat(store.getLatest(AUTHOR.publicKey()))
          .map(LogEntry::hash)
          .contains(posts.get(lastWithMax).hash());
      assertThat(store.poll(0, 100).entries())
          .extracting(LogEntry::hash)
          .containsExactlyElementsOf(posts.stream().map(Post::hash).toList());
      assertThat(store.byAuthor(AUTHOR.publicKey())).isSortedAccordingTo(LogEntry.TIMESTAMP_ORDER);
    }
  }
}
