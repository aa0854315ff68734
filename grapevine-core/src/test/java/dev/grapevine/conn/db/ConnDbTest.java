package dev.grapevine.conn.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.clock.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnDbTest {
  private static final long T0 = 1_650_000_000_000L;
  private static final ConnDbConfig CONFIG =
      new ConnDbConfig(Duration.ofSeconds(1), Duration.ofSeconds(5));

  @TempDir Path dir;
  private final TestScheduler scheduler = new TestScheduler(T0);
  private ConnDb db;

  @AfterEach
  void closeDb() {
    if (db != null) {
      db.close();
    }
  }

  /** Writes run on the thread that calls flush() or advances the scheduler. */
  private ConnDb open() {
    db = ConnDb.open(dir, scheduler, CONFIG, Runnable::run, null);
    return db;
  }

  private static String key(int i) {
    byte[] k = new byte[32];
    k[0] = (byte) i;
    k[31] = 7;
    return Base64.getEncoder().encodeToString(k);
  }

  /** A canonical address. */
  private static String addr(int i) {
    return "ws://10.0.0." + i + ":9000~shs:" + key(i);
  }

  private String file() throws IOException {
    return Files.readString(dir.resolve(ConnDb.FILE_NAME), StandardCharsets.UTF_8);
  }

  private void writeFile(String text) throws IOException {
    Files.writeString(dir.resolve(ConnDb.FILE_NAME), text, StandardCharsets.UTF_8);
  }

  private List<String> dirListing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  // ---- File format ----

  @Test
  void newDatabaseWritesExactlyEmptyBraces() throws IOException {
    open();
    assertThat(file()).isEqualTo("{}");
    assertThat(db.size()).isZero();
    assertThat(dirListing()).containsExactly("conn.json");
  }

  @Test
  void writesJsonStringifyBytesUnderTheCanonicalAddress() throws IOException {
    open();
    db.set(
        "ws:10.0.0.1:9000~shs:" + key(1),
        PeerData.of(Map.of("type", "pub")).with("tags", List.of()).with("m", Map.of()));
    db.flush();
    assertThat(file())
        .isEqualTo(
            "{\n"
                + "  \""
                + addr(1)
                + "\": {\n"
                + "    \"birth\": 1650000000000,\n"
                + "    \"type\": \"pub\",\n"
                + "    \"tags\": [],\n"
                + "    \"m\": {}\n"
                + "  }\n"
                + "}");
    assertThat(db.has(addr(1))).isTrue();
    assertThat(db.entries()).extracting(Map.Entry::getKey).containsExactly(addr(1));
  }

  @Test
  void invalidAddressIsRejectedWithAClearMessage() {
    open();
    assertThatThrownBy(() -> db.set("net:10.0.0.1:8008~shs:" + key(1), PeerData.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Not a valid peer address")
        .hasMessageContaining("ws://");
    assertThatThrownBy(() -> db.replace("ws://10.0.0.1:9000", PeerData.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shs");
    assertThat(db.size()).isZero();
  }

  @Test
  void reloadKeepsUnknownFieldsOrderAndBytes() throws IOException {
    String original =
        "{\n"
            + "  \"net:pub.example.org:8008~shs:"
            + key(9)
            + "\": {\n"
            + "    \"birth\": 1600000000000,\n"
            + "    \"key\": \"@"
            + key(9)
            + ".ed25519\",\n"
            + "    \"source\": \"stored\",\n"
            + "    \"announcers\": [\n"
            + "      1,\n"
            + "      {\n"
            + "        \"x\": null\n"
            + "      }\n"
            + "    ],\n"
            + "    \"duration\": {\n"
            + "      \"mean\": 1.1,\n"
            + "      \"stdev\": 0,\n"
            + "      \"count\": 1,\n"
            + "      \"sum\": 1.1,\n"
            + "      \"sqsum\": 1.2100000000000002\n"
            + "    }\n"
            + "  },\n"
            + "  \""
            + addr(2)
            + "\": {\n"
            + "    \"zeta\": \"\u00e9\\u0001\",\n"
            + "    \"birth\": 1600000000001\n"
            + "  }\n"
            + "}";
    writeFile(original);
    open();
    assertThat(db.entries())
        .extracting(Map.Entry::getKey)
        .containsExactly("net:pub.example.org:8008~shs:" + key(9), addr(2));
    PeerData legacy = db.get("net:pub.example.org:8008~shs:" + key(9)).orElseThrow();
    assertThat(legacy.fieldNames())
        .containsExactly("birth", "key", "source", "announcers", "duration");
    assertThat(legacy.duration()).hasValueSatisfying(d -> assertThat(d.mean()).isEqualTo(1.1));
    assertThat(db.addressForKey("@" + key(9) + ".ed25519"))
        .hasValue("net:pub.example.org:8008~shs:" + key(9));

    db.set(addr(3), PeerData.empty());
    assertThat(db.delete(addr(3))).isTrue();
    db.close();
    assertThat(file()).isEqualTo(original);

    // Changing an existing entry keeps its position and its unknown fields; birth moves first,
    // as upstream's {birth: prev.birth ?? now, ...prev, ...patch} moves it.
    open();
    db.update(addr(2), PeerData.of(Map.of("type", "lan")));
    db.flush();
    assertThat(file())
        .endsWith(
            "  \""
                + addr(2)
                + "\": {\n"
                + "    \"birth\": 1600000000001,\n"
                + "    \"zeta\": \"\u00e9\\u0001\",\n"
                + "    \"type\": \"lan\"\n"
                + "  }\n"
                + "}");
    assertThat(file()).startsWith("{\n  \"net:pub.example.org");
  }

  // ---- Self-healing ----

  @Test
  void trailingGarbageIsHealedAndRewritten() throws IOException {
    String good = "{\n  \"" + addr(1) + "\": {\n    \"birth\": 5\n  }\n}";
    writeFile(good + ",\n}\n},");
    open();
    assertThat(db.get(addr(1)).orElseThrow().birth()).hasValue(5);
    assertThat(file()).isEqualTo(good);
    assertThat(dirListing()).containsExactly("conn.json");
  }

  @Test
  void corruptFileIsBackedUpAndTheDatabaseStartsEmpty() throws IOException {
    writeFile("this is not JSON, and far from it");
    open();
    assertThat(db.size()).isZero();
    assertThat(file()).isEqualTo("{}");
    assertThat(Files.readString(dir.resolve("conn.json.corrupt")))
        .isEqualTo("this is not JSON, and far from it");
    db.close();

    writeFile("[1, 2, 3]"); // valid JSON but not an object
    open();
    assertThat(db.size()).isZero();
    assertThat(Files.readString(dir.resolve("conn.json.corrupt.1"))).isEqualTo("[1, 2, 3]");
    assertThat(Files.readString(dir.resolve("conn.json.corrupt")))
        .isEqualTo("this is not JSON, and far from it");
  }

  @Test
  void entriesThatAreNotObjectsAreDroppedAndTheFileBackedUp() throws IOException {
    String text = "{\"" + addr(1) + "\": 5, \"" + addr(2) + "\": {\"birth\": 1}}";
    writeFile(text);
    open();
    assertThat(db.entries()).extracting(Map.Entry::getKey).containsExactly(addr(2));
    assertThat(Files.readString(dir.resolve("conn.json.corrupt"))).isEqualTo(text);
  }

  @Test
  void emptyFileStartsEmpty() throws IOException {
    writeFile("");
    open();
    assertThat(db.size()).isZero();
    assertThat(dirListing()).containsExactly("conn.json");
  }

  // ---- Writes ----

  @Test
  void debounceCoalescesManyChangesIntoOneWrite() throws IOException {
    open();
    long initial = db.writeCount();
    for (int i = 0; i < 50; i++) {
      db.set(addr(1), PeerData.of(Map.of("n", i)));
      scheduler.advance(Duration.ofMillis(20));
    }
    assertThat(db.writeCount()).isEqualTo(initial);
    // The last change was at 980 ms (now is 1000 ms): the write is due at 1980 ms.
    scheduler.advance(Duration.ofMillis(979));
    assertThat(db.writeCount()).isEqualTo(initial);
    scheduler.advance(Duration.ofMillis(1));
    assertThat(db.writeCount()).isEqualTo(initial + 1);
    assertThat(db.get(addr(1)).orElseThrow().get("n").orElseThrow().asInt()).isEqualTo(49);
    assertThat(file()).contains("\"n\": 49");
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void maxWriteDelayForcesWritesUnderConstantChanges() throws IOException {
    open();
    long initial = db.writeCount();
    // A change every 500 ms, for 12 s: the debounce alone would never write.
    for (int i = 1; i <= 24; i++) {
      db.set(addr(1), PeerData.of(Map.of("n", i)));
      scheduler.advance(Duration.ofMillis(500));
      if (i == 10) { // t = 5 s: the first change waited maxWriteDelay
        assertThat(db.writeCount()).isEqualTo(initial + 1);
        assertThat(file()).contains("\"n\": 10");
      }
    }
    assertThat(db.writeCount()).isEqualTo(initial + 2); // at 5 s and 10 s
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(db.writeCount()).isEqualTo(initial + 3);
    assertThat(file()).contains("\"n\": 24");
  }

  @Test
  void flushWritesNowAtomicallyAndOnlyWhenChanged() throws IOException {
    open();
    long initial = db.writeCount();
    db.set(addr(1), PeerData.empty());
    db.flush();
    assertThat(db.writeCount()).isEqualTo(initial + 1);
    assertThat(file()).contains(addr(1));
    assertThat(dirListing()).containsExactly("conn.json");
    db.flush();
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(db.writeCount()).isEqualTo(initial + 1);
  }

  @Test
  void failedWriteLeavesNoTempFileAndIsRetried() throws IOException {
    open();
    Path target = dir.resolve(ConnDb.FILE_NAME);
    Files.delete(target);
    Files.createDirectory(target); // a non-empty directory cannot be renamed over
    Files.writeString(target.resolve("obstacle"), "x");
    db.set(addr(1), PeerData.empty());
    assertThatThrownBy(db::flush).isInstanceOf(UncheckedIOException.class);
    assertThat(dirListing()).containsExactly("conn.json");
    long before = db.writeCount();

    Files.delete(target.resolve("obstacle"));
    Files.delete(target);
    scheduler.advance(Duration.ofSeconds(5)); // the retry, after maxWriteDelay
    assertThat(db.writeCount()).isEqualTo(before + 1);
    assertThat(file()).contains(addr(1));
  }

  @Test
  void closeReportsAFailedFinalWrite() throws IOException {
    open();
    Path target = dir.resolve(ConnDb.FILE_NAME);
    Files.delete(target);
    Files.createDirectory(target);
    Files.writeString(target.resolve("obstacle"), "x");
    db.set(addr(1), PeerData.empty());
    assertThatThrownBy(db::close).isInstanceOf(UncheckedIOException.class);
    db.close(); // closed all the same
    assertThat(scheduler.pending()).isZero();
    assertThatThrownBy(() -> db.size()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeWritesPendingChangesAndThenRefusesCalls() throws IOException {
    open();
    db.set(addr(1), PeerData.empty());
    db.close();
    assertThat(file()).contains(addr(1));
    assertThatThrownBy(() -> db.get(addr(1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> db.set(addr(1), PeerData.empty()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(db::flush).isInstanceOf(IllegalStateException.class);
    db.close(); // idempotent
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void writerThreadWritesAndStopsOnClose() throws IOException {
    ConnDb real = ConnDb.open(dir, scheduler, CONFIG);
    real.set(addr(1), PeerData.empty());
    real.flush();
    assertThat(file()).contains(addr(1));
    real.set(addr(2), PeerData.empty());
    real.close();
    assertThat(file()).contains(addr(2));
    // The executor reports termination a moment before its thread has finished exiting.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Thread.getAllStackTraces().keySet())
                    .noneMatch(t -> t.getName().equals("grapevine-conndb-writer") && t.isAlive()));
  }

  @Test
  void concurrentChangesWithRealTimersAreAllWritten() throws Exception {
    ConnDbConfig fast = new ConnDbConfig(Duration.ofMillis(1), Duration.ofMillis(3));
    try (Scheduler real = Scheduler.system("conndb-test-timer")) {
      ConnDb shared = ConnDb.open(dir, real, fast);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int thread = t;
          done.add(
              pool.submit(
                  () -> {
                    for (int round = 0; round < 20; round++) {
                      for (int i = thread * 50; i < thread * 50 + 50; i++) {
                        shared.set(addr(i), PeerData.of(Map.of("round", round)));
                        shared.connectFailed(addr(i), T0 + round);
                      }
                    }
                  }));
        }
        for (Future<?> f : done) {
          f.get(30, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
        shared.close();
      }
    }
    open();
    assertThat(db.size()).isEqualTo(200);
    assertThat(db.entries())
        .allSatisfy(
            e -> {
              assertThat(e.getValue().get("round").orElseThrow().asInt()).isEqualTo(19);
              assertThat(e.getValue().failure()).isEqualTo(20);
            });
    assertThat(dirListing()).containsExactly("conn.json");
  }

  // ---- Change notifications ----

  @Test
  void listenersGetEveryLaterChangeInOrder() {
    open();
    db.set(addr(1), PeerData.empty()); // before listen: not replayed
    List<ConnDb.Change> seen = new ArrayList<>();
    ConnDb.Subscription sub = db.listen(seen::add);
    db.listen(
        c -> {
          throw new IllegalStateException("a broken listener does not stop the others");
        });
    db.set(addr(2), PeerData.empty());
    db.update(addr(2), PeerData.empty());
    db.update(addr(3), PeerData.empty()); // absent: nothing happens
    db.connectFailed(addr(1), T0);
    db.delete(addr(1));
    db.delete(addr(1));
    assertThat(seen)
        .containsExactly(
            new ConnDb.Change(ConnDb.Change.Kind.INSERT, addr(2)),
            new ConnDb.Change(ConnDb.Change.Kind.UPDATE, addr(2)),
            new ConnDb.Change(ConnDb.Change.Kind.UPDATE, addr(1)),
            new ConnDb.Change(ConnDb.Change.Kind.DELETE, addr(1)));
    sub.close();
    db.set(addr(4), PeerData.empty());
    assertThat(seen).hasSize(4);
  }

  @Test
  void aListenerMayChangeTheDatabaseAndItsChangesFollowInOrder() {
    open();
    List<String> seen = new ArrayList<>();
    db.listen(
        c -> {
          seen.add(c.kind() + " " + c.address());
          if (c.kind() == ConnDb.Change.Kind.INSERT) {
            db.update(c.address(), PeerData.of(Map.of("seen", true)));
            seen.add("updated " + c.address());
          }
        });
    db.set(addr(1), PeerData.empty());
    assertThat(seen)
        .containsExactly("INSERT " + addr(1), "updated " + addr(1), "UPDATE " + addr(1));
    assertThat(db.get(addr(1)).orElseThrow().has("seen")).isTrue();
  }

  // ---- Map semantics and automatic fields ----

  @Test
  void birthIsSetOnceAndKept() {
    open();
    db.set(addr(1), PeerData.of(Map.of("a", 1)));
    scheduler.advance(Duration.ofSeconds(3));
    PeerData merged = db.set(addr(1), PeerData.of(Map.of("b", 2)));
    assertThat(merged.birth()).hasValue(T0);
    assertThat(merged.fieldNames()).containsExactly("birth", "a", "b");
    PeerData replaced = db.replace(addr(1), PeerData.of(Map.of("c", 3)));
    assertThat(replaced.fieldNames()).containsExactly("birth", "c");
    assertThat(replaced.birth()).hasValue(T0);
    PeerData removed = db.update(addr(1), d -> d.without("c").without("birth")).orElseThrow();
    assertThat(removed.fieldNames()).containsExactly("birth");
    assertThat(removed.birth()).hasValue(T0);
    assertThat(db.replace(addr(1), PeerData.of(Map.of("birth", 7))).birth()).hasValue(7);
  }

  @Test
  void updateNeverInserts() {
    open();
    assertThat(db.update(addr(1), PeerData.of(Map.of("a", 1)))).isEmpty();
    assertThat(db.update(addr(1), d -> d.with("a", 1))).isEmpty();
    assertThat(db.has(addr(1))).isFalse();
    assertThat(db.connecting(addr(1))).isFalse();
    assertThat(db.connectFailed(addr(1), T0)).isFalse();
    assertThat(db.delete(addr(1))).isFalse();
    assertThat(scheduler.pending()).isZero(); // nothing changed, nothing to write
  }

  @Test
  void failureCountsAttemptsSinceTheLastSuccess() {
    open();
    db.set(addr(1), PeerData.empty());
    db.connecting(addr(1));
    db.connectFailed(addr(1), T0 + 100);
    db.connectFailed(addr(1), T0 + 200);
    PeerData d = db.get(addr(1)).orElseThrow();
    assertThat(d.failure()).isEqualTo(2);
    assertThat(d.stateChange()).hasValue(T0 + 200);
    assertThat(d.duration()).hasValue(new Statistics(0, 0, 2, 0, 0)); // failures are 0 samples
    db.connected(addr(1), T0 + 300);
    assertThat(db.get(addr(1)).orElseThrow().failure()).isZero();
  }

  @Test
  void durationIsTheConnectionLifetimeRecordedOncePerConnection() {
    open();
    db.set(addr(1), PeerData.empty());
    db.connecting(addr(1));
    db.connected(addr(1), T0 + 1_000);
    db.disconnected(addr(1), T0 + 4_000);
    db.disconnected(addr(1), T0 + 4_500); // a second report of the same close
    PeerData d = db.get(addr(1)).orElseThrow();
    assertThat(d.duration()).hasValue(new Statistics(3000, 0, 1, 3000, 9_000_000));
    assertThat(d.stateChange()).hasValue(T0 + 4_500);

    db.connected(addr(1), T0 + 10_000);
    db.disconnected(addr(1), T0 + 11_000);
    Statistics s = db.get(addr(1)).orElseThrow().duration().orElseThrow();
    assertThat(s.count()).isEqualTo(2);
    assertThat(s.mean()).isEqualTo(2000);
    assertThat(s.stdev()).isEqualTo(1000);
  }

  @Test
  void durationIsRightForAPeerStoredWhileConnected() {
    open();
    db.connected(addr(1), T0);
    db.set("ws:10.0.0.1:9000~shs:" + key(1), PeerData.empty());
    db.disconnected(addr(1), T0 + 2_500);
    assertThat(db.get(addr(1)).orElseThrow().duration().orElseThrow().mean()).isEqualTo(2500);
  }

  @Test
  void pingStatisticsStartFreshForEachConnection() throws IOException {
    open();
    db.set(
        addr(1), PeerData.parse("{\"ping\": {\"rtt\": {\"count\": 9}, \"skew\": {\"mean\": 1}}}"));
    db.connected(addr(1), T0);
    db.pinged(addr(1), 10);
    db.pinged(addr(1), 20);
    PeerData d = db.get(addr(1)).orElseThrow();
    assertThat(d.pingRtt()).hasValue(new Statistics(15, 5, 2, 30, 500));
    assertThat(d.get("ping").orElseThrow().has("skew")).isTrue();
    db.disconnected(addr(1), T0 + 1);
    db.connected(addr(1), T0 + 2);
    db.pinged(addr(1), 4);
    assertThat(db.get(addr(1)).orElseThrow().pingRtt()).hasValue(new Statistics(4, 0, 1, 4, 16));
    assertThatThrownBy(() -> db.pinged(addr(1), -1)).isInstanceOf(IllegalArgumentException.class);
    db.flush();
    assertThat(file())
        .contains(
            "    \"ping\": {\n"
                + "      \"rtt\": {\n"
                + "        \"mean\": 4,\n"
                + "        \"stdev\": 0,\n"
                + "        \"count\": 1,\n"
                + "        \"sum\": 4,\n"
                + "        \"sqsum\": 16\n"
                + "      },\n"
                + "      \"skew\": {\n"
                + "        \"mean\": 1\n"
                + "      }\n"
                + "    }");
  }
}
