package dev.grapevine.bench;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.store.MessageStore;
import dev.grapevine.store.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The SQLite store: durable batched {@code add} throughput (every add's future completes only after
 * its commit; the writer groups queued adds into one transaction) and blob {@code get} latency
 * percentiles.
 *
 * <p>Run: {@code java -jar grapevine-bench/target/benchmarks.jar StoreBenchmark}. The add benchmark
 * reports microseconds per message; messages per second = 1,000,000 / score.
 */
@Fork(1)
public class StoreBenchmark {
  /** Messages added per measured invocation (into a fresh store each time). */
  static final int ADDS = 50_000;

  /** A pre-signed corpus and a fresh, empty store for every invocation. */
  @State(Scope.Benchmark)
  public static class Ingest {
    /** How many adds are in flight at once, like a busy ingest pipeline. */
    @Param({"2000"})
    public int window;

    List<VerifiedMessage> messages;
    Path dir;
    MessageStore store;

    /** Signs the corpus once per trial. */
    @Setup(Level.Trial)
    public void corpus() {
      messages = SignedCorpus.messages(ADDS, 100, 1_755_000_000_000L);
    }

    /** Opens an empty store. */
    @Setup(Level.Invocation)
    public void open() throws IOException {
      dir = Files.createTempDirectory("grapevine-bench");
      store = MessageStore.sqlite(dir.resolve("bench.db"), StoreConfig.DEFAULT);
    }

    /** Closes the store and deletes its files. */
    @TearDown(Level.Invocation)
    public void close() throws IOException {
      store.close();
      deleteTree(dir);
    }
  }

  /** A store holding 10,000 blobs to read. */
  @State(Scope.Benchmark)
  public static class Reads {
    Path dir;
    MessageStore store;
    List<Hash> stored;

    /** Fills the store. */
    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("grapevine-bench");
      store = MessageStore.sqlite(dir.resolve("bench.db"), StoreConfig.DEFAULT);
      List<CompletableFuture<Hash>> made = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        made.add(store.makeAsync(SignedCorpus.content(i)));
      }
      stored = new ArrayList<>();
      made.forEach(f -> stored.add(f.join()));
    }

    /** Closes the store and deletes its files. */
    @TearDown(Level.Trial)
    public void close() throws IOException {
      store.close();
      deleteTree(dir);
    }
  }

  /** Adds {@link #ADDS} signed messages with up to {@code window} in flight; all durable. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @OperationsPerInvocation(ADDS)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  public long durableBatchedAdd(Ingest s) {
    List<CompletableFuture<Boolean>> inFlight = new ArrayList<>(s.window);
    long added = 0;
    for (VerifiedMessage m : s.messages) {
      inFlight.add(s.store.addAsync(m));
      if (inFlight.size() == s.window) {
        added += drain(inFlight);
      }
    }
    added += drain(inFlight);
    if (added != ADDS) {
      throw new IllegalStateException("expected " + ADDS + " new messages, got " + added);
    }
    return added;
  }

  /** Latency of reading one stored blob by hash (p50/p99 in the sample-time report). */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public String getBlob(Reads s) {
    return s.store
        .get(s.stored.get(ThreadLocalRandom.current().nextInt(s.stored.size())))
        .orElseThrow();
  }

  private static long drain(List<CompletableFuture<Boolean>> inFlight) {
    long n = 0;
    for (CompletableFuture<Boolean> f : inFlight) {
      if (f.join()) {
        n++;
      }
    }
    inFlight.clear();
    return n;
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
