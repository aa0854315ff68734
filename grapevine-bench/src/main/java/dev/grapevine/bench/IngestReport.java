package dev.grapevine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The result of one {@link IngestBench} run. Plain values only, so it renders as JSON ({@link
 * Reports#json}) and as a Markdown table ({@link #toMarkdown()}).
 *
 * @param benchmark always {@code "ingest"}
 * @param date when the run started (ISO-8601, UTC)
 * @param machine where it ran
 * @param store {@code "sqlite"} (durable, in a temporary directory) or {@code "memory"}
 * @param pubSettings {@code "defaults"}, or the pub's settings that differ from the node's defaults
 * @param warmupMessages posts pushed into a throwaway pub before timing (0: a cold JVM)
 * @param messages signed messages pushed (each with its content: two frames)
 * @param authors authors whose chains the messages form
 * @param frames frames pushed (signed messages and contents)
 * @param bytes UTF-8 bytes of those frames
 * @param messagesPerSecond messages (with content) ingested per second: {@code messages} divided by
 *     the time from the first frame sent until the pub's store held every message and content
 * @param elapsedMillis that time
 * @param sendMillis time until the client had handed the last frame to its socket
 * @param verify the machine's parallel verify rate measured in the same run
 * @param ratio {@code messagesPerSecond / verify.perSecond}
 * @param floor the ratio the run must reach to pass
 * @param verdict PASS, BELOW FLOOR, or FAILED (then the rates are not valid)
 * @param failure why the run failed, or null
 * @param runs every timed run (one unless repeated); the figures above are the median run's, or the
 *     failed run's
 * @param cpu where the CPU went while ingesting, and how much of the machine the run got
 * @param disk what the pub's store wrote to storage while ingesting
 * @param pub the pub's counters at the end
 * @param client the client's counters at the end
 */
public record IngestReport(
    String benchmark,
    String date,
    Machine machine,
    String store,
    String pubSettings,
    int warmupMessages,
    int messages,
    int authors,
    long frames,
    long bytes,
    double messagesPerSecond,
    long elapsedMillis,
    long sendMillis,
    VerifyFigures verify,
    double ratio,
    double floor,
    Verdict verdict,
    String failure,
    List<RunFigures> runs,
    CpuFigures cpu,
    DiskFigures disk,
    PubCounters pub,
    ClientCounters client) {

  /**
   * The baseline: {@code SignedMessage.parse(..).verify()} on every core.
   *
   * @param threads threads verifying in parallel (the available processors)
   * @param perSecond the mean of the two measurements below
   * @param beforePerSecond measured before the pub started
   * @param afterPerSecond measured after the pub stopped
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
   * @param messagesPerSecond messages (with content) ingested per second
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
   * CPU time of this process from the first frame sent until the store held everything (pub and
   * client run in the same JVM).
   *
   * @param processMillis CPU milliseconds of the whole process
   * @param machineShare {@code processMillis / (elapsed × cores)}: below 1 when the run did not get
   *     (or could not use) every core, for example on a shared machine
   * @param microsPerMessage CPU microseconds per message (with its content), client included
   * @param verifyMicros CPU microseconds per verification in the baseline runs
   * @param cpuRatio {@code verifyMicros / microsPerMessage}: the ratio the run would reach if it
   *     had every core to itself and kept them busy; less sensitive to neighbours than {@code
   *     ratio}
   * @param threadMillis CPU milliseconds per thread group, largest first (JVM-internal threads such
   *     as the JIT compilers and the GC are not listed; see the next two)
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
   * Bytes written to storage by this process while ingesting ({@code write_bytes} of Linux's {@code
   * /proc/self/io}; -1 elsewhere). Only the pub's store writes to disk here.
   *
   * @param bytesWritten bytes written (WAL, checkpoints, database file)
   * @param bytesPerMessage {@code bytesWritten / messages}
   */
  public record DiskFigures(long bytesWritten, double bytesPerMessage) {}

  /**
   * What the pub counted ({@code Node.sync().stats()} and its store).
   *
   * @param storedMessages messages in the store at the end
   * @param storedContents content blobs in the store at the end
   * @param framesIn frames the pub received
   * @param messagesStored signed messages committed
   * @param blobsStored blobs committed
   * @param duplicates frames that were already stored
   * @param rejected invalid messages and blobs the store refused (must be 0)
   * @param junk junk frames (must be 0)
   * @param dropped frames dropped for overload (must be 0: backpressure must hold the sender)
   * @param requestsSent hash requests the pub sent (here: to the client)
   * @param peakPendingFrames largest number of frames pending verification or commit seen while
   *     polling (sampled)
   * @param pausedShare share of the polls (every 10 ms) that found the client's link paused by
   *     backpressure: near 1 when the pub is the bottleneck, 0 when the client is
   * @param commits transactions the pub's store committed (0 for the memory store)
   * @param commitMillis time the pub's store spent in COMMIT
   */
  public record PubCounters(
      long storedMessages,
      long storedContents,
      long framesIn,
      long messagesStored,
      long blobsStored,
      long duplicates,
      long rejected,
      long junk,
      long dropped,
      long requestsSent,
      int peakPendingFrames,
      double pausedShare,
      long commits,
      long commitMillis) {}

  /**
   * What the client counted.
   *
   * @param framesSent frames handed to the socket, each exactly once
   * @param framesReceived frames the pub sent us (requests; never answered)
   * @param requestedContents distinct content hashes of ours the pub asked for
   * @param requestedMessages distinct msgHashes of ours the pub asked for (a {@code previous} that
   *     had not committed yet when its successor's content did)
   * @param requestedOther distinct other frames received
   */
  public record ClientCounters(
      long framesSent,
      long framesReceived,
      int requestedContents,
      int requestedMessages,
      int requestedOther) {}

  /** Whether every message and content arrived and nothing was dropped or rejected. */
  public boolean complete() {
    return verdict != Verdict.FAILED;
  }

  /** The report as a Markdown table (with a heading line). */
  public String toMarkdown() {
    List<String[]> rows = new ArrayList<>();
    rows.add(row("Verdict", verdict + (failure == null ? "" : ": " + failure)));
    rows.add(row("Messages/s ingested (" + store + ")", Reports.rate(messagesPerSecond)));
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
            "CPU per message / per verify (CPU ratio)",
            Reports.micros(cpu.microsPerMessage())
                + " / "
                + Reports.micros(cpu.verifyMicros())
                + " ("
                + Reports.percent(cpu.cpuRatio())
                + ")"));
    rows.add(row("Machine share used while ingesting", Reports.percent(cpu.machineShare())));
    rows.add(
        row(
            "CPU by thread (ms)",
            threadMillis()
                + "; outside those: JIT "
                + Reports.count(cpu.jitMillis())
                + ", GC "
                + Reports.count(cpu.gcMillis())));
    rows.add(
        row(
            "Written to disk",
            disk.bytesWritten() < 0
                ? "n/a"
                : Reports.count(disk.bytesWritten())
                    + " bytes ("
                    + Reports.count(Math.round(disk.bytesPerMessage()))
                    + " per message)"));
    rows.add(row("Pub settings", pubSettings));
    rows.add(row("Warm-up (untimed, throwaway pub)", Reports.count(warmupMessages) + " posts"));
    rows.add(row("Elapsed", Reports.seconds(elapsedMillis)));
    rows.add(row("Client send time", Reports.seconds(sendMillis)));
    rows.add(
        row(
            "Messages / authors / frames",
            Reports.count(messages)
                + " / "
                + Reports.count(authors)
                + " / "
                + Reports.count(frames)
                + " ("
                + Reports.count(bytes)
                + " bytes)"));
    rows.add(
        row(
            "Stored messages / contents",
            Reports.count(pub.storedMessages()) + " / " + Reports.count(pub.storedContents())));
    rows.add(
        row(
            "Pub rejected / junk / dropped (overload)",
            pub.rejected() + " / " + pub.junk() + " / " + pub.dropped()));
    rows.add(row("Pub duplicates", Reports.count(pub.duplicates())));
    rows.add(
        row(
            "Pub peak pending frames / time the link was paused (sampled)",
            Reports.count(pub.peakPendingFrames()) + " / " + Reports.percent(pub.pausedShare())));
    rows.add(
        row(
            "Store commits / messages per commit / time in COMMIT",
            Reports.count(pub.commits())
                + " / "
                + (pub.commits() == 0
                    ? "—"
                    : Reports.count(Math.round((double) pub.storedMessages() / pub.commits())))
                + " / "
                + Reports.count(pub.commitMillis())
                + " ms"));
    rows.add(
        row(
            "Requests from pub (contents / messages / other)",
            Reports.count(client.framesReceived())
                + " ("
                + client.requestedContents()
                + " / "
                + client.requestedMessages()
                + " / "
                + client.requestedOther()
                + ")"));
    rows.add(row("Machine", machine.describe()));
    rows.add(row("Date", date));
    return "### grapevine bench ingest\n\n" + Reports.table(rows);
  }

  private String threadMillis() {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Long> e : cpu.threadMillis().entrySet()) {
      if (e.getValue() < 10) {
        continue;
      }
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(e.getKey()).append(' ').append(Reports.count(e.getValue()));
    }
    return b.toString();
  }

  private static String[] row(String name, String value) {
    return new String[] {name, value};
  }
}
