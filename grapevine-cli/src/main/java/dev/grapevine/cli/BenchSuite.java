package dev.grapevine.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.grapevine.bench.ConnectionsReport;
import dev.grapevine.bench.FanoutReport;
import dev.grapevine.bench.IngestReport;
import dev.grapevine.bench.ReconcileReport;
import dev.grapevine.bench.Reports;
import dev.grapevine.bench.Verdict;
import dev.grapevine.bench.VerifyReport;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What {@code grapevine bench all} needs of a benchmark, the headline figures of each report, and
 * the suite's Markdown table, JSON and BENCHMARKS.md section. Stateless; thread-safe.
 */
final class BenchSuite {
  private BenchSuite() {}

  /**
   * A benchmark subcommand that {@code bench all} runs. Implemented by the nested commands of
   * {@link BenchCommand}; not thread-safe (a command object runs once).
   */
  interface Member {
    /** Shrinks the sizes for {@code bench all --quick}: a smoke run of a minute or less. */
    void quick();

    /** Sets the run's timeout. */
    void timeout(long seconds);

    /**
     * Runs the benchmark with the command's current options. Blocks until done.
     *
     * @throws picocli.CommandLine.ParameterException if an option is invalid
     */
    Result measure(Consumer<String> progress) throws Exception;
  }

