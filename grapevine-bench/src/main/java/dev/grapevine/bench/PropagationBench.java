package dev.grapevine.bench;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.conn.ConnConfig;
import dev.grapevine.conn.scheduler.SchedulerConfig;
import dev.grapevine.mesh.MeshConfig;
import dev.grapevine.mesh.MeshStats;
import dev.grapevine.sync.SyncListener;
import dev.grapevine.transport.TransportConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Live propagation over the mesh: how many full copies of a new message each node receives, and how
 * long a message takes to reach every node.
 *
 * <ol>
 *   <li>Starts {@link Options#nodes()} nodes in this JVM on {@code 127.0.0.1} (in-memory stores,
 *       default mesh and connection-manager settings except a 500 ms planning tick), joined in a
 *       chain: node i's only seed is node i − 1.
 *   <li>Waits until every node has at least {@code min(nodes − 1, 3)} mesh peers and the peer set
 *       has not changed for {@link Options#settle()}: the peer lists close the chain into a mesh.
 *   <li>Publishes {@link Options#messages()} posts, each at a node chosen at random (fixed seed),
 *       paced at {@link Options#rate()} per second.
 *   <li>A {@link SyncListener} on every node records when each message is stored there; a message's
 *       latency is the time from the call that publishes it until the last node stored it. Waits
 *       until every node stored every message, then until the mesh counters stop changing for
 *       {@link Options#settle()}, so late copies are counted.
 *   <li>Copies per node per message = the sum over nodes of the growth of {@code pushReceived +
 *       pullReceived} ({@code Mesh.stats()}) over {@code (nodes − 1) × messages}. The flooding
 *       baseline is the copies a node would receive if every node sent every new message to every
 *       peer: the average degree.
 * </ol>
 */
public final class PropagationBench {
  /**
   * Settings of a run.
   *
   * @param nodes nodes in the network (default 20)
   * @param messages posts published (default 1,000)
   * @param rate posts published per second (default 50)
   * @param settle how long the peer set, and after the run the counters, must stay unchanged
   *     (default 3 s)
   * @param meshTimeout bound on forming the mesh (default 120 s)
   * @param timeout bound on the whole run (default 10 min)
   * @param seed seed of the choice of publishing nodes (default 42)
   * @param floor the largest passing copies per node per message (default 2)
   */
  public record Options(
      int nodes,
      int messages,
      double rate,
      Duration settle,
      Duration meshTimeout,
      Duration timeout,
      long seed,
      double floor) {
    /** The defaults. */
    public static final Options DEFAULT =
        new Options(
            20,
            1_000,
            50,
            Duration.ofSeconds(3),
            Duration.ofSeconds(120),
            Duration.ofMinutes(10),
            42,
            2.0);

    /** Validates the settings. */
    public Options {
      if (nodes < 2) {
        throw new IllegalArgumentException("Expected nodes >= 2 but was " + nodes);
      }
      if (messages < 1) {
        throw new IllegalArgumentException("Expected messages >= 1 but was " + messages);
      }
      if (!(rate > 0) || rate > 10_000) {
        throw new IllegalArgumentException("Expected a rate in (0, 10000] but was " + rate);
      }
      for (Duration d : List.of(settle, meshTimeout, timeout)) {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("Expected positive durations but was " + d);
        }
      }
      if (!(floor > 0)) {
        throw new IllegalArgumentException("Expected floor > 0 but was " + floor);
      }
    }

    /** The peers every node must have before publishing starts. */
    public int minPeers() {
      return Math.min(nodes - 1, 3);
    }
  }

  private final Options options;
  private final Consumer<String> progress;

  /** A benchmark with {@code options}; {@code progress} receives one line per phase. */
  public PropagationBench(Options options, Consumer<String> progress) {
    this.options = Objects.requireNonNull(options, "options");
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /** One message on its way: when it was published and how many nodes stored it. */
  private static final class Arrival {
    final AtomicInteger stored = new AtomicInteger();
    volatile long completeNanos;
    volatile long publishNanos = -1;
  }

  /**
   * Runs the benchmark. A run whose mesh did not form, or where a message did not reach every node
   * in time, returns a report with verdict {@link Verdict#FAILED}; it never throws for it.
   *
   * @throws IOException if a node cannot start
   */
  public PropagationReport run() throws IOException {
    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long deadline = System.nanoTime() + options.timeout().toNanos();
    int n = options.nodes();
    List<Node> nodes = new ArrayList<>(n);
    Map<Hash, Arrival> arrivals = new ConcurrentHashMap<>();
    CountDownLatch everywhere = new CountDownLatch(options.messages());
    try {
      progress.accept("Starting " + n + " nodes in a chain (node i seeds node i - 1)");
      long meshStart = System.nanoTime();
      for (int i = 0; i < n; i++) {
        List<java.net.URI> seeds = i == 0 ? List.of() : List.of(nodes.get(i - 1).meshUrl());
        Node node = Node.start(config(i, seeds));
        nodes.add(node);
        node.addListener(
            new SyncListener() {
              @Override
              public void messageStored(VerifiedMessage message, String origin) {
                Arrival a = arrivals.computeIfAbsent(message.hash(), h -> new Arrival());
                if (a.stored.incrementAndGet() == n) {
                  a.completeNanos = System.nanoTime();
                  everywhere.countDown();
                }
              }
            });
      }
      String meshFailure = awaitMesh(nodes);
      long meshMillis = (System.nanoTime() - meshStart) / 1_000_000;
      int[] degrees = degrees(nodes);
      if (meshFailure != null) {
        return report(date, nodes, degrees, degrees, meshMillis, new long[0], 0, 0, meshFailure);
      }
      progress.accept(
          String.format(
              Locale.ROOT,
              "Mesh formed in %.1f s, average degree %.2f; publishing %d posts at %.0f/s",
              meshMillis / 1e3,
              mean(degrees),
              options.messages(),
              options.rate()));
      long[] before = copies(nodes);
      Random random = new Random(options.seed());
      long start = System.nanoTime();
      long interval = (long) (1e9 / options.rate());
      for (int i = 0; i < options.messages(); i++) {
        long due = start + i * interval;
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
        Node at = nodes.get(random.nextInt(n));
        long t0 = System.nanoTime();
        VerifiedMessage m = at.publish("propagation benchmark post " + i + " from " + at.address());
        arrivals.computeIfAbsent(m.hash(), h -> new Arrival()).publishNanos = t0;
      }
      long remaining = Math.max(0, deadline - System.nanoTime());
      boolean done;
      try {
        done = everywhere.await(remaining, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        done = false;
      }
      long publishMillis = (System.nanoTime() - start) / 1_000_000;
      long[] latencies = latencies(arrivals);
      if (!done) {
        return report(
            date,
            nodes,
            degrees,
            degrees(nodes),
            meshMillis,
            latencies,
            sum(copies(nodes)) - sum(before),
            publishMillis,
            (options.messages() - everywhere.getCount())
                + " of "
                + options.messages()
                + " messages reached every node before the timeout");
      }
      progress.accept("Every node has every message; waiting for late copies");
      long[] after = awaitQuiet(nodes, deadline);
      return report(
          date,
          nodes,
          degrees,
          degrees(nodes),
          meshMillis,
          latencies,
          sum(after) - sum(before),
          publishMillis,
          null);
    } finally {
      progress.accept("Closing the nodes");
      for (Node node : nodes) {
        node.close();
      }
    }
  }

  private static NodeConfig config(int i, List<java.net.URI> seeds) {
    byte[] seed = new byte[32];
    seed[0] = 2;
    seed[1] = (byte) i;
    return NodeConfig.builder()
        .ephemeral(true)
        .keyPair(KeyPair.fromSeed(seed))
        .transport(
            TransportConfig.DEFAULT.toBuilder()
                .bindHost("127.0.0.1")
                .port(0)
                .ioThreads(1)
                .closeGracePeriod(Duration.ofMillis(300))
                .build())
        .conn(
            ConnConfig.DEFAULT.toBuilder()
                .scheduler(
                    SchedulerConfig.DEFAULT.toBuilder()
                        .tickInterval(Duration.ofMillis(500))
                        .updateDelay(Duration.ofMillis(100))
                        .build())
                .build())
        .mesh(MeshConfig.DEFAULT.toBuilder().seeds(seeds).build())
        .build();
  }

  /** Waits for the minimum degree and a stable peer set; returns why it failed, or null. */
  private String awaitMesh(List<Node> nodes) {
    long end = System.nanoTime() + options.meshTimeout().toNanos();
    long settleNanos = options.settle().toNanos();
    int[] last = null;
    long stableSince = System.nanoTime();
    while (true) {
      int[] d = degrees(nodes);
      long now = System.nanoTime();
      if (!Arrays.equals(d, last)) {
        last = d;
        stableSince = now;
      }
      boolean enough = Arrays.stream(d).allMatch(x -> x >= options.minPeers());
      if (enough && now - stableSince >= settleNanos) {
        return null;
      }
      if (now - end > 0) {
        return "the mesh did not form in "
            + options.meshTimeout().toSeconds()
            + " s (degrees "
            + Arrays.toString(d)
            + ", at least "
            + options.minPeers()
            + " each expected)";
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /** Waits until no node's copy counter changes for {@link Options#settle()}; returns them. */
  private long[] awaitQuiet(List<Node> nodes, long deadline) {
    long[] last = copies(nodes);
    long stableSince = System.nanoTime();
    while (true) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      long[] c = copies(nodes);
      long now = System.nanoTime();
      if (!Arrays.equals(c, last)) {
        last = c;
        stableSince = now;
      } else if (now - stableSince >= options.settle().toNanos() || now - deadline > 0) {
        return c;
      }
    }
  }

  private static int[] degrees(List<Node> nodes) {
    return nodes.stream().mapToInt(n -> n.mesh().peers().size()).toArray();
  }

  private static long[] copies(List<Node> nodes) {
    return nodes.stream()
        .mapToLong(
            n -> {
              MeshStats s = n.mesh().stats();
              return s.pushReceived() + s.pullReceived();
            })
        .toArray();
  }

  private static long[] latencies(Map<Hash, Arrival> arrivals) {
    return arrivals.values().stream()
        .filter(a -> a.publishNanos >= 0 && a.completeNanos != 0)
        .mapToLong(a -> Math.max(0, a.completeNanos - a.publishNanos))
        .sorted()
        .toArray();
  }

  private PropagationReport report(
      Instant date,
      List<Node> nodes,
      int[] degreesBefore,
      int[] degreesAfter,
      long meshMillis,
      long[] latencies,
      long copies,
      long publishMillis,
      String failure) {
    int n = nodes.size();
    long[] dup = new long[4];
    for (Node node : nodes) {
      MeshStats s = node.mesh().stats();
      dup[0] += s.duplicatesReceived();
      dup[1] += s.prunesSent();
      dup[2] += s.graftsSent();
      dup[3] += s.pullReceived();
    }
    double perNode = copies / ((double) (n - 1) * options.messages());
    double degree = (mean(degreesBefore) + mean(degreesAfter)) / 2;
    Verdict verdict =
        failure != null
            ? Verdict.FAILED
            : perNode <= options.floor() ? Verdict.PASS : Verdict.BELOW_FLOOR;
    return new PropagationReport(
        "propagation",
        date.toString(),
        Machine.current(),
        n,
        options.messages(),
        Reports.round1(options.rate()),
        options.minPeers(),
        meshMillis,
        Reports.round4(mean(degreesBefore)),
        Reports.round4(mean(degreesAfter)),
        Arrays.stream(degreesBefore).min().orElse(0),
        Arrays.stream(degreesBefore).max().orElse(0),
        copies,
        Reports.round4(perNode),
        Reports.round4(degree),
        perNode > 0 ? Reports.round4(degree / perNode) : -1,
        options.floor(),
        latencies.length,
        millis(percentile(latencies, 0.50)),
        millis(percentile(latencies, 0.99)),
        millis(latencies.length == 0 ? -1 : latencies[latencies.length - 1]),
        publishMillis,
        dup[0],
        dup[3],
        dup[1],
        dup[2],
        verdict,
        failure);
  }

  private static double millis(long nanos) {
    return nanos < 0 ? -1 : Math.round(nanos / 1e4) / 100.0;
  }

  /** The nearest-rank percentile of sorted {@code values}, or -1 if there are none. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static double mean(int[] values) {
    return Arrays.stream(values).average().orElse(0);
  }

  private static long sum(long[] values) {
    return Arrays.stream(values).sum();
  }
}
