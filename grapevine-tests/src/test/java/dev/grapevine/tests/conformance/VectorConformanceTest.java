package dev.grapevine.tests.conformance;

import static dev.grapevine.tests.conformance.Vectors.A;
import static dev.grapevine.tests.conformance.Vectors.B;
import static dev.grapevine.tests.conformance.Vectors.C;
import static dev.grapevine.tests.conformance.Vectors.PUBKEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.anproto.Hash;
import dev.grapevine.sync.SyncListener.Rejection;
import dev.grapevine.sync.SyncStats;
import dev.grapevine.testing.SyncRecorder.Kind;
import dev.grapevine.testing.TestNetwork;
import dev.grapevine.tests.conformance.Vectors.Malformed;
import dev.grapevine.tests.conformance.Vectors.Vector;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Conformance with the reference pub, checked with an independent client (the JDK's WebSocket and
 * HttpClient): the reference's test vectors, sent as frames the way its clients send them, come
 * back byte for byte over the HTTP routes; requests, relays and HTTP gossip behave as the
 * reference's do; malleated and forged messages are never stored.
 */
class VectorConformanceTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private TestNetwork net;
  private Node node;
  private URI http;

  @BeforeEach
  void startNode() {
    net = TestNetwork.builder().nodes(1).seed(41).build();
    node = net.node(0);
    http = net.httpUrl(0);
  }

  @AfterEach
  void closeNode() {
    net.close();
  }

  /** How a client sends one message. */
  enum Order {
    /** {@code cli.js}: the content, the signed message, then the msgHash. */
    CLI {
      @Override
      void send(JdkSocket client, Vector v) {
        client.send(v.content());
        client.send(v.sig());
        client.send(v.msgHash());
        // The msgHash is a request. Answered with the signed message stored under it if that is
        // committed by then; frames are processed in parallel, so if the request overtakes the
        // signed message, the node asks the client back for the hash, as the reference does for
        // a hash it does not have.
        String answer = client.awaitFrame(f -> f.equals(v.sig()) || f.equals(v.msgHash()));
        assertThat(answer).isIn(v.sig(), v.msgHash());
      }
    },
    /** Wiredove's composer: the signed message, then the content. */
    WIREDOVE {
      @Override
      void send(JdkSocket client, Vector v) {
        client.send(v.sig());
        client.send(v.content());
      }
    },
    /**
     * The signed message alone; the node asks the sender for the content hash, as the reference pub
     * does, and the client answers the request with the blob, as Wiredove does.
     */
    SIG_THEN_ANSWER {
      @Override
      void send(JdkSocket client, Vector v) {
        client.send(v.sig());
        client.awaitFrame(v.contentHash());
        client.send(v.content());
      }
    };

    abstract void send(JdkSocket client, Vector v);
  }

  @ParameterizedTest
  @EnumSource(Order.class)
  void vectorsSentAsFramesComeBackByteExactOverHttp(Order order) {
    try (JdkSocket client = JdkSocket.open(net.url(0))) {
      for (Vector v : List.of(A, B, C)) {
        order.send(client, v);
      }
      awaitStored(3);
    }

    assertThat(Vectors.C.logEntry())
        .as("the expected entries are the reference's own spelling")
        .isEqualTo(Vectors.referenceLogEntryOfC());
    HttpResponse<String> all = Http.get(http, "/all");
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.headers().firstValue("access-control-allow-origin")).contains("*");
    assertThat(all.body()).isEqualTo(Vectors.array(A, B, C));
    assertThat(Http.get(http, "/" + PUBKEY).body()).isEqualTo(Vectors.array(A, B, C));
    for (Vector v : List.of(A, B, C)) {
      assertThat(Http.get(http, "/" + v.msgHash()).body())
          .as("GET /<msgHash of %s>", v.name())
          .isEqualTo(Vectors.array(v));
      HttpResponse<byte[]> raw = Http.getBytes(http, "/" + v.contentHash());
      assertThat(raw.statusCode()).isEqualTo(200);
      assertThat(raw.body())
          .as("GET /<contentHash of %s> is the raw content", v.name())
          .isEqualTo(v.content().getBytes(StandardCharsets.UTF_8));
    }
    SyncStats stats = node.sync().stats();
    assertThat(stats.messagesStored()).isEqualTo(3);
    assertThat(stats.rejected() + stats.junk()).isZero();
  }

  @Test
  void aRequestForTheAuthorReturnsItsLatestSignedMessage() {
    storeVectorsOverHttp();

    try (JdkSocket client = JdkSocket.open(net.url(0))) {
      client.send(PUBKEY);
      client.awaitFrame(C.sig());
      client.roundTrip();

      assertThat(client.received())
          .as("the latest sig (C) and nothing else")
          .containsExactly(C.sig());
    }
  }

  @Test
  void malleatedUnpaddedAndForgedMessagesAreNeverStored() {
    try (JdkSocket client = JdkSocket.open(net.url(0))) {
      client.send(A.content()); // cli.js order: the content waits for its message
      for (Malformed m : Vectors.MALFORMED) {
        client.send(m.sig());
      }
      client.roundTrip();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  node.sync().stats().pendingFrames() == 0
                      && net.recorder(0).rejections(Rejection.INVALID_MESSAGE) == 3);

      assertThat(Http.get(http, "/all").body()).isEqualTo("[]");
      assertThat(node.store().count()).isZero();
      assertThat(node.store().has(new Hash(A.contentHash())))
          .as("unclaimed content is not written")
          .isFalse();
      for (Malformed m : Vectors.MALFORMED) {
        assertThat(node.store().has(Hash.of(m.sig()))).as("%s is not stored", m.name()).isFalse();
      }
      assertThat(net.recorder(0).count(Kind.MESSAGE_STORED)).isZero();
      assertThat(net.recorder(0).rejections(Rejection.INVALID_MESSAGE))
          .as("N1, N2 and N4 are refused as invalid; N3 (no ==) is not a signed message at all")
          .isEqualTo(3);

      // The honest original of N1–N4 is accepted and claims its waiting content.
      client.send(A.sig());
      awaitStored(1);
      assertThat(Http.get(http, "/all").body()).isEqualTo(Vectors.array(A));
    }
  }

  @Test
  void aMessageFromOneClientIsRelayedToTheOtherAndNotEchoedBack() {
    try (JdkSocket sender = JdkSocket.open(net.url(0));
        JdkSocket receiver = JdkSocket.open(net.url(0))) {
      await().atMost(WAIT).until(() -> node.sync().openLinks().size() == 2);

      sender.send(C.sig());
      sender.send(C.content());

      receiver.awaitFrame(C.sig());
      receiver.awaitFrame(C.content());
      sender.roundTrip();
      assertThat(sender.received())
          .as("the sender gets requests at most, never its own frames back")
          .doesNotContain(C.sig(), C.content())
          .allSatisfy(f -> assertThat(f).hasSize(Hash.LENGTH));
      assertThat(receiver.received().indexOf(C.sig()))
          .as("the signed message is relayed before its content")
          .isLessThan(receiver.received().indexOf(C.content()));
      assertThat(node.sync().stats().messagesStored()).isEqualTo(1);
    }
  }

  @Test
  void postGossipAnswersLikeTheReferenceAndPollThenReturnsTheMessage() {
    HttpResponse<String> sig = Http.post(http, "/gossip", C.sig());
    assertThat(sig.statusCode()).isEqualTo(200);
    assertThat(sig.headers().firstValue("access-control-allow-origin")).contains("*");
    assertThat(sig.body())
        .as("the node stores the message and asks the poster for its content")
        .isEqualTo("{\"messages\":[\"" + C.contentHash() + "\"]}");
    assertThat(Http.get(http, "/gossip/poll?since=0").body())
        .isEqualTo("{\"messages\":[\"" + C.sig() + "\"],\"nextSince\":10000000000001}");

    HttpResponse<String> content = Http.post(http, "/gossip", C.content());
    assertThat(content.body())
        .as("the content names B as previous, which the node asks the poster for")
        .isEqualTo("{\"messages\":[\"" + B.msgHash() + "\"]}");
    assertThat(Http.get(http, "/gossip/poll?since=0").body())
        .isEqualTo(
            "{\"messages\":["
                + quote(C.sig())
                + ","
                + quote(C.content())
                + "],\"nextSince\":10000000000001}");
    assertThat(Http.get(http, "/all").body()).isEqualTo(Vectors.array(C));

    HttpResponse<String> request = Http.post(http, "/gossip", PUBKEY);
    assertThat(request.body())
        .as("a request posted over HTTP is answered in the response")
        .isEqualTo("{\"messages\":[" + quote(C.sig()) + "]}");
  }

  private void storeVectorsOverHttp() {
    for (Vector v : List.of(A, B, C)) {
      Http.post(http, "/gossip", v.sig());
      Http.post(http, "/gossip", v.content());
    }
    awaitStored(3);
  }

  private void awaitStored(int messages) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                node.store().count() == messages
                    && node.store().missingContent(1).isEmpty()
                    && node.sync().stats().pendingFrames() == 0);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
