package dev.grapevine.cli;

import dev.grapevine.bench.ConnectionsBench;
import dev.grapevine.bench.ConnectionsReport;
import dev.grapevine.bench.FanoutBench;
import dev.grapevine.bench.FanoutReport;
import dev.grapevine.bench.IngestBench;
import dev.grapevine.bench.IngestReport;
import dev.grapevine.bench.PropagationBench;
import dev.grapevine.bench.PropagationReport;
import dev.grapevine.bench.ReconcileBench;
import dev.grapevine.bench.ReconcileReport;
import dev.grapevine.bench.Reports;
import dev.grapevine.bench.SyncBench;
import dev.grapevine.bench.SyncReport;
import dev.grapevine.bench.Verdict;
import dev.grapevine.bench.VerifyReport;
import dev.grapevine.mesh.reconcile.ReconcileConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code grapevine bench}: end-to-end benchmarks, one subcommand each. Every benchmark prints a
 * Markdown table (or JSON with {@code --json}) on standard output and its progress on standard
 * error, runs on loopback only and is bounded by {@code --timeout}.
 *
 * <p>Exit status: 0 when the run completed (PASS, or BELOW FLOOR unless {@code --require-floor}), 1
 * when it FAILED (something lost, dropped, rejected, stalled or timed out), 2 for BELOW FLOOR with
 * {@code --require-floor}.
 *
 * <p>To add a benchmark (sync, propagation), write it in {@code grapevine-bench} with a report
 * record like {@code IngestReport}, add a nested {@code @Command} class here that mixes in {@link
 * Common} and implements {@link BenchSuite.Member} (its sizes for {@code --quick} and its headline
 * figures), and list it in {@code subcommands}: {@code bench all} then runs it too.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Run an end-to-end benchmark on this machine (loopback only).",
    subcommands = {
      // Also the registry of 'bench all': it runs, in this order, every subcommand that is a
      // BenchSuite.Member. A new benchmark joins the suite by being listed here.
      BenchCommand.Verify.class,
      BenchCommand.Ingest.class,
      BenchCommand.Reconcile.class,
      BenchCommand.Connections.class,
      BenchCommand.Fanout.class,
      BenchCommand.Sync.class,
      BenchCommand.Propagation.class,
      BenchAll.class
    })
final class BenchCommand implements Runnable {
  /** Exit status of a run whose ratio is below the floor, with {@code --require-floor}. */
  static final int BELOW_FLOOR = 2;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Progress lines of a benchmark, printed on standard error as they come. */
  static Consumer<String> progress(CommandSpec spec) {
    PrintWriter err = spec.commandLine().getErr();
    return line -> {
      err.println(line);
      err.flush();
    };
  }

