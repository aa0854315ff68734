package dev.grapevine.tests.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.sync.SyncListener.Rejection;
import dev.grapevine.sync.SyncStats;
import dev.grapevine.testing.SyncRecorder.Kind;
import dev.grapevine.testing.TestKeys;
import dev.grapevine.testing.TestNetwork;
import dev.grapevine.transport.CloseReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Bad input from clients gets the documented close code, is never stored, and does not disturb the
 * node's other clients. The JDK's WebSocket produces most of it; a raw Netty client writes the
 * invalid UTF-8 the JDK refuses to encode.
 */
class BadInputTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int MAX_FRAME = 64 * 1024;
  private static final int JUNK_FRAMES = 10_000;

  @Test
  void aFrameOverTheSizeLimitClosesTheLinkWith1009() {
    try (TestNetwork net =
        TestNetwork.builder()
            .seed(51)
            .configure(
                b ->
                    b.transport(
                        TestNetwork.TEST_TRANSPORT.toBuilder().maxFrameBytes(MAX_FRAME).build()))
            .build()) {
      VerifiedMessage kept = net.node(0).publish("before the bad frame");

      try (JdkSocket client = JdkSocket.open(net.url(0))) {
        client.trySend("x".repeat(MAX_FRAME + 1));
        assertThat(client.awaitCloseCode())
            .isEqualTo(CloseReason.MESSAGE_TOO_BIG.wireCode())
            .isEqualTo(1009);
      }

      assertStillServingAndUnchanged(net, kept);
    }
  }

  @Test
  void aBinaryFrameClosesTheLinkWith1003() {
    try (TestNetwork net = TestNetwork.builder().seed(52).build()) {
      VerifiedMessage kept = net.node(0).publish("before the binary frame");

      try (JdkSocket client = JdkSocket.open(net.url(0))) {
        client.sendBinary(Vectors.A.sig().getBytes(StandardCharsets.UTF_8));
        assertThat(client.awaitCloseCode()).isEqualTo(1003);
      }

      assertStillServingAndUnchanged(net, kept);
    }
  }

  @Test
  void aTextFrameWithInvalidUtf8ClosesTheLinkWith1007() {
    try (TestNetwork net = TestNetwork.builder().seed(53).build()) {
      VerifiedMessage kept = net.node(0).publish("before the invalid text");

      try (RawSocket raw = RawSocket.open(net.url(0))) {
        // "Hello " followed by a lone continuation byte and a truncated 3-byte sequence.
        byte[] payload = {'H', 'e', 'l', 'l', 'o', ' ', (byte) 0x80, (byte) 0xE2, (byte) 0x82};
        raw.sendTextBytes(payload);
        assertThat(raw.awaitCloseCode()).isEqualTo(1007);
      }

      assertStillServingAndUnchanged(net, kept);
    }
  }

  @Test
  void tenThousandJunkFramesCloseTheSenderWith1008WhileAnotherClientIsStillServed() {
    try (TestNetwork net = TestNetwork.builder().nodes(2).seed(54).build()) {
      net.connect(1, 0).awaitLinked(WAIT);
      Node node = net.node(0);
      Node observer = net.node(1);
      int limit = node.sync().config().junkLimit();
      Message good = Message.signed(TestKeys.key(54), "sent during the junk storm");

      try (JdkSocket junk = JdkSocket.open(net.url(0));
          JdkSocket honest = JdkSocket.open(net.url(0))) {
        ExecutorService sender =
            Executors.newSingleThreadExecutor(r -> new Thread(r, "junk-sender"));
        try {
          CompletableFuture<Integer> sent =
              CompletableFuture.supplyAsync(() -> sendJunk(junk), sender);
          honest.send(good.sig());
          honest.send(good.content());

          assertThat(junk.awaitCloseCode())
              .isEqualTo(CloseReason.POLICY_VIOLATION.wireCode())
              .isEqualTo(1008);
          assertThat(sent).succeedsWithin(WAIT);
          assertThat(sent.join()).as("frames written before the close").isGreaterThan(limit);
        } finally {
          sender.shutdownNow();
        }

        await()
            .atMost(WAIT)
            .until(() -> observer.store().byHash(good.hash()).flatMap(e -> e.text()).isPresent());
        honest.roundTrip();
        assertThat(honest.isClosedByPeer()).as("the honest client keeps its link").isFalse();
      }

      await().atMost(WAIT).until(() -> node.sync().stats().pendingFrames() == 0);
      SyncStats stats = node.sync().stats();
      assertThat(stats.junkClosures()).isEqualTo(1);
      assertThat(stats.junk() + net.recorder(0).rejections(Rejection.INVALID_MESSAGE))
          .as("junk counted before the link closed")
          .isGreaterThan(limit);
      assertThat(node.store().count()).as("only the honest message is stored").isEqualTo(1);
      assertThat(node.store().byHash(good.hash()).flatMap(e -> e.text())).contains(good.content());
      assertThat(net.recorder(0).count(Kind.MESSAGE_STORED)).isEqualTo(1);
      assertThat(net.recorder(0).count(Kind.BLOB_STORED))
          .as("no junk blob is written, only the honest content")
          .isLessThanOrEqualTo(1);
      assertThat(net.recorder(0).count(Kind.MESSAGE_RELAYED, good.hash())).isEqualTo(1);
      assertThat(observer.store().count()).isEqualTo(1);
    }
  }

  @Test
  void withNoJunkLimitTenThousandJunkFramesAreCountedAndIgnored() {
    SyncConfig noLimit = TestNetwork.TEST_SYNC.toBuilder().junkLimit(0).build();
    try (TestNetwork net = TestNetwork.builder().seed(55).configure(b -> b.sync(noLimit)).build()) {
      Node node = net.node(0);
      Message good = Message.signed(TestKeys.key(55), "after ten thousand junk frames");

      try (JdkSocket junk = JdkSocket.open(net.url(0));
          JdkSocket honest = JdkSocket.open(net.url(0))) {
        assertThat(sendJunk(junk)).isEqualTo(JUNK_FRAMES);
        junk.roundTrip();
        honest.send(good.sig());
        honest.send(good.content());

        await()
            .atMost(WAIT)
            .until(
                () ->
                    node.store().byHash(good.hash()).flatMap(e -> e.text()).isPresent()
                        && node.sync().stats().pendingFrames() == 0);
        assertThat(junk.isClosedByPeer()).isFalse();
      }

      SyncStats stats = node.sync().stats();
      assertThat(stats.junkClosures()).isZero();
      assertThat(stats.junk() + stats.rejected() + stats.duplicates())
          .as("every 44-char junk frame and every forged message is refused")
          .isGreaterThanOrEqualTo(2L * JUNK_FRAMES / 3);
      assertThat(node.store().count()).isEqualTo(1);
      assertThat(net.recorder(0).count(Kind.BLOB_STORED)).isEqualTo(1);
      assertThat(stats.unclaimedBytes())
          .as("junk blobs wait in a bounded cache")
          .isLessThanOrEqualTo(node.sync().config().unclaimedMaxBytes());
    }
  }

  /**
   * Sends up to {@link #JUNK_FRAMES} frames, cycling through a 44-char frame that is not base64, a
   * forged signed message (one signature character changed) and a blob no message claims; stops
   * when the node closes the socket. Returns how many were written.
   */
  private static int sendJunk(JdkSocket socket) {
    KeyPair forger = TestKeys.key(500);
    for (int i = 0; i < JUNK_FRAMES; i++) {
      String frame;
      switch (i % 3) {
        case 0:
          frame = String.format("junk-%039d", i);
          break;
        case 1:
          frame = forged(forger, i);
          break;
        default:
          frame = "an unclaimed junk blob number " + i;
          break;
      }
      try {
        socket.trySend(frame).get(5, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        return i; // the node closed the socket
      } catch (TimeoutException e) {
        throw new AssertionError("a send did not complete in 5 s", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return i;
      }
    }
    return JUNK_FRAMES;
  }

  /** A signed message whose signature has one character changed: well formed, but forged. */
  private static String forged(KeyPair keys, int i) {
    String sig =
        AnProto.sign(Hash.of("forged " + i), 1_755_197_841_319L + i, keys).signed().value();
    char[] chars = sig.toCharArray();
    int at = Hash.LENGTH + 10;
    chars[at] = chars[at] == 'A' ? 'B' : 'A';
    return new String(chars);
  }

  /** The node still answers a new client, and stores nothing but what it had. */
  private static void assertStillServingAndUnchanged(TestNetwork net, VerifiedMessage kept) {
    Node node = net.node(0);
    try (JdkSocket client = JdkSocket.open(net.url(0))) {
      client.send(node.publicKey().value());
      client.awaitFrame(kept.signed().value());
    }
    assertThat(node.store().count()).isEqualTo(1);
    assertThat(Http.get(net.httpUrl(0), "/all").statusCode()).isEqualTo(200);
    SyncStats stats = node.sync().stats();
    assertThat(stats.messagesStored()).isEqualTo(1);
    assertThat(stats.blobsStored()).isZero();
  }

  /** A signed message and its content, as a client composes them. */
  private record Message(VerifiedMessage message, String content) {
    static Message signed(KeyPair keys, String content) {
      return new Message(AnProto.sign(Hash.of(content), System.currentTimeMillis(), keys), content);
    }

    String sig() {
      return message.signed().value();
    }

    Hash hash() {
      return message.hash();
    }
  }
}