  /**
   * One benchmark's outcome.
   *
   * @param benchmark its name, for example {@code "verify"}
   * @param report its full report (a record), printed as JSON
   * @param markdown its full report as Markdown
   * @param headlines its headline figures
   * @param verdict PASS, BELOW FLOOR or FAILED
   * @param failure why it failed, or null
   */
  record Result(
      String benchmark,
      Object report,
      String markdown,
      List<Headline> headlines,
      Verdict verdict,
      String failure) {
    Result {
      headlines = List.copyOf(headlines);
    }

    /** A benchmark that threw instead of reporting. */
    static Result crashed(String benchmark, Throwable e) {
      return new Result(
          benchmark,
          null,
          "",
          List.of(),
          Verdict.FAILED,
          e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * A headline figure.
   *
   * @param benchmark the benchmark it comes from
   * @param figure what it is
   * @param value the number
   * @param unit its unit, for example {@code "/s"} or {@code "ms"}
   * @param baseline what it is compared with, measured in the same run (or the floor), with its
   *     value; null if it has none
   * @param ratio {@code value} against the baseline as the report defines it; null if none
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Headline(
      String benchmark, String figure, double value, String unit, String baseline, Double ratio) {}

  static List<Headline> headlines(VerifyReport r) {
    return List.of(
        new Headline(
            "verify",
            "Ed25519 verify (node path, BouncyCastle), 1 thread",
            r.singleThread().perSecond(),
            "/s",
            "JDK Ed25519, 1 thread: " + rate(r.jdkSingleThread().perSecond()),
            r.versusJdk()),
        new Headline(
            "verify",
            "Ed25519 verify (node path), " + r.allCores().threads() + " threads",
            r.allCores().perSecond(),
            "/s",
            "1 thread: " + rate(r.singleThread().perSecond()),
            r.scaling()));
  }

  static List<Headline> headlines(IngestReport r) {
    return List.of(
        new Headline(
            "ingest",
            "Ingest into a pub (" + r.store() + "), " + count(r.messages()) + " posts",
            r.messagesPerSecond(),
            "/s",
            "verify, " + r.verify().threads() + " threads: " + rate(r.verify().perSecond()),
            r.ratio()));
  }

  static List<Headline> headlines(ReconcileReport r) {
    List<Headline> out = new ArrayList<>();
    for (ReconcileReport.Case c : r.cases()) {
      out.add(
          new Headline(
              "reconcile",
              "Reconcile "
                  + count(r.items())
                  + " items, d="
                  + count(c.differences())
                  + " "
                  + c.placement()
                  + ", "
                  + c.roundTrips()
                  + " round trip(s)",
              c.wireBytes(),
              "bytes",
              "every hash: " + count(r.hashListBytes()) + " bytes",
              c.ratio()));
    }
    return out;
  }

  static List<Headline> headlines(ConnectionsReport r) {
    return List.of(
        new Headline(
            "connections",
            "Heap per idle connection (" + count(r.opened()) + " held)",
            r.heapPerConnectionBytes(),
            "bytes",
            "floor: " + count(r.floorBytes()) + " bytes",
            r.floorBytes() <= 0
                ? null
                : round4((double) r.heapPerConnectionBytes() / r.floorBytes())),
        new Headline(
            "connections",
            "RSS per idle connection",
            r.rssPerConnectionBytes(),
            "bytes",
            null,
            null));
  }

  static List<Headline> headlines(dev.grapevine.bench.SyncReport r) {
    return List.of(
        new Headline(
            "sync",
            "Mesh catch-up (" + r.store() + "), " + count(r.messages()) + " posts",
            r.messagesPerSecond(),
            "/s",
            "verify, " + r.verify().threads() + " threads: " + rate(r.verify().perSecond()),
            r.ratio()));
  }

  static List<Headline> headlines(dev.grapevine.bench.PropagationReport r) {
    return List.of(
        new Headline(
            "propagation",
            "Full copies per node per message, " + r.nodes() + " nodes",
            r.copiesPerNodePerMessage(),
            "copies",
            "flooding: " + r.floodingCopies(),
            r.floodingRatio()),
        new Headline("propagation", "Publish-to-all latency p50", r.p50Millis(), "ms", null, null),
        new Headline("propagation", "Publish-to-all latency p99", r.p99Millis(), "ms", null, null));
  }

  static List<Headline> headlines(FanoutReport r) {
    List<Headline> out = new ArrayList<>();
    for (FanoutReport.SurfaceResult s : r.surfaces()) {
      String where =
          count(s.fanout().subscribers()) + " subscribers on " + s.surface() + " " + s.path();
      out.add(
          new Headline(
              "fanout",
              "Deliveries to " + where,
              s.fanout().deliveriesPerSecond(),
              "/s",
              "1 subscriber: " + rate(s.single().deliveriesPerSecond()),
              s.deliveryRatio()));
      out.add(
          new Headline(
              "fanout",
              "Publish-to-delivery p50, " + where,
              s.fanout().p50Millis(),
              "ms",
              "1 subscriber: " + s.single().p50Millis() + " ms",
              s.p50Ratio() < 0 ? null : s.p50Ratio()));
      out.add(
          new Headline(
              "fanout",
              "Publish-to-delivery p99, " + where,
              s.fanout().p99Millis(),
              "ms",
              "1 subscriber: " + s.single().p99Millis() + " ms",
              s.single().p99Millis() <= 0
                  ? null
                  : round4(s.fanout().p99Millis() / s.single().p99Millis())));
    }
    return out;
  }

  /**
   * The suite's table: one row per headline figure, and a row for each benchmark that failed
   * without figures.
   */
  static String markdown(List<Result> results) {
    StringBuilder b =
        new StringBuilder(
            "| Benchmark | Figure | Value | Baseline (same run) | Ratio | Verdict |\n"
                + "|---|---|---|---|---|---|\n");
    for (Result r : results) {
      String verdict = r.verdict() + (r.failure() == null ? "" : ": " + r.failure());
      if (r.headlines().isEmpty()) {
        b.append(row(r.benchmark(), "—", "—", "—", "—", verdict));
      }
      for (Headline h : r.headlines()) {
        b.append(
            row(
                h.benchmark(),
                h.figure(),
                value(h),
                h.baseline() == null ? "—" : h.baseline(),
                h.ratio() == null ? "—" : ratio(h.ratio()),
                verdict));
      }
    }
    return b.toString();
  }

  /** The suite as one JSON document: the run's facts, every headline, and every full report. */
  static String json(Run run, List<Result> results) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("suite", "all");
    doc.put("date", run.date());
    doc.put("machine", run.machine());
    doc.put("commit", run.commit());
    doc.put("command", run.command());
    doc.put("quick", run.quick());
    doc.put("verdict", overall(results));
    List<Headline> headlines = new ArrayList<>();
    Map<String, Object> reports = new LinkedHashMap<>();
    Map<String, Object> verdicts = new LinkedHashMap<>();
    for (Result r : results) {
      headlines.addAll(r.headlines());
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("verdict", r.verdict());
      if (r.failure() != null) {
        v.put("failure", r.failure());
      }
      verdicts.put(r.benchmark(), v);
      if (r.report() != null) {
        reports.put(r.benchmark(), r.report());
      }
    }
    doc.put("benchmarks", verdicts);
    doc.put("headlines", headlines);
    doc.put("reports", reports);
    return Reports.json(doc);
  }

  /** The section appended to BENCHMARKS.md: a heading, the run's facts and the table. */
  static String section(Run run, List<Result> results) {
    return "\n## `grapevine bench all` — "
        + run.date()
        + "\n\n- Machine: "
        + run.machine().describe()
        + "\n- Commit: "
        + run.commit()
        + "\n- Command: `"
        + run.command()
        + "`\n- Verdict: "
        + overall(results)
        + "\n\n"
        + markdown(results);
  }

  /** FAILED if any benchmark failed, else BELOW FLOOR if any was below its floor, else PASS. */
  static Verdict overall(List<Result> results) {
    Verdict v = Verdict.PASS;
    for (Result r : results) {
      if (r.verdict() == Verdict.FAILED) {
        return Verdict.FAILED;
      }
      if (r.verdict() == Verdict.BELOW_FLOOR) {
        v = Verdict.BELOW_FLOOR;
      }
    }
    return v;
  }

  /**
   * The facts of a suite run.
   *
   * @param date when it started (ISO-8601, UTC)
   * @param machine where it ran
   * @param commit the source's git commit, or {@code "unknown"}
   * @param command the command line
   * @param quick whether the sizes were the quick ones
   */
  record Run(String date, SuiteMachine machine, String commit, String command, boolean quick) {}

  /**
   * The machine, with its memory (the benchmarks' own machine records omit it).
   *
   * @param cores available processors
   * @param memoryBytes physical memory, or -1 if unknown
   * @param java the Java runtime version and VM
   * @param os operating system name, version and architecture
   */
  record SuiteMachine(int cores, long memoryBytes, String java, String os) {
    static SuiteMachine current() {
      long memory = -1;
      OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
      if (os instanceof com.sun.management.OperatingSystemMXBean) {
        memory = ((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize();
      }
      return new SuiteMachine(
          Runtime.getRuntime().availableProcessors(),
          memory,
          System.getProperty("java.runtime.version", System.getProperty("java.version"))
              + " ("
              + System.getProperty("java.vm.name", "unknown VM")
              + ")",
          System.getProperty("os.name")
              + " "
              + System.getProperty("os.version")
              + " "
              + System.getProperty("os.arch"));
    }

    /** For example {@code "2 cores, 23.5 GiB, Java 17.0.15 (OpenJDK 64-Bit Server VM), Linux…"}. */
    String describe() {
      return cores
          + (cores == 1 ? " core, " : " cores, ")
          + (memoryBytes < 0
              ? "memory unknown"
              : String.format(Locale.ROOT, "%.1f GiB", memoryBytes / (double) (1L << 30)))
          + ", Java "
          + java
          + ", "
          + os;
    }
  }

  private static String row(String... cells) {
    StringBuilder b = new StringBuilder("|");
    for (String c : cells) {
      b.append(' ').append(c.replace("|", "\\|").replace("\n", " ")).append(" |");
    }
    return b.append('\n').toString();
  }

  private static String value(Headline h) {
    String unit = h.unit();
    if (unit.equals("ms")) {
      return String.format(Locale.ROOT, "%.2f ms", h.value());
    }
    return rate(h.value()) + (unit.equals("/s") ? "/s" : " " + unit);
  }

  /** {@code 6.17×}, or {@code 89,431×} from 100 up, where decimals say nothing. */
  private static String ratio(double r) {
    return String.format(Locale.ROOT, r >= 100 ? "%,.0f×" : "%.2f×", r);
  }

  private static double round4(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  private static String rate(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
