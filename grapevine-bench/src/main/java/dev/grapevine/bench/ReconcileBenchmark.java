package dev.grapevine.bench;

import dev.grapevine.mesh.reconcile.Fingerprint;
import dev.grapevine.mesh.reconcile.Item;
import dev.grapevine.mesh.reconcile.ItemIndex;
import dev.grapevine.mesh.reconcile.ReconcileConfig;
import dev.grapevine.mesh.reconcile.ReconcileSession;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The reconciliation index: the cost of a range fingerprint (two O(log n) prefix sums and a
 * SHA-256), of an insert plus a removal, and of answering an identical set's first message, at
 * 1,000 and 1,000,000 items. If fingerprints scanned their range, the large index would be about a
 * thousand times slower; with subtotals it is a small constant factor slower.
 *
 * <p>Run: {@code java -jar grapevine-bench/target/benchmarks.jar ReconcileBenchmark}.
 */
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReconcileBenchmark {
  /** An index of {@code size} items and random ranges over it. */
  @State(Scope.Benchmark)
  public static class Index {
    /** Items in the index. */
    @Param({"1000", "1000000"})
    public int size;

    ItemIndex index;
    long[] from;
    long[] to;
    List<Item> fresh;
    byte[] identicalFirstMessage;
    int next;

    /** Builds the index and 1,024 random timestamp ranges. */
    @Setup(Level.Trial)
    public void build() {
      List<Item> items = ReconcileBench.generate(size, 7);
      index = ItemIndex.of(items);
      Random random = new Random(8);
      from = new long[1_024];
      to = new long[1_024];
      for (int i = 0; i < from.length; i++) {
        long a = items.get(random.nextInt(size)).timestamp();
        long b = items.get(random.nextInt(size)).timestamp();
        from[i] = Math.min(a, b);
        to[i] = Math.max(a, b) + 1;
      }
      fresh = ReconcileBench.generate(1_024, 9);
      identicalFirstMessage = ReconcileSession.initiator(index, ReconcileConfig.DEFAULT).start();
    }
  }

  /** The fingerprint of a random range of the index. */
  @Benchmark
  public Fingerprint rangeFingerprint(Index s) {
    int i = s.next++ & 1_023;
    return s.index.fingerprint(s.from[i], s.to[i]);
  }

  /** Inserts an item that is not in the index, then removes it again. */
  @Benchmark
  public boolean insertAndRemove(Index s) {
    Item item = s.fresh.get(s.next++ & 1_023);
    s.index.add(item);
    return s.index.remove(item);
  }

  /** A responder answering the first message of an identical set (16 range fingerprints). */
  @Benchmark
  public int answerIdenticalSet(Index s) {
    ReconcileSession responder = ReconcileSession.responder(s.index, ReconcileConfig.DEFAULT);
    return responder.receive(s.identicalFirstMessage).orElseThrow().length;
  }
}
