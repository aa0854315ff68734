package dev.grapevine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The result of one {@link SyncBench} run. Plain values only, so it renders as JSON ({@link
 * Reports#json}) and as a Markdown table ({@link #toMarkdown()}).
 *
 * @param benchmark always {@code "sync"}
 * @param date when the run started (ISO-8601, UTC)
 * @param machine where it ran
 * @param store {@code "sqlite"} (durable, in a temporary directory) or {@code "memory"}
 * @param warmupMessages posts a throwaway pair of nodes synced before timing
 * @param warmupRuns untimed catch-ups of all of node A before the timed runs
 * @param messages signed messages on node A, each with its content
 * @param authors authors whose chains the messages form
 * @param preloadMillis time to write the corpus into node A's store (not timed)
 * @param messagesPerSecond messages (with content) node B took per second: {@code messages} divided
 *     by the time from starting B until its store held every message and content
 * @param elapsedMillis that time
 * @param firstMessageMillis time from starting B until its store held a first message (node start,
 *     seed handshake, dial, reconciliation and the first {@code WANT})
 * @param verify the machine's parallel verify rate measured in the same run
 * @param ratio {@code messagesPerSecond / verify.perSecond}
 * @param floor the ratio the run must reach to pass
 * @param verdict PASS, BELOW FLOOR, or FAILED (then the rates are not valid)
 * @param failure why the run failed, or null
 * @param runs every timed run; the figures above are the median run's, or the failed run's
 * @param cpu where the CPU went (both nodes share this process)
 * @param storedMessages messages in node B's store at the end
 * @param storedContents content blobs in node B's store at the end
 * @param receiverCommits transactions node B's store committed during the run (0 in memory)
 * @param receiver node B's mesh counters at the end
 * @param sender node A's mesh counters at the end (cumulative over the warm-up catch-ups and the
 *     timed runs)
 */
public record SyncReport(
    String benchmark,
    String date,
    Machine machine,
    String store,
    int warmupMessages,
    int warmupRuns,
    int messages,
    int authors,
    long preloadMillis,
    double messagesPerSecond,
    long elapsedMillis,
    long firstMessageMillis,
    VerifyFigures verify,
    double ratio,
    double floor,
    Verdict verdict,
    String failure,
    List<RunFigures> runs,
    CpuFigures cpu,
    long storedMessages,
    long storedContents,
    long receiverCommits,
    MeshCounters receiver,
    MeshCounters sender) {

  /**
   * The baseline: {@code SignedMessage.parse(..).verify()} on every core.
   *
   * @param threads threads verifying in parallel (the available processors)
   * @param perSecond the mean of the two measurements below
   * @param beforePerSecond measured before node B started
   * @param afterPerSecond measured after node B stopped
   * @param measureMillis length of each measurement
   */
  public record VerifyFigures(
      int threads,
      double perSecond,
      double beforePerSecond,
      double afterPerSecond,
      long measureMillis) {}

  /**
   * One timed run.
   *
   * @param messagesPerSecond messages (with content) node B took per second
   * @param verifyPerSecond the mean of the verify measurements just before and just after it
   * @param ratio {@code messagesPerSecond / verifyPerSecond}
   * @param machineShare share of the machine's cores the process used during the run
   * @param elapsedMillis the run's time
   */
  public record RunFigures(
      double messagesPerSecond,
      double verifyPerSecond,
      double ratio,
      double machineShare,
      long elapsedMillis) {}

  /**
   * CPU time of this process (both nodes) from starting B until it held everything.
   *
   * @param processMillis CPU milliseconds of the whole process
   * @param machineShare {@code processMillis / (elapsed × cores)}
   * @param microsPerMessage CPU microseconds per message, both nodes included
   * @param verifyMicros CPU microseconds per verification in the baseline runs
   * @param cpuRatio {@code verifyMicros / microsPerMessage}
   * @param threadMillis CPU milliseconds per thread group, largest first
   * @param jitMillis time the JIT compilers spent compiling (-1 if unknown)
   * @param gcMillis time the garbage collectors reported collecting (-1 if unknown)
   */
  public record CpuFigures(
      long processMillis,
      double machineShare,
      double microsPerMessage,
      double verifyMicros,
      double cpuRatio,
      Map<String, Long> threadMillis,
      long jitMillis,
      long gcMillis) {}

  /**
   * A node's mesh counters ({@code Mesh.stats()}).
   *
   * @param framesIn mesh frames received
   * @param framesOut mesh frames sent
   * @param messagesNew messages that were new to the store
   * @param pullReceived messages received in answer to WANT
   * @param pushReceived messages pushed along the propagation tree
   * @param duplicates full copies of messages the node already had
   * @param invalidMessages messages that did not verify (must be 0)
   * @param invalidFrames frames answered with an error
   * @param rateLimited frames dropped by the per-peer rate limit
   * @param reconciliations reconciliation sessions finished
   */
  public record MeshCounters(
      long framesIn,
      long framesOut,
      long messagesNew,
      long pullReceived,
      long pushReceived,
      long duplicates,
      long invalidMessages,
      long invalidFrames,
      long rateLimited,
      long reconciliations) {}

  /** The report as a Markdown table (with a heading line). */
  public String toMarkdown() {
    List<String[]> rows = new ArrayList<>();
    rows.add(row("Verdict", verdict + (failure == null ? "" : ": " + failure)));
    rows.add(row("Messages/s caught up (" + store + ")", Reports.rate(messagesPerSecond)));
    rows.add(
        row(
            "Parallel verify rate (" + verify.threads() + " threads)",
            Reports.rate(verify.perSecond())
                + "/s (before "
                + Reports.rate(verify.beforePerSecond())
                + ", after "
                + Reports.rate(verify.afterPerSecond())
                + ")"));
    rows.add(row("Ratio (floor " + Reports.percent(floor) + ")", Reports.percent(ratio)));
    if (runs.size() > 1) {
      StringBuilder all = new StringBuilder();
      for (RunFigures r : runs) {
        if (all.length() > 0) {
          all.append(", ");
        }
        all.append(Reports.percent(r.ratio()))
            .append(" (")
            .append(Reports.rate(r.messagesPerSecond()))
            .append("/s, share ")
            .append(Reports.percent(r.machineShare()))
            .append(')');
      }
      rows.add(row("Ratio of each run (the median is shown above)", all.toString()));
    }
    rows.add(
        row(
            "CPU per message, both nodes / per verify (CPU ratio)",
            Reports.micros(cpu.microsPerMessage())
                + " / "
                + Reports.micros(cpu.verifyMicros())
                + " ("
                + Reports.percent(cpu.cpuRatio())
                + ")"));
    rows.add(row("Machine share used", Reports.percent(cpu.machineShare())));
    StringBuilder threads = new StringBuilder();
    for (Map.Entry<String, Long> e : cpu.threadMillis().entrySet()) {
      if (e.getValue() >= 10) {
        threads.append(threads.length() > 0 ? ", " : "").append(e.getKey()).append(' ');
        threads.append(Reports.count(e.getValue()));
      }
    }
    rows.add(
        row(
            "CPU by thread (ms)",
            threads
                + "; outside those: JIT "
                + Reports.count(cpu.jitMillis())
                + ", GC "
                + Reports.count(cpu.gcMillis())));
    rows.add(row("Elapsed (from starting node B)", Reports.seconds(elapsedMillis)));
    rows.add(row("First message on node B after", Reports.seconds(firstMessageMillis)));
    rows.add(
        row(
            "Messages / authors",
            Reports.count(messages) + " / " + Reports.count(authors) + " (each with its content)"));
    rows.add(
        row(
            "Stored on node B (messages / contents)",
            Reports.count(storedMessages) + " / " + Reports.count(storedContents)));
    if (receiverCommits > 0) {
      rows.add(
          row(
              "Node B: store commits (messages per commit)",
              Reports.count(receiverCommits)
                  + " ("
                  + Reports.count(Math.round((double) storedMessages / receiverCommits))
                  + ")"));
    }
    if (receiver != null) {
      rows.add(
          row(
              "Node B: pulled / new / duplicates / invalid / reconciliations",
              Reports.count(receiver.pullReceived())
                  + " / "
                  + Reports.count(receiver.messagesNew())
                  + " / "
                  + Reports.count(receiver.duplicates())
                  + " / "
                  + receiver.invalidMessages()
                  + " / "
                  + receiver.reconciliations()));
      rows.add(
          row(
              "Node B: mesh frames in / out",
              Reports.count(receiver.framesIn()) + " / " + Reports.count(receiver.framesOut())));
    }
    rows.add(row("Preloading node A (untimed)", Reports.seconds(preloadMillis)));
    rows.add(
        row(
            "Warm-up (untimed, throwaway nodes)",
            Reports.count(warmupMessages)
                + " posts by a pair, then "
                + warmupRuns
                + (warmupRuns == 1 ? " catch-up" : " catch-ups")
                + " of node A"));
    rows.add(row("Machine", machine.describe()));
    rows.add(row("Date", date));
    return "### grapevine bench sync\n\n" + Reports.table(rows);
  }

  private static String[] row(String name, String value) {
    return new String[] {name, value};
  }
}
