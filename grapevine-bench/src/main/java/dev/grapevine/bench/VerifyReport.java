package dev.grapevine.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The node's verify path, {@code SignedMessage.parse(..).verify()}, on one thread and on {@code
 * threads} threads, over pre-signed posts of {@link PostCorpus}. A quick stand-alone version of the
 * baseline {@link IngestBench} divides by; JMH's {@code VerifyBenchmark} is the careful one.
 *
 * @param benchmark always {@code "verify"}
 * @param date when the run started (ISO-8601, UTC)
 * @param machine where it ran
 * @param singleThread the rate on one thread
 * @param allCores the rate on {@code allCores.threads} threads
 * @param scaling {@code allCores.perSecond / singleThread.perSecond}
 */
public record VerifyReport(
    String benchmark,
    String date,
    Machine machine,
    Rate singleThread,
    Rate allCores,
    double scaling) {

  /**
   * One measurement.
   *
   * @param threads threads verifying in parallel
   * @param perSecond verifications per second, all threads together
   * @param perThread verifications per second per thread
   * @param operations verifications counted
   * @param millis length of the measurement
   */
  public record Rate(
      int threads, double perSecond, double perThread, long operations, long millis) {
    static Rate of(VerifyRate.Result r) {
      return new Rate(
          r.threads(),
          Reports.round1(r.perSecond()),
          Reports.round1(r.perThread()),
          r.operations(),
          r.elapsed().toMillis());
    }
  }

  /**
   * Measures on one thread, then on {@code threads} threads, each after {@code warmup}, for {@code
   * measure}. Blocks for about twice their sum.
   */
  public static VerifyReport measure(int threads, Duration warmup, Duration measure) {
    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<String> signed = new ArrayList<>();
    for (PostCorpus.Post p : PostCorpus.generate(4_096, 64, IngestBench.START_MILLIS)) {
      signed.add(p.signedFrame());
    }
    Rate one = Rate.of(VerifyRate.measure(signed, 1, warmup, measure));
    Rate all = Rate.of(VerifyRate.measure(signed, threads, warmup, measure));
    return new VerifyReport(
        "verify",
        date.toString(),
        Machine.current(),
        one,
        all,
        Reports.round4(all.perSecond() / one.perSecond()));
  }

  /** The report as a Markdown table (with a heading line). */
  public String toMarkdown() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"Verify, 1 thread", Reports.rate(singleThread.perSecond()) + "/s"});
    rows.add(
        new String[] {
          "Verify, " + allCores.threads() + " threads",
          Reports.rate(allCores.perSecond())
              + "/s ("
              + Reports.rate(allCores.perThread())
              + "/s per thread)"
        });
    rows.add(new String[] {"Scaling", String.format(Locale.ROOT, "%.2f×", scaling)});
    rows.add(new String[] {"Code path", "SignedMessage.parse(..).verify() (BouncyCastle)"});
    rows.add(new String[] {"Machine", machine.describe()});
    rows.add(new String[] {"Date", date});
    return "### grapevine bench verify\n\n" + Reports.table(rows);
  }
}
