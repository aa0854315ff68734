package dev.grapevine.bench;

import dev.grapevine.anproto.Ed25519;
import dev.grapevine.anproto.SignedMessage;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
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
 * @param jdkSingleThread the JDK's {@code Signature("Ed25519")} over the same messages on one
 *     thread, the reference
 * @param versusJdk {@code singleThread.perSecond / jdkSingleThread.perSecond}: how many times
 *     faster the node's path is than the JDK's verifier
 */
public record VerifyReport(
    String benchmark,
    String date,
    Machine machine,
    Rate singleThread,
    Rate allCores,
    double scaling,
    Rate jdkSingleThread,
    double versusJdk) {

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
   * Measures the node's path on one thread, then on {@code threads} threads, then the JDK's
   * verifier on one thread, each after {@code warmup}, for {@code measure}. Blocks for about three
   * times their sum.
   */
  public static VerifyReport measure(int threads, Duration warmup, Duration measure) {
    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<String> signed = new ArrayList<>();
    for (PostCorpus.Post p : PostCorpus.generate(4_096, 64, IngestBench.START_MILLIS)) {
      signed.add(p.signedFrame());
    }
    Rate one = Rate.of(VerifyRate.measure(signed, 1, warmup, measure));
    Rate all = Rate.of(VerifyRate.measure(signed, threads, warmup, measure));
    JdkCorpus jdk = JdkCorpus.of(signed);
    Rate jdkOne = Rate.of(VerifyRate.measure(jdk.size(), jdk::verify, 1, warmup, measure));
    return new VerifyReport(
        "verify",
        date.toString(),
        Machine.current(),
        one,
        all,
        Reports.round4(all.perSecond() / one.perSecond()),
        jdkOne,
        Reports.round4(one.perSecond() / jdkOne.perSecond()));
  }

  /** The same signed messages split into the JDK's key, signature and signed bytes. Read-only. */
  private static final class JdkCorpus {
    private final PublicKey[] keys;
    private final byte[][] sigs;
    private final byte[][] payloads;

    private JdkCorpus(PublicKey[] keys, byte[][] sigs, byte[][] payloads) {
      this.keys = keys;
      this.sigs = sigs;
      this.payloads = payloads;
    }

    static JdkCorpus of(List<String> signed) {
      int n = signed.size();
      PublicKey[] keys = new PublicKey[n];
      byte[][] sigs = new byte[n][];
      byte[][] payloads = new byte[n][];
      try {
        for (int i = 0; i < n; i++) {
          SignedMessage m = SignedMessage.parse(signed.get(i));
          // The frame is the author's key (44 chars) then base64(signature || signed payload).
          byte[] body = Base64.getDecoder().decode(m.value().substring(44));
          keys[i] = JdkEd25519.publicKey(m.author().bytes());
          sigs[i] = Arrays.copyOf(body, Ed25519.SIGNATURE_BYTES);
          payloads[i] = Arrays.copyOfRange(body, Ed25519.SIGNATURE_BYTES, body.length);
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("The JDK has no Ed25519", e);
      }
      return new JdkCorpus(keys, sigs, payloads);
    }

    int size() {
      return keys.length;
    }

    void verify(int i) {
      try {
        if (!JdkEd25519.verify(keys[i], sigs[i], payloads[i])) {
          throw new IllegalStateException("The JDK rejected corpus message " + i);
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("The JDK could not verify corpus message " + i, e);
      }
    }
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
    rows.add(
        new String[] {
          "JDK Signature(\"Ed25519\"), 1 thread (reference)",
          Reports.rate(jdkSingleThread.perSecond()) + "/s"
        });
    rows.add(
        new String[] {"Node path ÷ JDK, 1 thread", String.format(Locale.ROOT, "%.2f×", versusJdk)});
    rows.add(new String[] {"Code path", "SignedMessage.parse(..).verify() (BouncyCastle)"});
    rows.add(new String[] {"Machine", machine.describe()});
    rows.add(new String[] {"Date", date});
    return "### grapevine bench verify\n\n" + Reports.table(rows);
  }
}
