package dev.grapevine.tests.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.tests.conformance.JdkSocket;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.TransportConfig;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers that break the rules, against real nodes on 127.0.0.1: one that stops reading, one that
 * sends half a frame and stalls, one that floods junk. Each is closed as documented while the node
 * stays bounded and keeps serving everyone else.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MisbehavingPeersTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void aPeerThatStopsReadingIsCutWithinItsDeadlineAndTheQueueStaysBounded() throws Exception {
    int bound = 256 * 1024;
    Duration deadline = Duration.ofSeconds(2);
    TransportConfig transport =
        TransportConfig.builder()
            .port(0)
            .maxOutboundBytes(bound)
            .slowConsumerTimeout(deadline)
            .build();
    try (Node node = Node.builder().ephemeral(true).transport(transport).start()) {
      VerifiedMessage big = node.publish("x".repeat(100_000));
      String request = big.contentHash().value();
      AtomicLong maxQueued = new AtomicLong();
      long overBoundAt = 0;
      try (RawWebSocket reader = RawWebSocket.connect(node.url(), 4096, Duration.ofSeconds(5))) {
        await().atMost(WAIT).until(() -> node.sync().openLinks().size() == 1);
        // Asks for 100 kB again and again and never reads an answer.
        for (int i = 0; i < 5_000 && !node.sync().openLinks().isEmpty(); i++) {
          try {
            reader.sendText(request);
          } catch (SocketException e) {
            break; // the node already cut the connection
          }
          long queued = node.queuedOutboundBytes();
          maxQueued.accumulateAndGet(queued, Math::max);
          if (overBoundAt == 0 && queued >= bound) {
            overBoundAt = System.nanoTime();
          }
        }
        long from = overBoundAt == 0 ? System.nanoTime() : overBoundAt;
        await()
            .atMost(deadline.plusSeconds(5))
            .pollInterval(Duration.ofMillis(5))
            .until(
                () -> {
                  maxQueued.accumulateAndGet(node.queuedOutboundBytes(), Math::max);
                  return node.sync().openLinks().isEmpty();
                });
        assertThat(Duration.ofNanos(System.nanoTime() - from))
            .as("cut within the slow-consumer deadline (plus scheduling slack)")
            .isLessThan(deadline.plusSeconds(5));
      }
      // Sampling from this thread can miss the moment the queue was full; the transport's own peak
      // cannot.
      assertThat(node.peakQueuedOutboundBytes())
          .as("the outbound queue never passes twice its bound")
          .isGreaterThanOrEqualTo(maxQueued.get())
          .isGreaterThan(bound)
          .isLessThanOrEqualTo(2L * bound);
      await().atMost(WAIT).until(() -> node.queuedOutboundBytes() == 0);

      try (JdkSocket fresh = JdkSocket.open(node.url())) {
        fresh.send(request);
        fresh.awaitFrame("x".repeat(100_000));
      }
    }
  }

  @Test
  void aPeerThatSendsHalfAFrameAndStallsIsClosedByTheIdleTimeout() throws Exception {
    Duration idle = Duration.ofSeconds(1);
    TransportConfig transport =
        TransportConfig.builder()
            .port(0)
            .pingInterval(Duration.ofMillis(200))
            .idleTimeout(idle)
            .build();
    try (Node node = Node.builder().ephemeral(true).transport(transport).start();
        RawWebSocket staller = RawWebSocket.connect(node.url(), 0, Duration.ofSeconds(10))) {
      await().atMost(WAIT).until(() -> node.sync().openLinks().size() == 1);
      byte[] whole =
          RawWebSocket.frame(
              "a frame of about forty bytes, never finished".getBytes(StandardCharsets.UTF_8));
      byte[] half = new byte[whole.length / 2];
      System.arraycopy(whole, 0, half, 0, half.length);

      staller.writeRaw(half);

      int pings = 0;
      int closeCode = -1;
      for (int i = 0; i < 100 && closeCode < 0; i++) {
        RawWebSocket.Frame frame = staller.readFrame(); // pings, never answered, then the close
        if (frame.opcode == RawWebSocket.PING) {
          pings++;
        } else if (frame.opcode == RawWebSocket.CLOSE) {
          closeCode = frame.closeCode();
        }
      }
      assertThat(closeCode).isEqualTo(CloseReason.IDLE_TIMEOUT.wireCode());
      assertThat(pings).as("keepalive pinged the silent peer first").isPositive();
      await().atMost(WAIT).until(() -> node.sync().openLinks().isEmpty());
      assertThat(endOfStream(staller)).isTrue();
    }
  }

  @Test
  void aPeerFloodingJunkAtTenTimesTheLimitIsClosedWith1008WhileAnotherIsServed() throws Exception {
    int limit = 20;
    SyncConfig sync =
        SyncConfig.builder().junkLimit(limit).junkWindow(Duration.ofMinutes(1)).build();
    try (Node node =
        Node.builder()
            .ephemeral(true)
            .transport(TransportConfig.builder().port(0).build())
            .sync(sync)
            .start()) {
      VerifiedMessage post = node.publish("served while another peer floods");
      String sig = post.signed().value();
      try (JdkSocket good = JdkSocket.open(node.url());
          RawWebSocket flooder = RawWebSocket.connect(node.url(), 0, Duration.ofSeconds(10))) {
        await().atMost(WAIT).until(() -> node.sync().openLinks().size() == 2);
        int asked = 0;
        for (int i = 0; i < 10 * limit; i++) {
          try {
            flooder.sendText(i % 2 == 0 ? junkRequest(i) : forged(sig, i));
          } catch (SocketException e) {
            break; // closed under us: the rest of the flood is moot
          }
          if (i % 10 == 0) {
            good.send(post.hash().value());
            asked++;
          }
        }
        int closeCode = -1;
        for (int i = 0; i < 1_000 && closeCode < 0; i++) {
          RawWebSocket.Frame frame = flooder.readFrame();
          if (frame.opcode == RawWebSocket.CLOSE) {
            closeCode = frame.closeCode();
          }
        }
        assertThat(closeCode).isEqualTo(CloseReason.POLICY_VIOLATION.wireCode());
        int answers = asked;
        await().atMost(WAIT).until(() -> count(good, sig) >= answers);
        good.send(post.hash().value());
        await().atMost(WAIT).until(() -> count(good, sig) >= answers + 1);
        assertThat(good.isClosedByPeer()).as("the well-behaved peer stays open").isFalse();
        assertThat(node.sync().stats().junkClosures()).isEqualTo(1);
        // The flooder never answers the close frame: its link ends after the grace period.
        await().atMost(WAIT).until(() -> node.sync().openLinks().size() == 1);
      }
    }
  }

  /** A 44-character request that is not a hash. */
  private static String junkRequest(int i) {
    return ("!junk-" + i + "-").repeat(8).substring(0, 44);
  }

  /** {@code sig} with one character of its signature changed: well formed, but forged. */
  private static String forged(String sig, int i) {
    int at = 44 + i % 80;
    char c = sig.charAt(at) == 'A' ? 'B' : 'A';
    return sig.substring(0, at) + c + sig.substring(at + 1);
  }

  /** Reads what is left until the connection ends; true if it ended (EOF or reset). */
  private static boolean endOfStream(RawWebSocket ws) {
    try {
      for (int i = 0; i < 1_000; i++) {
        ws.readFrame();
      }
      return false;
    } catch (EOFException | SocketException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int count(JdkSocket socket, String frame) {
    return (int) socket.received().stream().filter(frame::equals).count();
  }
}
