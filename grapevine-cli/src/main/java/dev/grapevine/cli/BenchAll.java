package dev.grapevine.cli;

import dev.grapevine.bench.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code grapevine bench all}: runs every benchmark of {@link BenchCommand} that is a {@link
 * BenchSuite.Member}, in the order of its {@code subcommands}, with each one's default sizes (or
 * its quick ones), and prints one table of every headline figure with its ratio to its baseline.
 * One benchmark failing does not stop the others.
 */
@Command(
    name = "all",
    mixinStandardHelpOptions = true,
    description =
        "Run every benchmark (verify, ingest, reconcile, connections, fanout, and any added"
            + " later) and print one table of the headline figures with their ratios to the"
            + " baselines measured in the same run; append it, dated, to BENCHMARKS.md.")
final class BenchAll implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the suite as JSON instead of a Markdown table.")
  boolean json;

  @Option(
      names = "--quick",
      description = "Smaller sizes: a smoke run of a few minutes at most, not for publishing.")
  boolean quick;

  @Option(
      names = "--only",
      paramLabel = "NAME",
      split = ",",
      description = "Run only these benchmarks (comma-separated names), in suite order.")
  List<String> only;

  @Option(
      names = "--append",
      paramLabel = "FILE",
      description = "Markdown file the dated results are appended to (default: ${DEFAULT-VALUE}).")
  Path append = Path.of("BENCHMARKS.md");

  @Option(names = "--no-append", description = "Do not append the results to any file.")
  boolean noAppend;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Timeout of each benchmark (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds = 600;

  @Override
  public Integer call() {
    Map<String, BenchSuite.Member> members = members();
    if (only != null) {
      for (String name : only) {
        if (!members.containsKey(name)) {
          throw new CommandLine.ParameterException(
              spec.commandLine(),
              "Unknown benchmark '" + name + "'; the suite has " + members.keySet());
        }
      }
      members.keySet().retainAll(only);
    }
    if (timeoutSeconds < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Expected --timeout >= 1");
    }
    BenchSuite.Run run =
        new BenchSuite.Run(
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
            BenchSuite.SuiteMachine.current(),
            commit(),
            // The parse result of any subcommand holds the whole command line.
            "grapevine " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
            quick);
    Consumer<String> progress = BenchCommand.progress(spec);
    List<BenchSuite.Result> results = new ArrayList<>();
    for (Map.Entry<String, BenchSuite.Member> e : members.entrySet()) {
      BenchSuite.Member member = e.getValue();
      if (quick) {
        member.quick();
      }
      member.timeout(timeoutSeconds);
      progress.accept("== bench " + e.getKey() + (quick ? " (quick)" : ""));
      BenchSuite.Result result;
      try {
        result = member.measure(line -> progress.accept("   " + line));
      } catch (CommandLine.ParameterException ex) {
        throw ex;
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        result = BenchSuite.Result.crashed(e.getKey(), ex);
      } catch (Exception ex) {
        result = BenchSuite.Result.crashed(e.getKey(), ex);
      }
      progress.accept("== " + e.getKey() + ": " + result.verdict());
      results.add(result);
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        json
            ? BenchSuite.json(run, results)
            : "### grapevine bench all\n\n" + BenchSuite.markdown(results));
    out.flush();
    if (!noAppend) {
      try {
        Files.writeString(
            append,
            BenchSuite.section(run, results),
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        progress.accept("Appended the results to " + append);
      } catch (IOException ex) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("Cannot append to " + append + ": " + ex.getMessage());
        err.flush();
        return 1;
      }
    }
    return BenchSuite.overall(results) == Verdict.FAILED ? 1 : 0;
  }

  /** The sibling subcommands that belong to the suite, by name, in declaration order. */
  private Map<String, BenchSuite.Member> members() {
    Map<String, BenchSuite.Member> members = new LinkedHashMap<>();
    for (Map.Entry<String, CommandLine> e : spec.parent().subcommands().entrySet()) {
      Object command = e.getValue().getCommand();
      if (command instanceof BenchSuite.Member && !members.containsValue(command)) {
        members.put(e.getKey(), (BenchSuite.Member) command);
      }
    }
    return members;
  }

  /**
   * The git commit of the working directory ({@code git rev-parse --short HEAD}, "-dirty" when it
   * has changes), or {@code "unknown"} outside a repository or without git.
   */
  static String commit() {
    String head = git("rev-parse", "--short", "HEAD");
    if (head == null || head.isEmpty()) {
      return "unknown";
    }
    String status = git("status", "--porcelain", "--untracked-files=no");
    return head + (status != null && !status.isEmpty() ? "-dirty" : "");
  }

  private static String git(String... args) {
    List<String> command = new ArrayList<>();
    command.add("git");
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String text;
      try (InputStream in = p.getInputStream()) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? text : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
