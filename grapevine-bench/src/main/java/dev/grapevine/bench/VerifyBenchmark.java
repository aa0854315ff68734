package dev.grapevine.bench;

import dev.grapevine.anproto.Ed25519;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ed25519 verification rate: BouncyCastle's low-level verifier against the JDK's {@code
 * Signature("Ed25519")} on one thread, BouncyCastle on all cores, and the full ANProto open (parse,
 * strict base64, verify, msgHash) that the node runs per message.
 *
 * <p>Run: {@code java -jar grapevine-bench/target/benchmarks.jar VerifyBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class VerifyBenchmark {
  private static final int CORPUS = 512;

  private String[] signed;
  private byte[][] pubs;
  private byte[][] bodies;
  private java.security.PublicKey[] jdkKeys;
  private byte[][] sigs;
  private byte[][] payloads;

  /** Signs the corpus once. */
  @Setup
  public void setUp() throws GeneralSecurityException {
    List<VerifiedMessage> messages = SignedCorpus.messages(CORPUS, 64, 1_755_000_000_000L);
    signed = new String[CORPUS];
    pubs = new byte[CORPUS][];
    bodies = new byte[CORPUS][];
    jdkKeys = new java.security.PublicKey[CORPUS];
    sigs = new byte[CORPUS][];
    payloads = new byte[CORPUS][];
    for (int i = 0; i < CORPUS; i++) {
      SignedMessage m = messages.get(i).signed();
      signed[i] = m.value();
      pubs[i] = m.author().bytes();
      bodies[i] = Base64.getDecoder().decode(m.value().substring(44));
      jdkKeys[i] = JdkEd25519.publicKey(pubs[i]);
      sigs[i] = Arrays.copyOf(bodies[i], 64);
      payloads[i] = Arrays.copyOfRange(bodies[i], 64, 121);
    }
    if (!new String(payloads[0], StandardCharsets.US_ASCII)
        .equals(messages.get(0).opened().toString())) {
      throw new IllegalStateException("corpus layout");
    }
  }

  /** Per-thread position in the corpus. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    int advance() {
      next = (next + 1) % CORPUS;
      return next;
    }
  }

  /** BouncyCastle verify on one thread. */
  @Benchmark
  public boolean bouncyCastleVerify(Cursor c) {
    int i = c.advance();
    return Ed25519.verify(pubs[i], bodies[i], 0, bodies[i], 64, 57);
  }

  /** BouncyCastle verify on every core. */
  @Benchmark
  @Threads(Threads.MAX)
  public boolean bouncyCastleVerifyAllCores(Cursor c) {
    int i = c.advance();
    return Ed25519.verify(pubs[i], bodies[i], 0, bodies[i], 64, 57);
  }

  /** The JDK's verifier on one thread: the baseline. */
  @Benchmark
  public boolean jdkVerify(Cursor c) throws GeneralSecurityException {
    int i = c.advance();
    return JdkEd25519.verify(jdkKeys[i], sigs[i], payloads[i]);
  }

  /** What the node does per incoming signed message: strict parse, verify and msgHash. */
  @Benchmark
  public VerifiedMessage anprotoOpen(Cursor c) {
    return SignedMessage.parse(signed[c.advance()]).verify();
  }
}
