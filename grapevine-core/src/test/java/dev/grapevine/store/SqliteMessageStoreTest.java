package dev.grapevine.store;

import static dev.grapevine.store.TestMessages.T0;
import static dev.grapevine.store.TestMessages.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.store.TestMessages.Post;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract for the SQLite store, plus persistence and file handling. */
class SqliteMessageStoreTest extends MessageStoreContract {
  @TempDir Path dir;
  private final AtomicInteger files = new AtomicInteger();

  @Override
  MessageStore open(StoreConfig config) {
    return MessageStore.sqlite(dir.resolve("store-" + files.incrementAndGet() + ".db"), config);
  }

  @Test
  void reopeningKeepsBlobsLogNamesAndSequenceNumbers() {
    Path file = dir.resolve("data").resolve("persist.db");
    Post named = post(ALICE, T0, "---\nname: Alice\n---\nHello World");
    Post other = post(BOB, T0 + 5, "bob");
    List<LogEntry> before;
    try (MessageStore s = MessageStore.sqlite(file)) {
      s.make(named.content());
      s.add(named.message());
      s.add(other.message());
      s.putName("bobby", BOB.publicKey());
      before = s.query();
    }

    Post later = post(CAROL, T0 - 5, "after reopen");
    try (MessageStore s = MessageStore.sqlite(file)) {
      assertThat(s.query()).isEqualTo(before);
      assertThat(s.get(named.contentHash())).contains(named.content());
      assertThat(s.get(other.hash())).contains(other.message().signed().value());
      assertThat(s.getPubkeys()).containsExactly(ALICE.publicKey(), BOB.publicKey());
      assertThat(s.lookupName("Alice")).containsExactly(ALICE.publicKey());
      assertThat(s.lookupName("bobby")).containsExactly(BOB.publicKey());
      assertThat(s.stats()).isEqualTo(new StoreStats(2, 2, 1, named.content().length(), 0));
      long lastSeq = s.lastSeq();

      assertThat(s.add(named.message())).isFalse();
      assertThat(s.add(later.message())).isTrue();
      assertThat(s.byHash(later.hash()).orElseThrow().seq()).isGreaterThan(lastSeq);
      assertThat(s.getPubkeys())
          .containsExactly(ALICE.publicKey(), BOB.publicKey(), CAROL.publicKey());
    }
  }

  @Test
  void aSecondStoreOnTheSameFileFailsWithLocked() {
    Path file = dir.resolve("locked.db");
    try (MessageStore first = MessageStore.sqlite(file)) {
      StoreException e =
          catchThrowableOfType(StoreException.class, () -> MessageStore.sqlite(file));
      assertThat(e.reason()).isEqualTo(StoreException.Reason.LOCKED);
      assertThat(e).hasMessageContaining("locked.db");
      first.make("still usable");
    }
    try (MessageStore again = MessageStore.sqlite(file)) {
      assertThat(again.has(Hash.of("still usable"))).isTrue();
    }
  }

  @Test
  void openingAnotherApplicationsDatabaseFailsWithIo() throws SQLException {
    Path file = dir.resolve("foreign.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t(x)");
    }

    StoreException e = catchThrowableOfType(StoreException.class, () -> MessageStore.sqlite(file));

