package dev.grapevine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The result of one {@link PropagationBench} run. Plain values only, so it renders as JSON ({@link
 * Reports#json}) and as a Markdown table ({@link #toMarkdown()}).
 *
 * @param benchmark always {@code "propagation"}
 * @param date when the run started (ISO-8601, UTC)
 * @param machine where it ran
 * @param nodes nodes in the network, all in this JVM
 * @param messages posts published, each at a random node
 * @param rate posts published per second
 * @param minPeers mesh peers every node had before publishing started
 * @param meshMillis time from starting the first node until the mesh had formed and settled
 * @param degreeBefore average mesh peers per node when publishing started
 * @param degreeAfter average mesh peers per node at the end
 * @param minDegree fewest mesh peers of a node when publishing started
 * @param maxDegree most mesh peers of a node when publishing started
 * @param copies full copies of messages the nodes received while publishing and after, summed
 *     ({@code pushReceived + pullReceived} of {@code Mesh.stats()})
 * @param copiesPerNodePerMessage {@code copies / ((nodes − 1) × messages)}: 1 is the least possible
 * @param floodingCopies copies per node per message if every node sent every new message to every
 *     peer: the average degree (mean of before and after)
 * @param floodingRatio {@code floodingCopies / copiesPerNodePerMessage}: how many times fewer
 *     copies than flooding
 * @param floor the largest passing {@code copiesPerNodePerMessage}
 * @param latencies messages whose publish-to-all latency was measured
 * @param p50Millis median time from publishing until every node stored the message
 * @param p99Millis 99th percentile of that time
 * @param maxMillis the longest
 * @param publishMillis time from the first publish until every node stored every message
 * @param duplicates full copies a node already had, summed over nodes
 * @param pulled copies received in answer to WANT or GRAFT (included in {@code copies})
 * @param prunes PRUNE frames sent (a tree link turned lazy)
 * @param grafts GRAFT frames sent (a lazy link repaired the tree)
 * @param verdict PASS, BELOW FLOOR (more copies than the floor), or FAILED
 * @param failure why the run failed, or null
 */
public record PropagationReport(
    String benchmark,
    String date,
    Machine machine,
    int nodes,
    int messages,
    double rate,
    int minPeers,
    long meshMillis,
    double degreeBefore,
    double degreeAfter,
    int minDegree,
    int maxDegree,
    long copies,
    double copiesPerNodePerMessage,
    double floodingCopies,
    double floodingRatio,
    double floor,
    int latencies,
    double p50Millis,
    double p99Millis,
    double maxMillis,
    long publishMillis,
    long duplicates,
    long pulled,
    long prunes,
    long grafts,
    Verdict verdict,
    String failure) {

  /** The report as a Markdown table (with a heading line). */
  public String toMarkdown() {
    List<String[]> rows = new ArrayList<>();
    rows.add(row("Verdict", verdict + (failure == null ? "" : ": " + failure)));
    rows.add(
        row(
            "Copies per node per message (floor ≤ " + fmt(floor) + ")",
            fmt(copiesPerNodePerMessage)));
    rows.add(row("Flooding baseline (average degree)", fmt(floodingCopies)));
    rows.add(row("Flooding ÷ measured", fmt(floodingRatio) + "×"));
    rows.add(
        row(
            "Publish-to-all latency p50 / p99 / max",
            fmt(p50Millis) + " / " + fmt(p99Millis) + " / " + fmt(maxMillis) + " ms"));
    rows.add(
        row(
            "Nodes / messages / rate",
            nodes + " / " + Reports.count(messages) + " / " + fmt(rate) + " per second"));
    rows.add(
        row(
            "Mesh degree when publishing started (min / mean / max), at the end",
            minDegree + " / " + fmt(degreeBefore) + " / " + maxDegree + ", " + fmt(degreeAfter)));
    rows.add(
        row(
            "Mesh formed (chain of seeds, at least " + minPeers + " peers each)",
            meshMillis + " ms"));
    rows.add(
        row(
            "Copies received / of them pulled (WANT, GRAFT) / duplicates",
            Reports.count(copies)
                + " / "
                + Reports.count(pulled)
                + " / "
                + Reports.count(duplicates)));
    rows.add(row("PRUNE / GRAFT sent", Reports.count(prunes) + " / " + Reports.count(grafts)));
    rows.add(row("Messages timed", Reports.count(latencies)));
    rows.add(row("Publishing until all stored everything", Reports.seconds(publishMillis)));
    rows.add(row("Machine", machine.describe()));
    rows.add(row("Date", date));
    return "### grapevine bench propagation\n\n" + Reports.table(rows);
  }

  private static String fmt(double v) {
    return v < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String[] row(String name, String value) {
    return new String[] {name, value};
  }
}
