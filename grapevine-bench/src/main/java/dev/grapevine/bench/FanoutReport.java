package dev.grapevine.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The result of {@link FanoutBench}.
 *
 * @param benchmark always {@code "fanout"}
 * @param date when the run started (ISO-8601, UTC)
 * @param machine where it ran
 * @param subscribers subscribers in the fan-out phase of each surface
 * @param messages counted posts per phase
 * @param warmupMessages posts published first in each phase, not counted
 * @param window posts in flight at most
 * @param surfaces one result per surface measured (both unless the run failed)
 * @param verdict PASS, or FAILED (a delivery missing, a subscriber closed, a stall or the timeout)
 * @param failure why the run failed, or null
 */
public record FanoutReport(
    String benchmark,
    String date,
    Machine machine,
    int subscribers,
    int messages,
    int warmupMessages,
    int window,
    List<SurfaceResult> surfaces,
    Verdict verdict,
    String failure) {

  /**
   * One phase: a number of subscribers on one surface.
   *
   * @param subscribers subscribers
   * @param messages counted posts
   * @param deliveries counted deliveries (messages × subscribers when nothing was lost)
   * @param duplicates deliveries of a post a subscriber already had (never counted twice)
   * @param millis from the first counted publish to the last counted delivery
   * @param deliveriesPerSecond {@code deliveries / millis}
   * @param messagesPerSecond posts delivered to every subscriber per second
   * @param p50Millis median publish-to-delivery time
   * @param p99Millis 99th percentile publish-to-delivery time
   * @param maxMillis slowest delivery
   * @param openMillis time to open and subscribe every subscriber
   */
  public record Phase(
      int subscribers,
      int messages,
      long deliveries,
      long duplicates,
      double millis,
      double deliveriesPerSecond,
      double messagesPerSecond,
      double p50Millis,
      double p99Millis,
      double maxMillis,
      long openMillis) {}

  /**
   * A surface measured with one subscriber (the baseline) and with many.
   *
   * @param surface {@code anproto} or {@code events}
   * @param path the WebSocket path subscribers connect to
   * @param single the baseline: one subscriber
   * @param fanout {@link FanoutReport#subscribers()} subscribers
   * @param deliveryRatio {@code fanout.deliveriesPerSecond / single.deliveriesPerSecond}: N× means
   *     the pub delivered N times as many frames per second to N subscribers as to one
   * @param p50Ratio {@code fanout.p50Millis / single.p50Millis}
   */
  public record SurfaceResult(
      String surface,
      String path,
      Phase single,
      Phase fanout,
      double deliveryRatio,
      double p50Ratio) {
    static SurfaceResult of(String surface, String path, Phase single, Phase fanout) {
      return new SurfaceResult(
          surface,
          path,
          single,
          fanout,
          Reports.round4(fanout.deliveriesPerSecond() / single.deliveriesPerSecond()),
          single.p50Millis() <= 0 ? -1 : Reports.round4(fanout.p50Millis() / single.p50Millis()));
    }
  }

  static FanoutReport of(
      Instant date,
      FanoutBench.Options options,
      List<SurfaceResult> surfaces,
      String failure,
      Machine machine) {
    String why = failure;
    if (why == null) {
      for (SurfaceResult s : surfaces) {
        for (Phase p : List.of(s.single(), s.fanout())) {
          long expected = (long) p.messages() * p.subscribers();
          if (p.deliveries() != expected) {
            why =
                s.surface()
                    + ": "
                    + p.deliveries()
                    + " of "
                    + expected
                    + " deliveries with "
                    + p.subscribers()
                    + " subscriber(s)";
          }
        }
      }
    }
    return new FanoutReport(
        "fanout",
        date.toString(),
        machine,
        options.subscribers(),
        options.messages(),
        options.warmupMessages(),
        options.window(),
        List.copyOf(surfaces),
        why == null ? Verdict.PASS : Verdict.FAILED,
        why);
  }

  /** The report as Markdown: a heading, one row per surface and phase, then the settings. */
  public String toMarkdown() {
    StringBuilder b = new StringBuilder("### grapevine bench fanout\n\n");
    b.append(
        "| Surface | Subscribers | Deliveries/s | vs 1 subscriber | Posts/s to all | p50 | p99"
            + " | Max | Duplicates |\n");
    b.append("|---|---|---|---|---|---|---|---|---|\n");
    for (SurfaceResult s : surfaces) {
      row(b, s, s.single(), "1×");
      row(b, s, s.fanout(), String.format(Locale.ROOT, "**%.1f×**", s.deliveryRatio()));
    }
    b.append('\n');
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"Verdict", verdict + (failure == null ? "" : ": " + failure)});
    rows.add(
        new String[] {
          "Posts per phase",
          Reports.count(messages) + " counted after " + Reports.count(warmupMessages) + " warm-up"
        });
    rows.add(new String[] {"Window", window + " posts in flight at most"});
    rows.add(new String[] {"Machine", machine.describe()});
    rows.add(new String[] {"Date", date});
    b.append(Reports.table(rows));
    return b.toString();
  }

  private static void row(StringBuilder b, SurfaceResult s, Phase p, String ratio) {
    b.append(
        String.format(
            Locale.ROOT,
            "| %s `%s` | %s | %s | %s | %s | %.2f ms | %.2f ms | %.2f ms | %d |%n",
            s.surface(),
            s.path(),
            Reports.count(p.subscribers()),
            Reports.rate(p.deliveriesPerSecond()),
            ratio,
            Reports.rate(p.messagesPerSecond()),
            p.p50Millis(),
            p.p99Millis(),
            p.maxMillis(),
            p.duplicates()));
  }
}
