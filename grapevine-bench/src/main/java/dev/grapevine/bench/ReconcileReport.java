package dev.grapevine.bench;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The result of one {@link ReconcileBench} run. Plain values only, so it renders as JSON ({@link
 * Reports#json}) and as a Markdown table ({@link #toMarkdown()}).
 *
 * @param benchmark always {@code "reconcile"}
 * @param date when the run started (ISO-8601, UTC)
 * @param machine where it ran
 * @param items items in each index before the differences are taken out
 * @param buckets the sessions' bucket count
 * @param maxMessageBytes the sessions' largest message, binary
 * @param buildMillis time to build one index of all items (sort included)
 * @param hashListBytes bytes of sending every msgHash as a 44-character frame
 * @param cases one row per d and placement
 * @param floorRatio smallest passing {@code ratio} at d = 100
 * @param identicalMaxBytes largest passing wire bytes for identical sets
 * @param verdict PASS, BELOW FLOOR, or FAILED (a side did not find exactly the differences)
 * @param failure why the run failed, or null
 */
public record ReconcileReport(
    String benchmark,
    String date,
    Machine machine,
    int items,
    int buckets,
    int maxMessageBytes,
    long buildMillis,
    long hashListBytes,
    List<Case> cases,
    double floorRatio,
    int identicalMaxBytes,
    Verdict verdict,
    String failure) {

  /**
   * One exchange.
   *
   * @param differences d: items one side has and the other lacks, half on each side
   * @param placement {@code identical}, {@code scattered} (random over the order) or {@code recent}
   *     (the d newest)
   * @param roundTrips answers the initiator received
   * @param messages messages both ways, the final 1-byte "done" included
   * @param bytesToResponder binary bytes the initiator sent
   * @param bytesToInitiator binary bytes the responder sent
   * @param wireToResponder the same as base64 text
   * @param wireToInitiator the same as base64 text
   * @param wireBytes both ways as base64 text
   * @param largestMessage the largest binary message
   * @param ratio {@code hashListBytes / wireBytes}
   * @param millis time of the exchange, both sides in one thread
   * @param exact whether both sides found exactly the differences
   */
  public record Case(
      int differences,
      String placement,
      int roundTrips,
      int messages,
      long bytesToResponder,
      long bytesToInitiator,
      long wireToResponder,
      long wireToInitiator,
      long wireBytes,
      int largestMessage,
      double ratio,
      double millis,
      boolean exact) {}

  static ReconcileReport of(
      Instant date,
      ReconcileBench.Options options,
      long buildMillis,
      long hashListBytes,
      List<Case> cases,
      String failure,
      Machine machine) {
    Verdict verdict = Verdict.PASS;
    if (failure != null) {
      verdict = Verdict.FAILED;
    } else {
      for (Case c : cases) {
        boolean below =
            (c.differences() == 0
                    && (c.roundTrips() != 1 || c.wireBytes() > options.identicalMaxBytes()))
                || (c.differences() == 100 && c.ratio() < options.floorRatio());
        if (below) {
          verdict = Verdict.BELOW_FLOOR;
        }
      }
    }
    return new ReconcileReport(
        "reconcile",
        date.toString(),
        machine,
        options.items(),
        options.config().buckets(),
        options.config().maxMessageBytes(),
        buildMillis,
        hashListBytes,
        List.copyOf(cases),
        options.floorRatio(),
        options.identicalMaxBytes(),
        verdict,
        failure);
  }

  /** The report as Markdown: a heading, the cases as a table, then the settings. */
  public String toMarkdown() {
    StringBuilder b = new StringBuilder("### grapevine bench reconcile\n\n");
    b.append(
        "| d | Placement | Round trips | Messages | Bytes → responder | Bytes → initiator"
            + " | Wire bytes (base64) | Largest message | Every hash ÷ wire | Time |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Case c : cases) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %d | %s | %s | %s | %s | %s× | %.1f ms |%n",
              Reports.count(c.differences()),
              c.placement() + (c.exact() ? "" : " (WRONG)"),
              c.roundTrips(),
              c.messages(),
              Reports.count(c.bytesToResponder()),
              Reports.count(c.bytesToInitiator()),
              Reports.count(c.wireBytes()),
              Reports.count(c.largestMessage()),
              String.format(Locale.ROOT, "%,.1f", c.ratio()),
              c.millis()));
    }
    b.append('\n');
    b.append(
        Reports.table(
            List.of(
                new String[] {"Verdict", verdict + (failure == null ? "" : ": " + failure)},
                new String[] {"Items per index", Reports.count(items)},
                new String[] {
                  "Every hash (44 chars each)", Reports.count(hashListBytes) + " bytes"
                },
                new String[] {
                  "Floors",
                  "d=0: 1 round trip and ≤ "
                      + Reports.count(identicalMaxBytes)
                      + " wire bytes; d=100: ≥ "
                      + String.format(Locale.ROOT, "%.0f", floorRatio)
                      + "× fewer bytes than every hash"
                },
                new String[] {
                  "Sessions", "buckets " + buckets + ", max message " + maxMessageBytes + " bytes"
                },
                new String[] {"Index build (all items)", Reports.seconds(buildMillis)},
                new String[] {"Machine", machine.describe()},
                new String[] {"Date", date})));
    return b.toString();
  }
}
