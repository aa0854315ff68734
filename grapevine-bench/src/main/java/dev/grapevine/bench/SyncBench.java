package dev.grapevine.bench;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.bench.IngestBench.StoreKind;
import dev.grapevine.bench.PostCorpus.Post;
import dev.grapevine.mesh.MeshConfig;
import dev.grapevine.mesh.MeshStats;
import dev.grapevine.store.MessageStore;
import dev.grapevine.store.StoreStats;
import dev.grapevine.transport.TransportConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Mesh catch-up: how fast a fresh node takes a whole store from one peer over the mesh on loopback,
 * as a fraction of how fast this machine verifies signatures on all cores.
 *
 * <ol>
 *   <li>Signs {@link Options#messages()} posts with content ({@link PostCorpus}) in parallel,
 *       before any timing.
 *   <li>Starts node A on {@code 127.0.0.1} (durable SQLite in a temporary directory, or memory) and
 *       writes the corpus straight into its store (contents, then messages, a bounded number of
 *       writes in flight), then brings A's reconciliation index up to date.
 *   <li>Warms up: a throwaway node catches up from a second node holding the first {@link
 *       Options#warmupMessages()} posts, then {@link Options#warmupRuns()} throwaway nodes each
 *       catch up all of node A, untimed, so that the timed nodes run code the JIT has compiled for
 *       exactly what they do.
 *   <li>Measures the parallel verify rate ({@link VerifyRate}) on every core.
 *   <li>Starts node B, fresh, with A's mesh URL as its only seed, and times from the call that
 *       starts B until B's store holds every message and every content. B finds A by the mesh
 *       handshake, reconciles the two stores and fetches what it lacks with {@code WANT}; every
 *       message is verified on B before it is stored.
 *   <li>Checks that every message and content is in B's store, stops B and measures the verify rate
 *       again; repeats the last three steps {@link Options#repeat()} times.
 * </ol>
 *
 * <p>A run's rate is {@code messages / elapsed}; its ratio is that rate over the mean of the verify
 * rates measured just before and after it. The report shows the run with the median ratio.
 */
public final class SyncBench {
  /** The signed timestamp of the first post (fixed, so every run moves the same bytes). */
  static final long START_MILLIS = 1_756_000_000_000L;

  /**
   * Settings of a run. Build with {@link #builder()}; {@link #DEFAULT} holds the defaults.
   *
   * @param messages posts on node A, each with its content (default 100,000)
   * @param store the store of both nodes (default SQLite, as {@code grapevine serve})
   * @param authors authors the posts are spread over (default 16)
   * @param warmupMessages posts a throwaway pair of nodes syncs first, untimed (default 20,000; at
   *     most {@code messages} are used; 0 skips it)
   * @param warmupRuns untimed catch-ups of all of node A by throwaway nodes before the timed runs
   *     (default 2; with 0 and no {@code warmupMessages} a cold JVM is timed). After the smaller
   *     warm-up a first full catch-up still paid 2–4 s of JIT compilation (compiler CPU on the same
   *     two cores) and a second about 1 s; after two, the timed runs are alike
   * @param repeat timed runs, each with a fresh node B (default 1)
   * @param timeout bound on the whole run (default 10 min)
   * @param stallTimeout a run fails if B's store stops growing for this long (default 30 s)
   * @param verifyWarmup warm-up before each verify measurement (default 2 s)
   * @param verifyMeasure length of each verify measurement (default 3 s)
   * @param floor the smallest passing ratio of sync rate to verify rate (default 0.6)
   */
  public record Options(
      int messages,
      StoreKind store,
      int authors,
      int warmupMessages,
      int warmupRuns,
      int repeat,
      Duration timeout,
      Duration stallTimeout,
      Duration verifyWarmup,
      Duration verifyMeasure,
      double floor) {

    /** The defaults. */
    public static final Options DEFAULT = new Builder().build();

    /** Validates the settings. */
    public Options {
      if (messages < 1) {
        throw new IllegalArgumentException("Expected messages >= 1 but was " + messages);
      }
      Objects.requireNonNull(store, "store");
      if (authors < 1) {
        throw new IllegalArgumentException("Expected authors >= 1 but was " + authors);
      }
      if (warmupMessages < 0) {
        throw new IllegalArgumentException(
            "Expected warmupMessages >= 0 but was " + warmupMessages);
      }
      if (warmupRuns < 0) {
        throw new IllegalArgumentException("Expected warmupRuns >= 0 but was " + warmupRuns);
      }
      if (repeat < 1) {
        throw new IllegalArgumentException("Expected repeat >= 1 but was " + repeat);
      }
      positive("timeout", timeout);
      positive("stallTimeout", stallTimeout);
      Objects.requireNonNull(verifyWarmup, "verifyWarmup");
      if (verifyWarmup.isNegative()) {
        throw new IllegalArgumentException("Expected verifyWarmup >= 0 but was " + verifyWarmup);
      }
      positive("verifyMeasure", verifyMeasure);
      if (!(floor >= 0)) {
        throw new IllegalArgumentException("Expected floor >= 0 but was " + floor);
      }
    }

    private static void positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("Expected " + name + " > 0 but was " + d);
      }
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
      return new Builder();
    }

    /** Builds {@link Options}; not thread-safe. */
    public static final class Builder {
      private int messages = 100_000;
      private StoreKind store = StoreKind.SQLITE;
      private int authors = 16;
      private int warmupMessages = 20_000;
      private int warmupRuns = 2;
      private int repeat = 1;
      private Duration timeout = Duration.ofMinutes(10);
      private Duration stallTimeout = Duration.ofSeconds(30);
      private Duration verifyWarmup = Duration.ofSeconds(2);
      private Duration verifyMeasure = Duration.ofSeconds(3);
      private double floor = 0.6;

      private Builder() {}

      /** See {@link Options#messages()}. */
      public Builder messages(int value) {
        this.messages = value;
        return this;
      }

      /** See {@link Options#store()}. */
      public Builder store(StoreKind value) {
        this.store = value;
        return this;
      }

      /** See {@link Options#authors()}. */
      public Builder authors(int value) {
        this.authors = value;
        return this;
      }

      /** See {@link Options#warmupRuns()}. */
      public Builder warmupRuns(int value) {
        this.warmupRuns = value;
        return this;
      }

      /** See {@link Options#warmupMessages()}. */
      public Builder warmupMessages(int value) {
        this.warmupMessages = value;
        return this;
      }

      /** See {@link Options#repeat()}. */
      public Builder repeat(int value) {
        this.repeat = value;
        return this;
      }

      /** See {@link Options#timeout()}. */
      public Builder timeout(Duration value) {
        this.timeout = value;
        return this;
      }

      /** See {@link Options#stallTimeout()}. */
      public Builder stallTimeout(Duration value) {
        this.stallTimeout = value;
        return this;
      }

      /** See {@link Options#verifyWarmup()} and {@link Options#verifyMeasure()}. */
      public Builder verifyTimes(Duration warmup, Duration measure) {
        this.verifyWarmup = warmup;
        this.verifyMeasure = measure;
        return this;
      }

      /** See {@link Options#floor()}. */
      public Builder floor(double value) {
        this.floor = value;
        return this;
      }

      /**
       * Validates and builds the settings.
       *
       * @throws IllegalArgumentException if a setting is out of range
       */
      public Options build() {
        return new Options(
            messages,
            store,
            authors,
            warmupMessages,
            warmupRuns,
            repeat,
            timeout,
            stallTimeout,
            verifyWarmup,
            verifyMeasure,
            floor);
      }
    }
  }

  /** How often B's store is polled while waiting. */
  private static final Duration POLL = Duration.ofMillis(10);

  /** Signed messages verified round-robin for the baseline. */
  private static final int VERIFY_CORPUS = 4_096;

  /** Store writes in flight while preloading A. */
  private static final int PRELOAD_IN_FLIGHT = 4_096;

  private final Options options;
  private final Consumer<String> progress;

  /** A benchmark with {@code options}; {@code progress} receives one line per phase. */
  public SyncBench(Options options, Consumer<String> progress) {
    this.options = Objects.requireNonNull(options, "options");
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /**
   * Runs the benchmark. A run that lost anything, stalled or timed out returns a report with
   * verdict {@link Verdict#FAILED} and the reason, never throws for it.
   *
   * @throws IOException if a temporary directory cannot be created or a node cannot start
   */
  public SyncReport run() throws IOException {
    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long deadline = System.nanoTime() + options.timeout().toNanos();
    int cores = Runtime.getRuntime().availableProcessors();
    int n = options.messages();

    progress.accept("Signing " + n + " posts by " + options.authors() + " authors");
    List<Post> posts = PostCorpus.generate(n, options.authors(), START_MILLIS);
    List<String> verifyCorpus = new ArrayList<>();
    for (int i = 0; i < Math.min(VERIFY_CORPUS, n); i++) {
      verifyCorpus.add(posts.get(i).signedFrame());
    }

    List<Path> dirs = new ArrayList<>();
    try {
      int warm = Math.min(options.warmupMessages(), n);
      if (warm > 0) {
        progress.accept("Warming up: a throwaway node catches up " + warm + " posts (not timed)");
        try (Node a = startServing(posts.subList(0, warm), dirs)) {
          Run w = new Run(a, posts.subList(0, warm), deadline);
          w.execute(dirs);
          if (w.failure != null) {
            return failedReport(date, cores, "in the warm-up (" + warm + " posts): " + w.failure);
          }
        }
      }
      progress.accept("Starting node A and writing " + n + " posts into its store");
      long preloadStart = System.nanoTime();
      try (Node a = startServing(posts, dirs)) {
        long preloadMillis = (System.nanoTime() - preloadStart) / 1_000_000;
        for (int k = 1; k <= options.warmupRuns(); k++) {
          progress.accept(
              "Warming up: throwaway catch-up "
                  + k
                  + " of "
                  + options.warmupRuns()
                  + " from node A (not timed)");
          Run w = new Run(a, posts, deadline);
          w.execute(dirs);
          if (w.failure != null) {
            return failedReport(date, cores, "in warm-up catch-up " + k + ": " + w.failure);
          }
        }
        VerifyRate.Result before = measureVerify(verifyCorpus, cores);
        List<Timed> timed = new ArrayList<>();
        for (int k = 1; k <= options.repeat(); k++) {
          if (options.repeat() > 1) {
            progress.accept("Timed run " + k + " of " + options.repeat());
          }
          Run run = new Run(a, posts, deadline);
          run.execute(dirs);
          VerifyRate.Result after = measureVerify(verifyCorpus, cores);
          timed.add(new Timed(run, before, after));
          if (run.failure != null) {
            break;
          }
          before = after;
        }
        return report(date, cores, preloadMillis, timed, a);
      }
    } finally {
      for (Path d : dirs) {
        deleteTree(d);
      }
    }
  }

  private SyncReport report(
      Instant date, int cores, long preloadMillis, List<Timed> timed, Node a) {
    Timed failed = timed.stream().filter(t -> t.run.failure != null).findFirst().orElse(null);
    List<Timed> byRatio = new ArrayList<>(timed);
    byRatio.sort(Comparator.comparingDouble(Timed::ratio));
    Timed shown = failed != null ? failed : byRatio.get((byRatio.size() - 1) / 2);
    Run run = shown.run;
    List<SyncReport.RunFigures> runs = new ArrayList<>();
    for (Timed t : timed) {
      runs.add(
          new SyncReport.RunFigures(
              Reports.round1(t.rate()),
              Reports.round1(t.verifyRate()),
              Reports.round4(t.ratio()),
              Reports.round4(t.run.cpu.machineShare()),
              t.run.elapsedNanos / 1_000_000));
    }
    Verdict verdict =
        failed != null
            ? Verdict.FAILED
            : shown.ratio() >= options.floor() ? Verdict.PASS : Verdict.BELOW_FLOOR;
    double verifyMicros = (shown.before.cpuMicrosEach() + shown.after.cpuMicrosEach()) / 2;
    double perMessage =
        run.cpu.processMillis() < 0 ? -1 : run.cpu.processMillis() * 1e3 / options.messages();
    return new SyncReport(
        "sync",
        date.toString(),
        Machine.current(),
        options.store().label(),
        Math.min(options.warmupMessages(), options.messages()),
        options.warmupRuns(),
        options.messages(),
        options.authors(),
        preloadMillis,
        Reports.round1(shown.rate()),
        run.elapsedNanos / 1_000_000,
        run.firstMessageNanos < 0 ? -1 : run.firstMessageNanos / 1_000_000,
        new SyncReport.VerifyFigures(
            cores,
            Reports.round1(shown.verifyRate()),
            Reports.round1(shown.before.perSecond()),
            Reports.round1(shown.after.perSecond()),
            options.verifyMeasure().toMillis()),
        Reports.round4(shown.ratio()),
        options.floor(),
        verdict,
        run.failure,
        runs,
        new SyncReport.CpuFigures(
            run.cpu.processMillis(),
            Reports.round4(run.cpu.wallMillis() == 0 ? -1 : run.cpu.machineShare()),
            Reports.round1(perMessage),
            Reports.round1(verifyMicros),
            perMessage > 0 && verifyMicros > 0 ? Reports.round4(verifyMicros / perMessage) : -1,
            run.cpu.threadMillis(),
            run.cpu.jitMillis(),
            run.cpu.gcMillis()),
        run.storedMessages,
        run.storedContents,
        run.commits,
        counters(run.receiver),
        counters(a.mesh().stats()));
  }

  private SyncReport failedReport(Instant date, int cores, String failure) {
    return new SyncReport(
        "sync",
        date.toString(),
        Machine.current(),
        options.store().label(),
        options.warmupMessages(),
        options.warmupRuns(),
        options.messages(),
        options.authors(),
        -1,
        0,
        -1,
        -1,
        new SyncReport.VerifyFigures(cores, 0, 0, 0, options.verifyMeasure().toMillis()),
        0,
        options.floor(),
        Verdict.FAILED,
        failure,
        List.of(),
        new SyncReport.CpuFigures(-1, -1, -1, -1, -1, Map.of(), -1, -1),
        0,
        0,
        0,
        null,
        null);
  }

  private static SyncReport.MeshCounters counters(MeshStats s) {
    if (s == null) {
      return null;
    }
    return new SyncReport.MeshCounters(
        s.framesIn(),
        s.framesOut(),
        s.messagesNew(),
        s.pullReceived(),
        s.pushReceived(),
        s.duplicatesReceived(),
        s.invalidMessages(),
        s.invalidFrames(),
        s.rateLimited(),
        s.reconciliations());
  }

  private VerifyRate.Result measureVerify(List<String> corpus, int threads) {
    progress.accept("Measuring the parallel verify rate (" + threads + " threads)");
    VerifyRate.Result r =
        VerifyRate.measure(corpus, threads, options.verifyWarmup(), options.verifyMeasure());
    progress.accept(String.format(Locale.ROOT, "  %,.0f verifies/s", r.perSecond()));
    return r;
  }

  /** Node settings on loopback, with the chosen store in a fresh directory. */
  private NodeConfig.Builder nodeConfig(List<Path> dirs, MeshConfig mesh) throws IOException {
    Path dir = Files.createTempDirectory("grapevine-bench-sync-");
    dirs.add(dir);
    return NodeConfig.builder()
        .dataDir(dir)
        .ephemeral(options.store() == StoreKind.MEMORY)
        .transport(TransportConfig.DEFAULT.toBuilder().bindHost("127.0.0.1").port(0).build())
        .mesh(mesh);
  }

  /** Node A: started, {@code posts} written into its store, its index refreshed. */
  private Node startServing(List<Post> posts, List<Path> dirs) throws IOException {
    Node a =
        Node.start(
            nodeConfig(dirs, MeshConfig.DEFAULT).keyPair(KeyPair.fromSeed(new byte[32])).build());
    try {
      preload(a.store(), posts);
      a.mesh().index().refresh();
      if (options.store() == StoreKind.SQLITE) {
        awaitCheckpoint(a.store());
      }
      return a;
    } catch (RuntimeException e) {
      a.close();
      throw e;
    }
  }

  /**
   * Waits (at most {@link #CHECKPOINT_WAIT}) until the idle store has copied its WAL into the
   * database file, as a serving node's store has long before a peer comes to catch up; otherwise
   * the first timed run would share the machine with the checkpoint of the whole preload.
   */
  private void awaitCheckpoint(MessageStore store) {
    long until = System.nanoTime() + CHECKPOINT_WAIT.toNanos();
    while (store.commitStats().idleCheckpoints() == 0 && System.nanoTime() - until < 0) {
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (store.commitStats().idleCheckpoints() == 0) {
      progress.accept(
          "  node A's store did not checkpoint within " + CHECKPOINT_WAIT.toSeconds() + " s");
    }
  }

  /** Longest wait for node A's store to checkpoint after the preload. */
  private static final Duration CHECKPOINT_WAIT = Duration.ofSeconds(60);

  /**
   * Writes contents and messages straight into {@code store}, at most {@link #PRELOAD_IN_FLIGHT}
   * writes in flight; a content is queued before its message, so the message never waits for it.
   */
  private static void preload(MessageStore store, List<Post> posts) {
    Semaphore slots = new Semaphore(PRELOAD_IN_FLIGHT);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (Post p : posts) {
      slots.acquireUninterruptibly(2);
      CompletableFuture<?> content = store.makeAsync(p.content());
      CompletableFuture<?> message = store.addAsync(p.message());
      for (CompletableFuture<?> f : List.of(content, message)) {
        f.whenComplete(
            (v, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
              slots.release();
            });
      }
      if (failure.get() != null) {
        break;
      }
    }
    slots.acquireUninterruptibly(PRELOAD_IN_FLIGHT);
    if (failure.get() != null) {
      throw new CompletionException("Could not preload node A's store", failure.get());
    }
    if (store.count() < posts.size()) {
      throw new IllegalStateException(
          "Expected " + posts.size() + " messages in node A's store but found " + store.count());
    }
  }

  /** A timed run and the verify measurements either side of it. */
  private static final class Timed {
    final Run run;
    final VerifyRate.Result before;
    final VerifyRate.Result after;

    Timed(Run run, VerifyRate.Result before, VerifyRate.Result after) {
      this.run = run;
      this.before = before;
      this.after = after;
    }

    double verifyRate() {
      return (before.perSecond() + after.perSecond()) / 2;
    }

    double rate() {
      return run.failure == null ? run.posts.size() / (run.elapsedNanos / 1e9) : 0;
    }

    double ratio() {
      return rate() / verifyRate();
    }
  }

  /** One fresh node B catching up from A. */
  private final class Run {
    final Node source;
    final List<Post> posts;
    final long deadline;

    String failure;
    long elapsedNanos;
    long firstMessageNanos = -1;
    long storedMessages;
    long storedContents;
    long commits;
    MeshStats receiver;
    CpuTimes.Usage cpu = new CpuTimes.Usage(Map.of(), -1, 0, -1, -1);

    Run(Node source, List<Post> posts, long deadline) {
      this.source = source;
      this.posts = posts;
      this.deadline = deadline;
    }

    void execute(List<Path> dirs) throws IOException {
      NodeConfig config =
          nodeConfig(dirs, MeshConfig.DEFAULT.toBuilder().seeds(List.of(source.meshUrl())).build())
              .keyPair(KeyPair.fromSeed(seedOf(dirs.size())))
              .build();
      progress.accept(
          "Starting node B with node A as its seed; waiting for " + posts.size() + " messages");
      CpuTimes cpuStart = CpuTimes.now();
      long start = System.nanoTime();
      try (Node b = Node.start(config)) {
        failure = await(b, start);
        elapsedNanos = System.nanoTime() - start;
        cpu = CpuTimes.now().since(cpuStart);
        StoreStats s = b.store().stats();
        storedMessages = s.messages();
        storedContents = s.blobs();
        commits = b.store().commitStats().commits();
        if (failure == null) {
          failure = checkAllStored(b.store());
        }
        receiver = b.mesh().stats();
      }
    }

    private String await(Node b, long start) {
      int n = posts.size();
      long stallNanos = options.stallTimeout().toNanos();
      long lastProgress = System.nanoTime();
      long lastSeen = -1;
      long nextReport = System.nanoTime() + 5_000_000_000L;
      while (true) {
        StoreStats s = b.store().stats();
        long now = System.nanoTime();
        if (firstMessageNanos < 0 && s.messages() > 0) {
          firstMessageNanos = now - start;
        }
        if (s.messages() >= n && s.blobs() >= n) {
          return null;
        }
        MeshStats m = b.mesh().stats();
        if (m.invalidMessages() > 0) {
          return "node B found " + m.invalidMessages() + " invalid messages";
        }
        long seen = s.messages() + s.blobs();
        if (seen != lastSeen) {
          lastSeen = seen;
          lastProgress = now;
        } else if (now - lastProgress > stallNanos) {
          return "stalled: no progress for "
              + options.stallTimeout().toSeconds()
              + " s with "
              + progressLine(s, n);
        }
        if (now - deadline > 0) {
          return "timed out after "
              + options.timeout().toSeconds()
              + " s with "
              + progressLine(s, n);
        }
        if (now - nextReport > 0) {
          progress.accept("  " + progressLine(s, n));
          nextReport = now + 5_000_000_000L;
        }
        try {
          Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return "interrupted";
        }
      }
    }

    private String progressLine(StoreStats s, int n) {
      return String.format(
          Locale.ROOT,
          "%,d/%,d messages and %,d/%,d contents on node B",
          s.messages(),
          n,
          s.blobs(),
          n);
    }

    private String checkAllStored(MessageStore store) {
      long missingMessages = 0;
      long missingContents = 0;
      for (Post p : posts) {
        if (!store.has(p.message().hash())) {
          missingMessages++;
        }
        if (!store.has(p.message().contentHash())) {
          missingContents++;
        }
      }
      if (missingMessages + missingContents == 0) {
        return null;
      }
      return "node B's counts are complete but "
          + missingMessages
          + " messages and "
          + missingContents
          + " contents of the corpus are not in it";
    }
  }

  /** A distinct key seed for each node B (node A has the all-zero seed). */
  private static byte[] seedOf(int i) {
    byte[] seed = new byte[32];
    seed[0] = 1;
    seed[1] = (byte) i;
    seed[2] = (byte) (i >>> 8);
    return seed;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the benchmark's directory " + dir, e);
    }
  }
}