    assertThat(e.reason()).isEqualTo(StoreException.Reason.IO);
    assertThat(e).hasMessageContaining("another database");
  }

  @Test
  void theDatabaseIsInWalModeWithTheDocumentedSchemaAndPassesIntegrityCheck() throws SQLException {
    Path file = dir.resolve("layout.db");
    try (MessageStore s = MessageStore.sqlite(file)) {
      s.add(post(ALICE, T0, "x").message());
    }
    assertThat(Files.exists(dir.resolve("layout.db.lock"))).isTrue();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      assertThat(single(st, "PRAGMA journal_mode")).isEqualTo("wal");
      assertThat(single(st, "PRAGMA integrity_check")).isEqualTo("ok");
      assertThat(single(st, "PRAGMA user_version")).isEqualTo("1");
      assertThat(rows(st, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"))
          .contains("authors", "blobs", "log", "names", "missing_content");
      assertThat(rows(st, "SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name"))
          .contains("log_author_ts", "log_ts_hash", "names_pubkey");
    }
  }

  @Test
  void latestIsAnIndexLookupOnAuthorAndTimestamp() throws SQLException {
    Path file = dir.resolve("plan.db");
    try (MessageStore s = MessageStore.sqlite(file)) {
      s.add(post(ALICE, T0, "x").message());
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      List<String> plan =
          rows(
              st,
              "EXPLAIN QUERY PLAN SELECT l.seq FROM log l LEFT JOIN blobs b ON b.hash ="
                  + " l.content_hash WHERE l.author = 'x' ORDER BY l.ts DESC, l.seq DESC LIMIT 1",
              4);
      assertThat(String.join("\n", plan))
          .contains("USING INDEX log_author_ts")
          .doesNotContain("TEMP B-TREE");
    }
  }

  @Test
  void aFullWriterQueueFailsAsyncAddsWithBusyAndStoresOnlyWhatItAccepted() throws Exception {
    Path file = dir.resolve("busy.db");
    StoreConfig tiny =
        StoreConfig.builder()
            .queueCapacity(2)
            .maxBatchSize(1)
            .waitTimeout(Duration.ofMillis(50))
            .build();
    try (MessageStore s = MessageStore.sqlite(file, tiny);
        Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = other.createStatement()) {
      st.execute("BEGIN IMMEDIATE"); // holds the write lock: the store's writer stalls
      List<Post> posts = manyPosts(4);
      List<CompletableFuture<Boolean>> futures = new ArrayList<>();
      futures.add(s.addAsync(posts.get(0).message()));
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> s.stats().queued() == 0);
      // The writer holds the first write; the next two fill the queue; the last finds it full.
      for (Post p : posts.subList(1, 4)) {
        futures.add(s.addAsync(p.message()));
      }

      assertThat(futures.subList(0, 3)).noneMatch(CompletableFuture::isDone);
      assertThat(futures.get(3))
          .failsWithin(Duration.ofSeconds(1))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(
              StoreException.class,
              e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.BUSY));
      assertThat(s.hasRoom()).isFalse();
      assertThat(s.remainingCapacity()).isZero();
      StoreException blocked =
          catchThrowableOfType(StoreException.class, () -> s.add(posts.get(3).message()));
      assertThat(blocked.reason()).isEqualTo(StoreException.Reason.BUSY);
      assertThat(blocked).hasMessageContaining("after waiting 50 ms");

      st.execute("ROLLBACK");
      for (CompletableFuture<Boolean> f : futures.subList(0, 3)) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(s.hashLog())
          .containsExactly(posts.get(0).hash(), posts.get(1).hash(), posts.get(2).hash());
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(s::hasRoom);
    }
  }

  @Test
  void closeWaitsForTheQueuedWritesToCommitAndEachIsAcknowledged() throws Exception {
    Path file = dir.resolve("close.db");
    List<Post> posts = manyPosts(5);
    List<CompletableFuture<Boolean>> futures = new ArrayList<>();
    MessageStore s = MessageStore.sqlite(file);
    CompletableFuture<Void> closing;
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = other.createStatement()) {
      st.execute("BEGIN IMMEDIATE"); // holds the write lock: every write stays queued
      for (Post p : posts) {
        futures.add(s.addAsync(p.message()));
      }
      closing = CompletableFuture.runAsync(s::close);

      // close() is waiting for the writer, which waits for the lock: nothing is lost or failed.
      Awaitility.await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !closing.isDone() && futures.stream().noneMatch(CompletableFuture::isDone));
      st.execute("ROLLBACK");
    }

    closing.get(30, TimeUnit.SECONDS);
    for (CompletableFuture<Boolean> f : futures) {
      assertThat(f.get(1, TimeUnit.SECONDS)).isTrue();
    }
    try (MessageStore reopened = MessageStore.sqlite(file)) {
      assertThat(reopened.hashLog())
          .containsExactlyElementsOf(posts.stream().map(Post::hash).toList());
    }
  }

  @Test
  void afterReopeningHasFindsEveryStoredKeyAndNoOther() {
    Path file = dir.resolve("keys.db");
    List<Post> posts = manyPosts(40);
    try (MessageStore s = MessageStore.sqlite(file)) {
      for (Post p : posts.subList(0, 20)) {
        s.addWithContentAsync(p.message(), Content.parse(p.content())).join();
      }
      for (Post p : posts.subList(20, 40)) {
        s.add(p.message());
      }
    }

    // No recent-keys cache: every "present" comes from the database behind the loaded filter.
    try (MessageStore s = MessageStore.sqlite(file, StoreConfig.builder().recentKeys(0).build())) {
      for (Post p : posts) {
        assertThat(s.has(p.hash())).isTrue();
      }
      assertThat(posts.subList(0, 20)).allMatch(p -> s.has(p.contentHash()));
      assertThat(posts.subList(20, 40)).noneMatch(p -> s.has(p.contentHash()));
      assertThat(s.has(Hash.of("never stored"))).isFalse();
    }
  }

  @Test
  void aWriterLeftIdleAfterACommitCopiesTheWalIntoTheDatabaseFileAndGoesOnWriting()
      throws Exception {
    Path file = dir.resolve("idle.db");
    StoreConfig config = StoreConfig.builder().idleCheckpoint(Duration.ofMillis(50)).build();
    List<Post> posts = manyPosts(41);
    try (MessageStore s = MessageStore.sqlite(file, config)) {
      for (Post p : posts.subList(0, 40)) {
        s.add(p.message());
        s.make(p.content());
      }
      long before = Files.size(file);

      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> s.commitStats().idleCheckpoints() >= 1);

      // The pages were in the WAL; the checkpoint wrote them into the database file.
      assertThat(Files.size(file)).isGreaterThan(before);
      long checkpoints = s.commitStats().idleCheckpoints();
      long commits = s.commitStats().commits();
      // The writer is back in transactions: the next write commits as one.
      assertThat(s.add(posts.get(40).message())).isTrue();
      assertThat(s.commitStats().commits()).isEqualTo(commits + 1);
      for (Post p : posts) {
        assertThat(s.byHash(p.hash())).isPresent();
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> s.commitStats().idleCheckpoints() == checkpoints + 1);
    }
  }

  @Test
  void underLoadTheWriterWaitsOutTheCommitWindowSoQueuedWritesShareOneCommit() throws Exception {
    Path file = dir.resolve("window.db");
    StoreConfig config =
        StoreConfig.builder()
            .commitWindow(Duration.ofSeconds(20))
            .commitWindowMinWrites(2)
            .maxBatchSize(10)
            .build();
    List<Post> posts = manyPosts(11);
    try (MessageStore s = MessageStore.sqlite(file, config);
        Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = other.createStatement()) {
      st.execute("BEGIN IMMEDIATE"); // stalls the writer on the first write
      List<CompletableFuture<Boolean>> futures = new ArrayList<>();
      futures.add(s.addAsync(posts.get(0).message()));
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> s.stats().queued() == 0);
      for (Post p : posts.subList(1, 4)) {
        futures.add(s.addAsync(p.message()));
      }
      st.execute("ROLLBACK");
      assertThat(futures.get(0).get(10, TimeUnit.SECONDS)).isTrue();
      long commitsBefore = s.commitStats().commits();

      // Three writes are queued (at least 2): the writer waits for a full batch of 10 or the
      // window; the next seven fill the batch, so all ten commit together, long before 20 s.
      for (Post p : posts.subList(4, 11)) {
        futures.add(s.addAsync(p.message()));
      }
      for (CompletableFuture<Boolean> f : futures) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(s.commitStats().commits() - commitsBefore).isEqualTo(1);
    }
  }

  @Test
  void aLoneWriterNeverWaitsForTheCommitWindow() {
    StoreConfig config = StoreConfig.builder().commitWindow(Duration.ofSeconds(30)).build();
    try (MessageStore s = MessageStore.sqlite(dir.resolve("lone.db"), config)) {
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
          Duration.ofSeconds(15),
          () -> {
            for (Post p : manyPosts(5)) {
              assertThat(s.add(p.message())).isTrue();
            }
          });
    }
  }

  private static String single(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static List<String> rows(Statement st, String sql) throws SQLException {
    return rows(st, sql, 1);
  }

  private static List<String> rows(Statement st, String sql, int column) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(column));
      }
    }
    return out;
  }
}