  /**
   * Prints {@code report} (Markdown, or JSON with {@code --json}) on standard output, and why it
   * failed on standard error, and returns the exit status.
   */
  static int finish(
      CommandSpec spec,
      Common common,
      Object report,
      String markdown,
      Verdict verdict,
      String failure,
      boolean requireFloor) {
    PrintWriter out = spec.commandLine().getOut();
    out.println(common.json ? Reports.json(report) : markdown);
    out.flush();
    if (verdict == Verdict.FAILED) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("FAILED: " + failure);
      err.flush();
      return 1;
    }
    return verdict == Verdict.BELOW_FLOOR && requireFloor ? BELOW_FLOOR : 0;
  }

  /** Options every benchmark shares. */
  static final class Common {
    @Option(names = "--json", description = "Print the report as JSON instead of a Markdown table.")
    boolean json;

    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        description = "Fail if the whole run takes longer (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 600;
  }

  /** {@code grapevine bench ingest}. */
  @Command(
      name = "ingest",
      mixinStandardHelpOptions = true,
      description =
          "Push N signed posts with their contents over one WebSocket (the JDK's client) into a"
              + " fresh pub on 127.0.0.1 and time until its store holds them all; report messages/s"
              + " as a ratio of this machine's parallel Ed25519 verify rate, measured in the same"
              + " run.")
  static final class Ingest implements Callable<Integer>, BenchSuite.Member {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Common common = new Common();

    @Option(
        names = {"-n", "--messages"},
        paramLabel = "N",
        description = "Posts to push, each with its content (default: ${DEFAULT-VALUE}).")
    int messages = IngestBench.Options.DEFAULT.messages();

    @Option(
        names = "--store",
        paramLabel = "sqlite|memory",
        description =
            "The pub's store: durable SQLite in a temporary directory, or memory"
                + " (default: ${DEFAULT-VALUE}).")
    String store = "sqlite";

    @Option(
        names = "--authors",
        paramLabel = "A",
        description = "Authors whose chains the posts form (default: ${DEFAULT-VALUE}).")
    int authors = IngestBench.Options.DEFAULT.authors();

    @Option(
        names = "--warmup",
        paramLabel = "W",
        description =
            "Posts pushed first into a throwaway pub, untimed, so the timed pub runs compiled"
                + " code (default: ${DEFAULT-VALUE}; 0 times a cold JVM).")
    int warmup = IngestBench.Options.DEFAULT.warmupMessages();

    @Option(
        names = "--repeat",
        paramLabel = "K",
        description =
            "Timed runs, each with a fresh pub between two verify measurements; the report shows"
                + " the median (default: ${DEFAULT-VALUE}).")
    int repeat = IngestBench.Options.DEFAULT.repeat();

    @Option(
        names = "--floor",
        paramLabel = "RATIO",
        description =
            "Smallest passing ratio of ingest to verify rate (default: ${DEFAULT-VALUE}).")
    double floor = IngestBench.Options.DEFAULT.floor();

    @Option(names = "--require-floor", description = "Exit with status 2 if BELOW FLOOR.")
    boolean requireFloor;

    @Option(
        names = "--unclaimed-max-entries",
        paramLabel = "E",
        description =
            "Run the pub with this many entries in its cache of blobs that arrive before the"
                + " message claiming them commits (default: the node's default); the report"
                + " shows the change.")
    int unclaimedMaxEntries;

    @Override
    public Integer call() throws Exception {
      BenchSuite.Result r = measure(progress(spec));
      return finish(spec, common, r.report(), r.markdown(), r.verdict(), r.failure(), requireFloor);
    }

    @Override
    public void quick() {
      messages = 5_000;
      warmup = 2_000;
      repeat = 1;
    }

    @Override
    public void timeout(long seconds) {
      common.timeoutSeconds = seconds;
    }

    @Override
    public BenchSuite.Result measure(Consumer<String> progress) throws Exception {
      IngestBench.Options options;
      try {
        options =
            IngestBench.Options.builder()
                .messages(messages)
                .store(IngestBench.StoreKind.parse(store))
                .authors(authors)
                .warmupMessages(warmup)
                .repeat(repeat)
                .timeout(Duration.ofSeconds(common.timeoutSeconds))
                .floor(floor)
                .unclaimedMaxEntries(unclaimedMaxEntries)
                .build();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      IngestReport report = new IngestBench(options, progress).run();
      return new BenchSuite.Result(
          "ingest",
          report,
          report.toMarkdown(),
          BenchSuite.headlines(report),
          report.verdict(),
          report.failure());
    }
  }

  /** {@code grapevine bench verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Measure the node's signature verify path (BouncyCastle Ed25519) on one thread and on"
              + " every core (the baseline of 'bench ingest'), and the JDK's Ed25519 verifier on"
              + " one thread for reference.")
  static final class Verify implements Callable<Integer>, BenchSuite.Member {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Common common = new Common();

    @Option(
        names = "--seconds",
        paramLabel = "S",
        description =
            "Length of each measurement, after as long a warm-up (default: ${DEFAULT-VALUE}).")
    int seconds = 3;

    @Option(
        names = "--threads",
        paramLabel = "T",
        description = "Threads for the parallel measurement (default: the available processors).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() {
      BenchSuite.Result r = measure(progress(spec));
      return finish(spec, common, r.report(), r.markdown(), r.verdict(), r.failure(), false);
    }

    @Override
    public void quick() {
      seconds = 1;
    }

    @Override
    public void timeout(long seconds) {
      common.timeoutSeconds = seconds;
    }

    @Override
    public BenchSuite.Result measure(Consumer<String> progress) {
      if (seconds < 1 || threads < 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "Expected --seconds >= 1 and --threads >= 1");
      }
      if (6L * seconds > common.timeoutSeconds) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "Expected --timeout of at least 6 × --seconds (" + 6L * seconds + " s)");
      }
      Duration each = Duration.ofSeconds(seconds);
      progress.accept(
          "Measuring verify on 1 and " + threads + " threads, then the JDK's on 1 thread");
      VerifyReport report = VerifyReport.measure(threads, each, each);
      return new BenchSuite.Result(
          "verify", report, report.toMarkdown(), BenchSuite.headlines(report), Verdict.PASS, null);
    }
  }

  /** {@code grapevine bench connections}. */
  @Command(
      name = "connections",
      mixinStandardHelpOptions = true,
      description =
          "Hold N idle WebSocket connections (keepalive on) to a node started in its own JVM, from"
              + " loopback source addresses 127.0.0.2 on, and report the node's heap after GC and"
              + " resident memory per connection.")
  static final class Connections implements Callable<Integer>, BenchSuite.Member {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Common common = new Common();

    @Option(
        names = {"-n", "--connections"},
        paramLabel = "N",
        description = "Connections to hold (default: ${DEFAULT-VALUE}).")
    int connections = ConnectionsBench.Options.DEFAULT.connections();

    @Option(
        names = "--per-address",
        paramLabel = "K",
        description = "Connections per source address (default: ${DEFAULT-VALUE}).")
    int perAddress = ConnectionsBench.Options.DEFAULT.perAddress();

    @Option(
        names = "--hold",
        paramLabel = "SECONDS",
        description = "How long to hold them before measuring (default: ${DEFAULT-VALUE}).")
    long holdSeconds = ConnectionsBench.Options.DEFAULT.hold().toSeconds();

    @Option(
        names = "--ping",
        paramLabel = "SECONDS",
        description =
            "The node's keepalive ping interval; its idle timeout is three times this (default:"
                + " ${DEFAULT-VALUE}).")
    long pingSeconds = ConnectionsBench.Options.DEFAULT.pingInterval().toSeconds();

    @Option(
        names = "--floor",
        paramLabel = "BYTES",
        description = "Largest passing heap per connection (default: ${DEFAULT-VALUE}).")
    long floorBytes = ConnectionsBench.Options.DEFAULT.floorBytes();

    @Option(names = "--require-floor", description = "Exit with status 2 if BELOW FLOOR.")
    boolean requireFloor;

    @Override
    public Integer call() throws Exception {
      BenchSuite.Result r = measure(progress(spec));
      return finish(spec, common, r.report(), r.markdown(), r.verdict(), r.failure(), requireFloor);
    }

    @Override
    public void quick() {
      connections = 1_000;
      perAddress = 500;
      holdSeconds = 5;
      pingSeconds = 2;
    }

    @Override
    public void timeout(long seconds) {
      common.timeoutSeconds = seconds;
    }

    @Override
    public BenchSuite.Result measure(Consumer<String> progress) throws Exception {
      ConnectionsBench.Options options;
      try {
        options =
            ConnectionsBench.Options.builder()
                .connections(connections)
                .perAddress(perAddress)
                .hold(Duration.ofSeconds(holdSeconds))
                .pingInterval(Duration.ofSeconds(pingSeconds))
                .timeout(Duration.ofSeconds(common.timeoutSeconds))
                .floorBytes(floorBytes)
                .build();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      ConnectionsReport report = new ConnectionsBench(options, progress).run();
      return new BenchSuite.Result(
          "connections",
          report,
          report.toMarkdown(),
          BenchSuite.headlines(report),
          report.verdict(),
          report.failure());
    }
  }

  /** {@code grapevine bench reconcile}. */
  @Command(
      name = "reconcile",
      mixinStandardHelpOptions = true,
      description =
          "Reconcile two in-memory indexes of N (timestamp, msgHash) items that differ by d items"
              + " (scattered over the order, and the d newest), in this process; report round"
              + " trips and bytes both ways against sending every hash (44 chars each).")
  static final class Reconcile implements Callable<Integer>, BenchSuite.Member {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Common common = new Common();

    @Option(
        names = {"-n", "--items"},
        paramLabel = "N",
        description = "Items in each index (default: ${DEFAULT-VALUE}).")
    int items = ReconcileBench.Options.DEFAULT.items();

    @Option(
        names = {"-d", "--differences"},
        paramLabel = "D",
        split = ",",
        description =
            "Values of d, comma-separated; half of each side's differences are on each side"
                + " (default: 0,100,1000).")
    List<Integer> differences = ReconcileBench.Options.DEFAULT.differences();

    @Option(
        names = "--buckets",
        paramLabel = "B",
        description = "Sub-ranges per differing range (default: ${DEFAULT-VALUE}).")
    int buckets = ReconcileConfig.DEFAULT.buckets();

    @Option(
        names = "--max-message-bytes",
        paramLabel = "BYTES",
        description = "Largest binary message either side sends (default: ${DEFAULT-VALUE}).")
    int maxMessageBytes = ReconcileConfig.DEFAULT.maxMessageBytes();

    @Option(
        names = "--seed",
        paramLabel = "S",
        description = "Seed of the generated items (default: ${DEFAULT-VALUE}).")
    long seed = ReconcileBench.Options.DEFAULT.seed();

    @Option(names = "--require-floor", description = "Exit with status 2 if BELOW FLOOR.")
    boolean requireFloor;

    @Override
    public Integer call() {
      BenchSuite.Result r = measure(progress(spec));
      return finish(spec, common, r.report(), r.markdown(), r.verdict(), r.failure(), requireFloor);
    }

    @Override
    public void quick() {
      items = 100_000;
    }

    @Override
    public void timeout(long seconds) {
      common.timeoutSeconds = seconds;
    }

    @Override
    public BenchSuite.Result measure(Consumer<String> progress) {
      ReconcileBench.Options options;
      try {
        ReconcileConfig config =
            ReconcileConfig.builder().buckets(buckets).maxMessageBytes(maxMessageBytes).build();
        ReconcileBench.Options d = ReconcileBench.Options.DEFAULT;
        options =
            new ReconcileBench.Options(
                items,
                differences,
                config,
                seed,
                Duration.ofSeconds(common.timeoutSeconds),
                d.floorRatio(),
                d.identicalMaxBytes());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      ReconcileReport report = new ReconcileBench(options, progress).run();
      return new BenchSuite.Result(
          "reconcile",
          report,
          report.toMarkdown(),
          BenchSuite.headlines(report),
          report.verdict(),
          report.failure());
    }
  }

  /** {@code grapevine bench fanout}. */
  @Command(
      name = "fanout",
      mixinStandardHelpOptions = true,
      description =
          "One publisher, S subscribers: on the ANProto surface (WebSocket peers on /) and on the"
              + " event API (/ws, topic file_operations), each against a fresh pub on 127.0.0.1;"
              + " report publish-to-delivery p50/p99 and deliveries/s, as a multiple of the rate"
              + " to a single subscriber measured in the same run.")
  static final class Fanout implements Callable<Integer>, BenchSuite.Member {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Common common = new Common();

    @Option(
        names = {"-s", "--subscribers"},
        paramLabel = "S",
        description = "Subscribers on each surface (default: ${DEFAULT-VALUE}).")
    int subscribers = FanoutBench.Options.DEFAULT.subscribers();

    @Option(
        names = {"-n", "--messages"},
        paramLabel = "M",
        description = "Posts published and counted per phase (default: ${DEFAULT-VALUE}).")
    int messages = FanoutBench.Options.DEFAULT.messages();

    @Option(
        names = "--warmup",
        paramLabel = "W",
        description =
            "Posts published first in each phase, not counted (default: ${DEFAULT-VALUE}).")
    int warmup = FanoutBench.Options.DEFAULT.warmupMessages();

    @Option(
        names = "--window",
        paramLabel = "K",
        description =
            "Posts in flight at most, published but not yet at every subscriber (default:"
                + " ${DEFAULT-VALUE}).")
    int window = FanoutBench.Options.DEFAULT.window();

    @Option(
        names = "--per-address",
        paramLabel = "K",
        description = "Subscribers per loopback source address (default: ${DEFAULT-VALUE}).")
    int perAddress = FanoutBench.Options.DEFAULT.perAddress();

    @Override
    public Integer call() throws Exception {
      BenchSuite.Result r = measure(progress(spec));
      return finish(spec, common, r.report(), r.markdown(), r.verdict(), r.failure(), false);
    }

    @Override
    public void quick() {
      subscribers = 100;
      messages = 200;
      warmup = 100;
    }

    @Override
    public void timeout(long seconds) {
      common.timeoutSeconds = seconds;
    }

    @Override
    public BenchSuite.Result measure(Consumer<String> progress) throws Exception {
      FanoutBench.Options options;
      try {
        options =
            FanoutBench.Options.builder()
                .subscribers(subscribers)
                .messages(messages)
                .warmupMessages(warmup)
                .window(window)
                .perAddress(perAddress)
                .timeout(Duration.ofSeconds(common.timeoutSeconds))
                .build();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      FanoutReport report = new FanoutBench(options, progress).run();
      return new BenchSuite.Result(
          "fanout",
          report,
          report.toMarkdown(),
          BenchSuite.headlines(report),
          report.verdict(),
          report.failure());
    }
  }

  /** {@code grapevine bench sync}. */
  @Command(
      name = "sync",
      mixinStandardHelpOptions = true,
      description =
          "Start a fresh node whose only seed is a node holding N signed posts with contents, on"
              + " 127.0.0.1, and time until it has caught them all up over the mesh"
              + " (reconciliation, then WANT); report messages/s as a ratio of this machine's"
              + " parallel Ed25519 verify rate, measured in the same run.")
  static final class Sync implements Callable<Integer>, BenchSuite.Member {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Common common = new Common();

    @Option(
        names = {"-n", "--messages"},
        paramLabel = "N",
        description =
            "Posts on the serving node, each with its content (default: ${DEFAULT-VALUE}).")
    int messages = SyncBench.Options.DEFAULT.messages();

    @Option(
        names = "--store",
        paramLabel = "sqlite|memory",
        description =
            "Both nodes' store: durable SQLite in a temporary directory (as serve), or memory"
                + " (default: ${DEFAULT-VALUE}).")
    String store = "sqlite";

    @Option(
        names = "--authors",
        paramLabel = "A",
        description = "Authors whose chains the posts form (default: ${DEFAULT-VALUE}).")
    int authors = SyncBench.Options.DEFAULT.authors();

    @Option(
        names = "--warmup",
        paramLabel = "W",
        description =
            "Posts a throwaway pair of nodes syncs first, untimed (default: ${DEFAULT-VALUE};"
                + " 0 skips it).")
    int warmup = SyncBench.Options.DEFAULT.warmupMessages();

    @Option(
        names = "--warmup-runs",
        paramLabel = "K",
        description =
            "Untimed catch-ups of all of node A by throwaway nodes before the timed runs"
                + " (default: ${DEFAULT-VALUE}).")
    int warmupRuns = SyncBench.Options.DEFAULT.warmupRuns();

    @Option(
        names = "--repeat",
        paramLabel = "K",
        description =
            "Timed runs, each with a fresh catching-up node between two verify measurements; the"
                + " report shows the median (default: ${DEFAULT-VALUE}).")
    int repeat = SyncBench.Options.DEFAULT.repeat();

    @Option(
        names = "--floor",
        paramLabel = "RATIO",
        description = "Smallest passing ratio of sync to verify rate (default: ${DEFAULT-VALUE}).")
    double floor = SyncBench.Options.DEFAULT.floor();

    @Option(names = "--require-floor", description = "Exit with status 2 if BELOW FLOOR.")
    boolean requireFloor;

    @Override
    public Integer call() throws Exception {
      BenchSuite.Result r = measure(progress(spec));
      return finish(spec, common, r.report(), r.markdown(), r.verdict(), r.failure(), requireFloor);
    }

    @Override
    public void quick() {
      messages = 10_000;
      warmup = 2_000;
      warmupRuns = 1;
      repeat = 1;
    }

    @Override
    public void timeout(long seconds) {
      common.timeoutSeconds = seconds;
    }

    @Override
    public BenchSuite.Result measure(Consumer<String> progress) throws Exception {
      SyncBench.Options options;
      try {
        options =
            SyncBench.Options.builder()
                .messages(messages)
                .store(IngestBench.StoreKind.parse(store))
                .authors(authors)
                .warmupMessages(warmup)
                .warmupRuns(warmupRuns)
                .repeat(repeat)
                .timeout(Duration.ofSeconds(common.timeoutSeconds))
                .floor(floor)
                .build();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      SyncReport report = new SyncBench(options, progress).run();
      return new BenchSuite.Result(
          "sync",
          report,
          report.toMarkdown(),
          BenchSuite.headlines(report),
          report.verdict(),
          report.failure());
    }
  }

  /** {@code grapevine bench propagation}. */
  @Command(
      name = "propagation",
      mixinStandardHelpOptions = true,
      description =
          "Start N nodes in this process on 127.0.0.1, joined in a chain of seeds, let them form a"
              + " mesh, publish M posts at random nodes and report the full copies each node"
              + " received per message (against flooding: the average degree) and the"
              + " publish-to-all latency p50/p99.")
  static final class Propagation implements Callable<Integer>, BenchSuite.Member {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Common common = new Common();

    @Option(
        names = "--nodes",
        paramLabel = "N",
        description = "Nodes in the network (default: ${DEFAULT-VALUE}).")
    int nodes = PropagationBench.Options.DEFAULT.nodes();

    @Option(
        names = {"-m", "--messages"},
        paramLabel = "M",
        description = "Posts to publish, each at a random node (default: ${DEFAULT-VALUE}).")
    int messages = PropagationBench.Options.DEFAULT.messages();

    @Option(
        names = "--rate",
        paramLabel = "R",
        description = "Posts published per second (default: ${DEFAULT-VALUE}).")
    double rate = PropagationBench.Options.DEFAULT.rate();

    @Option(
        names = "--settle",
        paramLabel = "SECONDS",
        description =
            "How long the peer set (before) and the copy counters (after) must stay unchanged"
                + " (default: ${DEFAULT-VALUE}).")
    long settleSeconds = PropagationBench.Options.DEFAULT.settle().toSeconds();

    @Option(
        names = "--mesh-timeout",
        paramLabel = "SECONDS",
        description = "Fail if the mesh has not formed by then (default: ${DEFAULT-VALUE}).")
    long meshTimeoutSeconds = PropagationBench.Options.DEFAULT.meshTimeout().toSeconds();

    @Option(
        names = "--seed",
        paramLabel = "S",
        description = "Seed of the choice of publishing nodes (default: ${DEFAULT-VALUE}).")
    long seed = PropagationBench.Options.DEFAULT.seed();

    @Option(
        names = "--floor",
        paramLabel = "COPIES",
        description = "Largest passing copies per node per message (default: ${DEFAULT-VALUE}).")
    double floor = PropagationBench.Options.DEFAULT.floor();

    @Option(names = "--require-floor", description = "Exit with status 2 if BELOW FLOOR.")
    boolean requireFloor;

    @Override
    public Integer call() throws Exception {
      BenchSuite.Result r = measure(progress(spec));
      return finish(spec, common, r.report(), r.markdown(), r.verdict(), r.failure(), requireFloor);
    }

    @Override
    public void quick() {
      nodes = 10;
      messages = 200;
    }

    @Override
    public void timeout(long seconds) {
      common.timeoutSeconds = seconds;
    }

    @Override
    public BenchSuite.Result measure(Consumer<String> progress) throws Exception {
      PropagationBench.Options options;
      try {
        options =
            new PropagationBench.Options(
                nodes,
                messages,
                rate,
                Duration.ofSeconds(settleSeconds),
                Duration.ofSeconds(meshTimeoutSeconds),
                Duration.ofSeconds(common.timeoutSeconds),
                seed,
                floor);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      PropagationReport report = new PropagationBench(options, progress).run();
      return new BenchSuite.Result(
          "propagation",
          report,
          report.toMarkdown(),
          BenchSuite.headlines(report),
          report.verdict(),
          report.failure());
    }
  }
}
