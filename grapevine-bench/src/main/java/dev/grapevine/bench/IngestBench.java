package dev.grapevine.bench;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.bench.PostCorpus.Post;
import dev.grapevine.store.CommitStats;
import dev.grapevine.store.MessageStore;
import dev.grapevine.store.StoreStats;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.sync.SyncStats;
import dev.grapevine.transport.TransportConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * End-to-end ingest: how fast a real pub durably takes signed posts from one client, as a fraction
 * of how fast this machine can verify signatures on all cores.
 *
 * <ol>
 *   <li>Signs {@link Options#messages()} posts ({@link PostCorpus}: {@code name:} and {@code
 *       previous:} chains from {@link Options#authors()} authors) in parallel, before any timing.
 *   <li>Warms up: pushes the first {@link Options#warmupMessages()} posts into a throwaway pub as
 *       below, untimed, so the timed pub runs compiled code like a long-running one.
 *   <li>Measures the parallel verify rate ({@link VerifyRate}, the node's own {@code
 *       SignedMessage.parse(..).verify()}) on every core.
 *   <li>Starts a pub: a real {@link Node} on {@code 127.0.0.1}, port 0, with a durable SQLite store
 *       in a fresh temporary directory (or an in-memory store).
 *   <li>Pushes every post, signed message then content (the order Wiredove sends them), over one
 *       WebSocket from an independent client ({@link WebSocketPusher}, the JDK's client), each
 *       frame exactly once, held by backpressure when the pub stops reading.
 *   <li>Polls the pub's store until it holds every message and every content. The run fails at once
 *       if the pub dropped a frame for overload, rejected one, or closed the connection, and fails
 *       if the store stops growing for {@link Options#stallTimeout()} or the whole run passes
 *       {@link Options#timeout()}. Nothing is ever re-sent.
 *   <li>Checks that every message and content is in the store, stops the pub, deletes the
 *       directory, and measures the verify rate again; the run's baseline is the mean of the
 *       measurements just before and just after it.
 *   <li>Repeats the last four steps {@link Options#repeat()} times, with a fresh pub each time.
 * </ol>
 *
 * <p>A run's result is {@code messages / elapsed} and its ratio to its baseline. The report shows
 * the run with the median ratio (and lists every run); a median at or above {@link Options#floor()}
 * passes. Pub and client share this JVM, so the report can also say where the CPU went.
 */
public final class IngestBench {
  /** The signed timestamp of the first post (fixed, so that every run pushes the same bytes). */
  static final long START_MILLIS = 1_755_000_000_000L;

  /** Which store the pub runs on. */
  public enum StoreKind {
    /** Durable SQLite (WAL, batched commits) in a temporary directory. */
    SQLITE,
    /** The in-memory store. */
    MEMORY;

    /** {@code "sqlite"} or {@code "memory"}, case-insensitive. */
    public static StoreKind parse(String name) {
      for (StoreKind k : values()) {
        if (k.label().equalsIgnoreCase(name.strip())) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "Expected a store of 'sqlite' or 'memory' but was '" + name + "'");
    }

    /** The lower-case name. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Settings of a run. Build with {@link #builder()}; {@link #DEFAULT} holds the defaults.
   *
   * @param messages posts to push (default 100,000)
   * @param store the pub's store (default SQLite)
   * @param authors authors the posts are spread over (default 16)
   * @param warmupMessages posts pushed first into a throwaway pub, untimed, so that the timed pub
   *     runs compiled code as a long-running pub does (default 20,000; 0 times a cold JVM)
   * @param repeat timed runs, each with a fresh pub and between two verify measurements; the report
   *     shows the run with the median ratio and lists all (default 1)
   * @param timeout bound on the whole run, signing and verify measurements included (default 10
   *     min)
   * @param stallTimeout the run fails if the pub's store stops growing and the client stops sending
   *     for this long (default 30 s)
   * @param verifyWarmup warm-up before each verify measurement (default 2 s)
   * @param verifyMeasure length of each verify measurement (default 3 s)
   * @param floor the smallest passing ratio of ingest rate to verify rate (default 0.5)
   * @param unclaimedMaxEntries when positive, the pub runs with {@code
   *     SyncConfig.unclaimedMaxEntries} set to this (and {@code unclaimedMaxBytes} to at least 1
   *     KiB per entry) instead of the node's defaults; 0 (default) keeps the defaults. The report
   *     says which.
   */
  public record Options(
      int messages,
      StoreKind store,
      int authors,
      int warmupMessages,
      int repeat,
      Duration timeout,
      Duration stallTimeout,
      Duration verifyWarmup,
      Duration verifyMeasure,
      double floor,
      int unclaimedMaxEntries) {

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
      if (repeat < 1) {
        throw new IllegalArgumentException("Expected repeat >= 1 but was " + repeat);
      }
      requirePositive("timeout", timeout);
      requirePositive("stallTimeout", stallTimeout);
      Objects.requireNonNull(verifyWarmup, "verifyWarmup");
      if (verifyWarmup.isNegative()) {
        throw new IllegalArgumentException("Expected verifyWarmup >= 0 but was " + verifyWarmup);
      }
      requirePositive("verifyMeasure", verifyMeasure);
      if (!(floor >= 0)) {
        throw new IllegalArgumentException("Expected floor >= 0 but was " + floor);
      }
      if (unclaimedMaxEntries < 0) {
        throw new IllegalArgumentException(
            "Expected unclaimedMaxEntries >= 0 but was " + unclaimedMaxEntries);
      }
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
      return new Builder();
    }

    /** The pub's sync settings: the defaults, unless {@link #unclaimedMaxEntries()} is set. */
    public SyncConfig sync() {
      if (unclaimedMaxEntries == 0) {
        return SyncConfig.DEFAULT;
      }
      long bytes = Math.max(SyncConfig.DEFAULT.unclaimedMaxBytes(), 1_024L * unclaimedMaxEntries);
      return SyncConfig.DEFAULT.toBuilder()
          .unclaimedMaxEntries(unclaimedMaxEntries)
          .unclaimedMaxBytes(bytes)
          .build();
    }

    /** {@code "defaults"}, or the settings that differ from the node's defaults. */
    public String pubSettings() {
      if (unclaimedMaxEntries == 0) {
        return "defaults";
      }
      SyncConfig s = sync();
      return "unclaimedMaxEntries="
          + s.unclaimedMaxEntries()
          + ", unclaimedMaxBytes="
          + s.unclaimedMaxBytes();
    }

    private static void requirePositive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("Expected " + name + " > 0 but was " + d);
      }
    }

    /** Builds {@link Options}; not thread-safe. */
    public static final class Builder {
      private int messages = 100_000;
      private StoreKind store = StoreKind.SQLITE;
      private int authors = 16;
      private int warmupMessages = 20_000;
      private int repeat = 3;
      private Duration timeout = Duration.ofMinutes(10);
      private Duration stallTimeout = Duration.ofSeconds(30);
      private Duration verifyWarmup = Duration.ofSeconds(2);
      private Duration verifyMeasure = Duration.ofSeconds(3);
      private double floor = 0.5;
      private int unclaimedMaxEntries;

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

      /** See {@link Options#unclaimedMaxEntries()}. */
      public Builder unclaimedMaxEntries(int value) {
        this.unclaimedMaxEntries = value;
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
            repeat,
            timeout,
            stallTimeout,
            verifyWarmup,
            verifyMeasure,
            floor,
            unclaimedMaxEntries);
      }
    }
  }

  /** How often the store's counters are polled while waiting. */
  private static final Duration POLL = Duration.ofMillis(10);

  /** At most this many signed messages are verified round-robin for the baseline. */
  private static final int VERIFY_CORPUS = 4_096;

  private final Options options;
  private final Consumer<String> progress;

  /**
   * A benchmark with {@code options}; {@code progress} receives one line per phase (for a log or
   * standard error, never the report).
   */
  public IngestBench(Options options, Consumer<String> progress) {
    this.options = Objects.requireNonNull(options, "options");
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /**
   * Runs the benchmark. A run that lost, dropped or rejected anything, stalled or timed out returns
   * a report with verdict {@link Verdict#FAILED} and the reason, never throws for it.
   *
   * @throws IOException if the temporary directory cannot be created
   * @throws IllegalStateException if the client cannot connect to the pub
   */
  public IngestReport run() throws IOException {
    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long deadline = System.nanoTime() + options.timeout().toNanos();
    int cores = Runtime.getRuntime().availableProcessors();

    progress.accept(
        "Signing "
            + options.messages()
            + " posts by "
            + options.authors()
            + " authors on "
            + cores
            + " cores");
    List<Post> posts = PostCorpus.generate(options.messages(), options.authors(), START_MILLIS);
    List<String> frames = new ArrayList<>(2 * posts.size());
    long bytes = 0;
    for (Post p : posts) {
      frames.add(p.signedFrame());
      frames.add(p.content());
      bytes += p.signedFrame().length() + p.content().getBytes(StandardCharsets.UTF_8).length;
    }
    List<String> verifyCorpus = new ArrayList<>();
    for (int i = 0; i < Math.min(VERIFY_CORPUS, posts.size()); i++) {
      verifyCorpus.add(posts.get(i).signedFrame());
    }

    int warm = Math.min(options.warmupMessages(), posts.size());
    Run warmup = null;
    if (warm > 0) {
      progress.accept("Warming up: " + warm + " posts into a throwaway pub (not timed)");
      warmup = new Run(posts.subList(0, warm), frames.subList(0, 2 * warm), deadline);
      warmup.execute();
    }

    VerifyRate.Result before = measureVerify(verifyCorpus, cores);

    // Timed runs, each between two verify measurements: V R V R V ...
    List<Timed> timed = new ArrayList<>();
    if (warmup != null && warmup.failure != null) {
      Run failed = warmup; // report what the warm-up saw: that is where it went wrong
      failed.failure = "in the warm-up (" + warm + " posts): " + failed.failure;
      timed.add(new Timed(failed, before, measureVerify(verifyCorpus, cores)));
    } else {
      for (int k = 1; k <= options.repeat(); k++) {
        if (options.repeat() > 1) {
          progress.accept("Timed run " + k + " of " + options.repeat());
        }
        Run run = new Run(posts, frames, deadline);
        run.execute();
        VerifyRate.Result after = measureVerify(verifyCorpus, cores);
        timed.add(new Timed(run, before, after));
        if (run.failure != null) {
          break;
        }
        before = after;
      }
    }
    Timed failed = timed.stream().filter(t -> t.run.failure != null).findFirst().orElse(null);
    List<Timed> byRatio = new ArrayList<>(timed);
    byRatio.sort(Comparator.comparingDouble(Timed::ratio));
    Timed shown = failed != null ? failed : byRatio.get((byRatio.size() - 1) / 2);
    Run run = shown.run;

    List<IngestReport.RunFigures> runs = new ArrayList<>();
    for (Timed t : timed) {
      runs.add(
          new IngestReport.RunFigures(
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
    return new IngestReport(
        "ingest",
        date.toString(),
        Machine.current(),
        options.store().label(),
        options.pubSettings(),
        warm,
        options.messages(),
        options.authors(),
        frames.size(),
        bytes,
        Reports.round1(shown.rate()),
        run.elapsedNanos / 1_000_000,
        run.sendNanos / 1_000_000,
        new IngestReport.VerifyFigures(
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
        cpuFigures(run.cpu, run.posts.size(), shown.before, shown.after),
        new IngestReport.DiskFigures(
            run.diskBytes,
            run.diskBytes < 0 ? -1 : Reports.round1(run.diskBytes / (double) run.posts.size())),
        run.pub,
        run.client);
  }

  private VerifyRate.Result measureVerify(List<String> corpus, int threads) {
    progress.accept("Measuring the parallel verify rate (" + threads + " threads)");
    VerifyRate.Result r =
        VerifyRate.measure(corpus, threads, options.verifyWarmup(), options.verifyMeasure());
    progress.accept(String.format(Locale.ROOT, "  %,.0f verifies/s", r.perSecond()));
    return r;
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

  private IngestReport.CpuFigures cpuFigures(
      CpuTimes.Usage cpu, int messages, VerifyRate.Result before, VerifyRate.Result after) {
    double verifyMicros = (before.cpuMicrosEach() + after.cpuMicrosEach()) / 2;
    double perMessage = cpu.processMillis() < 0 ? -1 : cpu.processMillis() * 1e3 / messages;
    double share = cpu.wallMillis() == 0 ? -1 : cpu.machineShare();
    return new IngestReport.CpuFigures(
        cpu.processMillis(),
        Reports.round4(share),
        Reports.round1(perMessage),
        Reports.round1(verifyMicros),
        perMessage > 0 && verifyMicros > 0 ? Reports.round4(verifyMicros / perMessage) : -1,
        cpu.threadMillis(),
        cpu.jitMillis(),
        cpu.gcMillis());
  }

  /** One pub, one client, one push. */
  private final class Run {
    final List<Post> posts;
    final List<String> frames;
    final long deadline;

    String failure;
    long elapsedNanos;
    volatile long sendNanos;
    IngestReport.PubCounters pub =
        new IngestReport.PubCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    IngestReport.ClientCounters client = new IngestReport.ClientCounters(0, 0, 0, 0, 0);
    CpuTimes.Usage cpu = new CpuTimes.Usage(Map.of(), -1, 0, -1, -1);
    long diskBytes = -1;

    Run(List<Post> posts, List<String> frames, long deadline) {
      this.posts = posts;
      this.frames = frames;
      this.deadline = deadline;
    }

    /** Runs in a fresh temporary directory, deleted afterwards. */
    void execute() throws IOException {
      Path dir = Files.createTempDirectory("grapevine-bench-ingest-");
      try {
        execute(dir);
      } finally {
        deleteTree(dir);
      }
    }

    private void execute(Path dir) throws IOException {
      boolean memory = options.store() == StoreKind.MEMORY;
      NodeConfig config =
          NodeConfig.builder()
              .dataDir(dir)
              .ephemeral(memory)
              .keyPair(KeyPair.fromSeed(new byte[32]))
              .sync(options.sync())
              .transport(TransportConfig.DEFAULT.toBuilder().bindHost("127.0.0.1").port(0).build())
              .build();
      progress.accept(
          "Starting a pub on 127.0.0.1 with "
              + (memory
                  ? "an in-memory store"
                  : "a durable SQLite store in a temporary directory"));
      try (Node node = Node.start(config)) {
        int n = posts.size();
        Peak peak = new Peak();
        try (WebSocketPusher pusher = WebSocketPusher.connect(node.url(), Duration.ofSeconds(10))) {
          progress.accept(
              "Pushing " + n + " messages and their contents (" + frames.size() + " frames)");
          CpuTimes cpuStart = CpuTimes.now();
          long diskStart = ProcIo.writeBytes();
          long start = System.nanoTime();
          CompletableFuture<Void> pushed = pusher.push(frames);
          pushed.whenComplete((v, e) -> sendNanos = System.nanoTime() - start);
          failure = await(node, pusher, pushed, peak);
          elapsedNanos = System.nanoTime() - start;
          cpu = CpuTimes.now().since(cpuStart);
          long diskEnd = ProcIo.writeBytes();
          diskBytes = diskStart < 0 || diskEnd < 0 ? -1 : diskEnd - diskStart;
          if (failure == null) {
            progress.accept("Checking that every message and content is in the store");
            failure = checkAllStored(node.store());
          }
          client = clientCounters(pusher);
          if (failure != null && client.requestedContents() > 0) {
            failure +=
                "; the pub asked us for "
                    + client.requestedContents()
                    + " contents it had already been sent (never re-sent)";
          }
        }
        pub = pubCounters(node, peak);
      }
    }

    /** Waits until the store holds everything; returns why it failed, or null. */
    private String await(
        Node node, WebSocketPusher pusher, CompletableFuture<Void> pushed, Peak peak) {
      int n = posts.size();
      long stallNanos = options.stallTimeout().toNanos();
      long lastProgress = System.nanoTime();
      long lastSeen = -1;
      long nextReport = System.nanoTime() + 5_000_000_000L;
      while (true) {
        StoreStats s = node.store().stats();
        SyncStats sync = node.sync().stats();
        peak.sample(sync);
        if (s.messages() >= n && s.blobs() >= n) {
          return null;
        }
        long now = System.nanoTime();
        if (sync.dropped() > 0) {
          return "the pub dropped "
              + sync.dropped()
              + " frames for overload (backpressure did not hold the sender; nothing is re-sent)";
        }
        if (sync.rejected() > 0 || sync.junk() > 0) {
          return "the pub rejected "
              + sync.rejected()
              + " frames and counted "
              + sync.junk()
              + " junk";
        }
        if (pushed.isCompletedExceptionally()) {
          return "sending failed: " + pushed.handle((v, e) -> String.valueOf(e)).join();
        }
        if (pusher.closed().isPresent()) {
          return pusher.closed().get();
        }
        long seen = s.messages() + s.blobs() + pusher.sent();
        if (seen != lastSeen) {
          lastSeen = seen;
          lastProgress = now;
        } else if (now - lastProgress > stallNanos) {
          return "stalled: no progress for "
              + options.stallTimeout().toSeconds()
              + " s with "
              + progressLine(s, pusher);
        }
        if (now - deadline > 0) {
          return "timed out after "
              + options.timeout().toSeconds()
              + " s with "
              + progressLine(s, pusher);
        }
        if (now - nextReport > 0) {
          progress.accept("  " + progressLine(s, pusher));
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

    private String progressLine(StoreStats s, WebSocketPusher pusher) {
      int n = posts.size();
      return String.format(
          Locale.ROOT,
          "%,d/%,d messages and %,d/%,d contents stored, %,d/%,d frames sent, %,d requests received",
          s.messages(),
          n,
          s.blobs(),
          n,
          pusher.sent(),
          frames.size(),
          pusher.received());
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
      return "the store's counts are complete but "
          + missingMessages
          + " messages and "
          + missingContents
          + " contents of the corpus are not in it";
    }

    private IngestReport.ClientCounters clientCounters(WebSocketPusher pusher) {
      Set<String> contents = new HashSet<>();
      Set<String> messages = new HashSet<>();
      for (Post p : posts) {
        contents.add(p.message().contentHash().value());
        messages.add(p.message().hash().value());
      }
      int c = 0;
      int m = 0;
      int other = 0;
      for (Map.Entry<String, AtomicInteger> e : pusher.receivedFrames().entrySet()) {
        if (contents.contains(e.getKey())) {
          c++;
        } else if (messages.contains(e.getKey())) {
          m++;
        } else {
          other++;
        }
      }
      return new IngestReport.ClientCounters(pusher.sent(), pusher.received(), c, m, other);
    }

    private IngestReport.PubCounters pubCounters(Node node, Peak peak) {
      StoreStats s = node.store().stats();
      // The protocol counts a message after its commit, on its continuation threads: give them a
      // moment (bounded) to catch up with what the store already shows.
      long until = System.nanoTime() + 5_000_000_000L;
      while (node.sync().stats().messagesStored() < s.messages() && System.nanoTime() < until) {
        try {
          Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      SyncStats sync = node.sync().stats();
      CommitStats commits = node.store().commitStats();
      return new IngestReport.PubCounters(
          s.messages(),
          s.blobs(),
          sync.framesIn(),
          sync.messagesStored(),
          sync.blobsStored(),
          sync.duplicates(),
          sync.rejected(),
          sync.junk(),
          sync.dropped(),
          sync.requestsSent(),
          peak.pending,
          Reports.round4(peak.pausedShare()),
          commits.commits(),
          commits.totalNanos() / 1_000_000);
    }
  }

  /** Largest pending-frame count and how often the link was paused, from polling. */
  private static final class Peak {
    int pending;
    long samples;
    long paused;

    void sample(SyncStats s) {
      pending = Math.max(pending, s.pendingFrames());
      samples++;
      if (s.pausedLinks() > 0) {
        paused++;
      }
    }

    double pausedShare() {
      return samples == 0 ? 0 : paused / (double) samples;
    }
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
