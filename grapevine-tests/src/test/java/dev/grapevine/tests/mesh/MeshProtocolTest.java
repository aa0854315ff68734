package dev.grapevine.tests.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.Node;
import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The mesh protocol seen from a hand-written peer on the JDK's WebSocket client: MiniLedger's ML-4
 * to ML-8, ML-10, ML-11 and ML-14.
 */
class MeshProtocolTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MeshNodes nodes = new MeshNodes();
  private final List<RawMeshClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(RawMeshClient::close);
    nodes.close();
  }

  private RawMeshClient raw(Node node, KeyPair keys) {
    RawMeshClient c = RawMeshClient.open(node.meshUrl(), keys);
    clients.add(c);
    return c;
  }

  /** A raw peer through the whole handshake; returns it with PEER_LIST consumed. */
  private RawMeshClient joined(Node node) throws InterruptedException {
    RawMeshClient c = raw(node, KeyPair.generate());
    c.handshake();
    JsonNode ack = c.next("HANDSHAKE_ACK", WAIT);
    c.confirm(ack);
    assertThat(c.next("PEER_LIST", WAIT)).isNotNull();
    return c;
  }

  @Test
  void aHandshakeIsAnsweredWithASignedAckThenAPeerList() throws Exception {
    Node node = nodes.start();
    RawMeshClient c = raw(node, KeyPair.generate());

    c.handshake();
    JsonNode ack = c.next(WAIT);
    assertThat(ack.get("type").asText()).isEqualTo("HANDSHAKE_ACK");
    JsonNode p = ack.get("payload");
    assertThat(p.get("accepted").asBoolean()).isTrue();
    assertThat(p.get("nodeId").asText()).isEqualTo(node.mesh().nodeId());
    assertThat(p.get("publicKey").asText()).startsWith(node.mesh().nodeId()).hasSize(64);
    assertThat(ack.get("from").asText()).isEqualTo(node.mesh().nodeId());
    String signed =
        "grapevine-mesh/1|ack|grapevine|" + node.mesh().nodeId() + "|" + c.nodeId + "|" + c.nonce;
    assertThat(
            RawMeshClient.verifies(
                p.get("publicKey").asText(), p.get("signature").asText(), signed))
        .isTrue();

    c.confirm(ack);
    JsonNode list = c.next(WAIT);
    assertThat(list.get("type").asText()).isEqualTo("PEER_LIST");
    assertThat(list.get("payload").get("peers").isArray()).isTrue();
    await().atMost(WAIT).until(() -> node.mesh().peers().size() == 1);
  }

  @Test
  void aHandshakeWithTheListenersOwnKeyIsRefusedAsSelf() throws Exception {
    KeyPair shared = KeyPair.generate();
    Node node = nodes.start(m -> m);
    Node same =
        dev.grapevine.NodeConfig.builder()
            .ephemeral(true)
            .keyPair(shared)
            .transport(MeshNodes.transport())
            .start();
    try {
      RawMeshClient c = raw(same, shared);
      c.handshake();
      JsonNode ack = c.next(WAIT);
      assertThat(ack.get("payload").get("accepted").asBoolean()).isFalse();
      assertThat(ack.get("payload").get("reason").asText()).isEqualTo("self");
      assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
      assertThat(node.mesh().peers()).isEmpty();
    } finally {
      same.close();
    }
  }

  @Test
  void aSecondLinkFromAConnectedKeyIsRefusedAsDuplicate() throws Exception {
    Node node = nodes.start();
    KeyPair keys = KeyPair.generate();
    RawMeshClient first = raw(node, keys);
    first.handshake();
    first.confirm(first.next("HANDSHAKE_ACK", WAIT));
    assertThat(first.next("PEER_LIST", WAIT)).isNotNull();

    RawMeshClient second = raw(node, keys);
    second.handshake();
    JsonNode ack = second.next("HANDSHAKE_ACK", WAIT);
    assertThat(ack.get("payload").get("accepted").asBoolean()).isFalse();
    assertThat(ack.get("payload").get("reason").asText()).isEqualTo("duplicate");
    assertThat(second.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(node.mesh().peers()).hasSize(1);
  }

  @Test
  void aNodeIdThatIsNotTheKeysPrefixIsRefused() throws Exception {
    Node node = nodes.start();
    RawMeshClient c = RawMeshClient.open(node.meshUrl(), KeyPair.generate(), "zz", "grapevine");
    clients.add(c);
    c.handshake();
    JsonNode ack = c.next(WAIT);
    assertThat(ack.get("payload").get("accepted").asBoolean()).isFalse();
    assertThat(ack.get("payload").get("reason").asText()).isEqualTo("bad_identity");
    assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
  }

  @Test
  void aConfirmationSignedByAnotherKeyIsRefused() throws Exception {
    Node node = nodes.start();
    KeyPair claimed = KeyPair.generate();
    RawMeshClient c = raw(node, claimed);
    c.handshake();
    JsonNode ack = c.next("HANDSHAKE_ACK", WAIT);
    ObjectNode p = RawMeshClient.JSON.createObjectNode();
    p.put("nodeId", c.nodeId);
    p.put("publicKey", RawMeshClient.hex(claimed));
    p.put("orgId", "grapevine");
    p.put("accepted", true);
    // Signed by someone else: the key is claimed but not proven.
    RawMeshClient forger =
        RawMeshClient.open(node.meshUrl(), KeyPair.generate(), c.nodeId, "grapevine");
    clients.add(forger);
    p.put(
        "signature",
        forger.proof("confirm", ack.get("payload").get("nonce").asText(), node.mesh().nodeId()));
    c.sendEnvelope("HANDSHAKE_ACK", p);

    JsonNode refusal = c.next("HANDSHAKE_ACK", WAIT);
    assertThat(refusal.get("payload").get("reason").asText()).isEqualTo("bad_signature");
    assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
    assertThat(node.mesh().peers()).isEmpty();
  }

  @Test
  void framesBeforeTheHandshakeAreRefusedAndTheLinkClosesAtTheHandshakeTimeout() throws Exception {
    Node node = nodes.start(m -> m.handshakeTimeout(Duration.ofMillis(700)));
    RawMeshClient c = raw(node, KeyPair.generate());

    for (String type : List.of("PING", "SYNC_REQUEST", "PEER_LIST")) {
      c.sendEnvelope(type, RawMeshClient.JSON.createObjectNode());
      JsonNode error = c.next(WAIT);
      assertThat(error.get("type").asText()).isEqualTo("ERROR");
      assertThat(error.get("payload").get("code").asText()).isEqualTo("handshake_required");
    }
    assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
    assertThat(node.mesh().stats().handshakeTimeouts()).isEqualTo(1);
  }

  @Test
  void badFramesGetAnErrorAndTheLinkStaysOpen() throws Exception {
    Node node = nodes.start();
    RawMeshClient c = joined(node);

    c.sendText("not json");
    assertThat(c.next("ERROR", WAIT).get("payload").get("code").asText()).isEqualTo("invalid_json");
    c.sendText("{\"version\":2,\"type\":\"PING\",\"from\":\"" + c.nodeId + "\",\"payload\":{}}");
    assertThat(c.next("ERROR", WAIT).get("payload").get("code").asText())
        .isEqualTo("unsupported_version");
    c.sendEnvelope("NO_SUCH_TYPE", RawMeshClient.JSON.createObjectNode());
    assertThat(c.next("ERROR", WAIT).get("payload").get("code").asText()).isEqualTo("unknown_type");
    c.sendText("{\"version\":1,\"type\":\"PING\",\"from\":\"0123456789abcdef\",\"payload\":{}}");
    assertThat(c.next("ERROR", WAIT).get("payload").get("code").asText()).isEqualTo("wrong_sender");

    ObjectNode ping = RawMeshClient.JSON.createObjectNode().put("chainHeight", 7).put("seq", 1);
    c.sendEnvelope("PING", ping);
    JsonNode pong = c.next("PONG", WAIT);
    assertThat(pong.get("payload").get("seq").asLong()).isEqualTo(1);
    assertThat(c.closeCode).isNotDone();
  }

  @Test
  void pingsCarryTheChainHeightAndAPongUpdatesThePeersHeight() throws Exception {
    Node node =
        nodes.start(m -> m.pingInterval(Duration.ofMillis(300)).pingTimeout(Duration.ofSeconds(5)));
    node.publish("one");
    node.publish("two");
    RawMeshClient c = joined(node);

    JsonNode ping = c.next("PING", WAIT);
    assertThat(ping.get("payload").get("chainHeight").asLong()).isEqualTo(2);
    ObjectNode pong =
        RawMeshClient.JSON
            .createObjectNode()
            .put("chainHeight", 42)
            .put("seq", ping.get("payload").get("seq").asLong());
    c.sendEnvelope("PONG", pong);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode peers =
                  RawMeshClient.JSON.readTree(MeshNodes.get(node, "/api/peers").body());
              assertThat(peers.get("peers").get(0).get("chainHeight").asLong()).isEqualTo(42);
            });
    assertThat(node.mesh().peers().get(0).rttMillis()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void aSilentPeerIsClosedAfterThePingTimeout() throws Exception {
    Node node =
        nodes.start(
            m -> m.pingInterval(Duration.ofMillis(200)).pingTimeout(Duration.ofMillis(900)));
    RawMeshClient c = joined(node);

    assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
    assertThat(node.mesh().stats().pingTimeouts()).isEqualTo(1);
  }

  @Test
  void aSyncRequestOverTheBatchSizeIsClamped() throws Exception {
    Node node = nodes.start();
    for (int i = 0; i < 120; i++) {
      node.publish("post " + i);
    }
    RawMeshClient c = joined(node);

    ObjectNode req =
        RawMeshClient.JSON
            .createObjectNode()
            .put("requestId", "r1")
            .put("author", node.publicKey().value())
            .put("fromHeight", 1)
            .put("toHeight", 1_000_000_000L);
    c.sendEnvelope("SYNC_REQUEST", req);

    JsonNode res = c.next("SYNC_RESPONSE", WAIT).get("payload");
    assertThat(res.get("requestId").asText()).isEqualTo("r1");
    assertThat(res.get("messages")).hasSize(50);
    assertThat(res.get("hasMore").asBoolean()).isTrue();
    assertThat(res.get("height").asLong()).isEqualTo(120);
  }

  @Test
  void aFrameOverTheMaximumClosesWith1009() throws Exception {
    Node node = nodes.start(m -> m.maxMessagesBytes(4096).maxFrameBytes(8192));
    RawMeshClient c = joined(node);

    ObjectNode big = RawMeshClient.JSON.createObjectNode().put("blob", "x".repeat(20_000));
    c.sendEnvelope("PING", big);

    assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
  }

  @Test
  void aNodeWithItsPeersRefusesAnotherAsFull() throws Exception {
    Node node = nodes.start(m -> m.maxPeers(1));
    joined(node);

    RawMeshClient c = raw(node, KeyPair.generate());
    c.handshake();
    JsonNode ack = c.next("HANDSHAKE_ACK", WAIT);
    assertThat(ack.get("payload").get("reason").asText()).isEqualTo("full");
  }

  @Test
  void feedSyncAsksInBatchesOfFiftyUpToThePeersHeight() throws Exception {
    Node node = nodes.start();
    RawMeshClient peer = joined(node);
    KeyPair author = KeyPair.generate();
    List<String[]> feed = feed(author, 120);

    CompletableFuture<Integer> synced = node.mesh().syncFeed(author.publicKey());
    List<String> ranges = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JsonNode req = peer.next("SYNC_REQUEST", WAIT).get("payload");
      long from = req.get("fromHeight").asLong();
      long to = req.get("toHeight").asLong();
      ranges.add(from + ".." + to);
      ArrayNode items = RawMeshClient.JSON.createArrayNode();
      for (long h = from; h <= Math.min(to, 120); h++) {
        items
            .addObject()
            .put("message", feed.get((int) h - 1)[0])
            .put("content", feed.get((int) h - 1)[1]);
      }
      ObjectNode res =
          RawMeshClient.JSON
              .createObjectNode()
              .put("requestId", req.get("requestId").asText())
              .put("author", author.publicKey().value())
              .put("fromHeight", from)
              .put("hasMore", to < 120)
              .put("height", 120);
      res.set("messages", items);
      peer.sendEnvelope("SYNC_RESPONSE", res);
    }

    assertThat(synced.get(10, TimeUnit.SECONDS)).isEqualTo(120);
    assertThat(ranges).containsExactly("1..50", "51..100", "101..120");
    assertThat(node.store().byAuthor(author.publicKey())).hasSize(120);
  }

  @Test
  void feedSyncGivesUpOnAPeerThatDoesNotAnswerOrSendsBadBatches() throws Exception {
    Node node = nodes.start(m -> m.syncTimeout(Duration.ofMillis(500)));
    RawMeshClient silent = joined(node);
    KeyPair author = KeyPair.generate();

    assertThat(node.mesh().syncFeed(author.publicKey()).get(10, TimeUnit.SECONDS)).isZero();
    assertThat(silent.next("SYNC_REQUEST", WAIT)).isNotNull();
    assertThat(silent.next("SYNC_REQUEST", Duration.ofMillis(500))).isNull();

    CompletableFuture<Integer> second = node.mesh().syncFeed(author.publicKey());
    JsonNode req = silent.next("SYNC_REQUEST", WAIT).get("payload");
    ArrayNode bad = RawMeshClient.JSON.createArrayNode();
    for (String[] m : feed(author, 50)) {
      // A character that differs from the original, so that every message of the batch is bad.
      String swapped = m[0].charAt(100) == 'A' ? "B" : "A";
      bad.addObject()
          .put("message", m[0].substring(0, 100) + swapped + m[0].substring(101))
          .put("content", m[1]);
    }
    ObjectNode res =
        RawMeshClient.JSON
            .createObjectNode()
            .put("requestId", req.get("requestId").asText())
            .put("author", author.publicKey().value())
            .put("fromHeight", 1)
            .put("hasMore", true)
            .put("height", 500);
    res.set("messages", bad);
    silent.sendEnvelope("SYNC_RESPONSE", res);

    assertThat(second.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(silent.next("SYNC_REQUEST", Duration.ofMillis(500))).isNull();
    assertThat(node.store().byAuthor(author.publicKey())).isEmpty();
    assertThat(node.mesh().stats().invalidMessages()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void applicationHandlersReceiveTheirTypeAndBroadcastReachesPeers() throws Exception {
    Node node = nodes.start();
    List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    node.mesh()
        .on(
            "TX_BROADCAST",
            (peer, envelope) ->
                got.add(peer.nodeId() + " " + envelope.payload().get("tx").asText()));
    RawMeshClient c = joined(node);

    c.sendEnvelope("TX_BROADCAST", RawMeshClient.JSON.createObjectNode().put("tx", "t1"));
    await().atMost(WAIT).until(() -> got.size() == 1);
    assertThat(got).containsExactly(c.nodeId + " t1");

    assertThat(
            node.mesh()
                .broadcast("TX_FORWARD", RawMeshClient.JSON.createObjectNode().put("tx", "t2")))
        .isEqualTo(1);
    assertThat(c.next("TX_FORWARD", WAIT).get("payload").get("tx").asText()).isEqualTo("t2");
    assertThat(
            node.mesh()
                .sendTo(
                    c.nodeId, "TX_FORWARD", RawMeshClient.JSON.createObjectNode().put("tx", "t3")))
        .isTrue();
    assertThat(c.next("TX_FORWARD", WAIT).get("payload").get("tx").asText()).isEqualTo("t3");
    assertThat(node.mesh().sendTo("0000000000000000", "TX_FORWARD", null)).isFalse();
  }

  /** {@code n} signed messages by {@code author} with contents, one millisecond apart. */
  private static List<String[]> feed(KeyPair author, int n) {
    List<String[]> out = new ArrayList<>();
    long ts = 1_700_000_000_000L;
    for (int i = 0; i < n; i++) {
      String content = "feed post number " + i;
      VerifiedMessage m = AnProto.sign(Hash.of(content), ts + i, author);
      out.add(new String[] {m.signed().value(), content});
    }
    return out;
  }
}
