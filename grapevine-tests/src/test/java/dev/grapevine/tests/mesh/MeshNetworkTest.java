package dev.grapevine.tests.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.Node;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.mesh.MeshListener;
import dev.grapevine.mesh.MeshPeer;
import dev.grapevine.mesh.reconcile.ReconcileConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real nodes meshing on loopback: MiniLedger's ML-1, ML-2, ML-3, ML-9, ML-12 and ML-13. */
class MeshNetworkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final MeshNodes nodes = new MeshNodes();

  @AfterEach
  void close() {
    nodes.close();
  }

  private static Set<PublicKey> peerKeys(Node n) {
    return n.mesh().peers().stream().map(MeshPeer::publicKey).collect(Collectors.toSet());
  }

  @Test
  void twoNodesJoinedThroughASeedListEachOtherAsConnectedPeers() throws Exception {
    Node node1 = nodes.start();
    Node node2 = nodes.startJoining(node1);

    await()
        .atMost(WAIT)
        .until(() -> node1.mesh().peers().size() == 1 && node2.mesh().peers().size() == 1);

    JsonNode peers1 = JSON.readTree(MeshNodes.get(node1, "/api/peers").body());
    JsonNode peers2 = JSON.readTree(MeshNodes.get(node2, "/api/peers").body());
    assertThat(peers1.get("count").asInt()).isEqualTo(1);
    assertThat(peers2.get("count").asInt()).isEqualTo(1);
    JsonNode seenBy1 = peers1.get("peers").get(0);
    JsonNode seenBy2 = peers2.get("peers").get(0);
    assertThat(seenBy1.get("status").asText()).isEqualTo("connected");
    assertThat(seenBy2.get("status").asText()).isEqualTo("connected");
    assertThat(seenBy2.get("address").asText())
        .isEqualTo("ws://127.0.0.1:" + node1.localAddress().getPort());
    assertThat(seenBy1.get("address").asText())
        .isEqualTo("ws://127.0.0.1:" + node2.localAddress().getPort());
    assertThat(seenBy1.get("nodeId").asText()).isEqualTo(node2.mesh().nodeId());
    assertThat(seenBy1.get("orgId").asText()).isEqualTo("grapevine");
  }

  @Test
  void threeNodesPointingAtTheFirstCloseIntoAFullMesh() {
    Node node1 = nodes.start();
    Node node2 = nodes.startJoining(node1);
    Node node3 = nodes.startJoining(node1);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(peerKeys(node1))
                  .containsExactlyInAnyOrder(node2.publicKey(), node3.publicKey());
              assertThat(peerKeys(node2))
                  .containsExactlyInAnyOrder(node1.publicKey(), node3.publicKey());
              assertThat(peerKeys(node3))
                  .containsExactlyInAnyOrder(node1.publicKey(), node2.publicKey());
            });
  }

  @Test
  void aMessagePublishedOnOneNodeIsStoredOnEveryOther() {
    Node node1 = nodes.start();
    Node node2 = nodes.startJoining(node1);
    Node node3 = nodes.startJoining(node1);
    await()
        .atMost(WAIT)
        .until(() -> node3.mesh().peers().size() == 2 && node2.mesh().peers().size() == 2);

    var message = node3.publish("hello from the mesh");

    await().atMost(WAIT).until(() -> node1.store().byHash(message.hash()).isPresent());
    await().atMost(WAIT).until(() -> node2.store().byHash(message.hash()).isPresent());
    assertThat(node2.store().get(message.contentHash())).isPresent();
  }

  @Test
  void aJoiningNodeCatchesUpTheWholeStoreByReconciliation() {
    Node node1 = nodes.start();
    for (int i = 0; i < 300; i++) {
      node1.publish("old post " + i);
    }
    Node node2 = nodes.startJoining(node1);

    await().atMost(WAIT).until(() -> node2.store().count() == 300);
    assertThat(node2.mesh().stats().reconciliations()).isGreaterThanOrEqualTo(1);
    assertThat(node2.store().missingContent(10)).isEmpty();
  }

  @Test
  void aLongCatchUpFetchesWhileItReconcilesAndAsksForEachMessageOnce() {
    // Small reconciliation frames make many rounds, small WANTs make many batches, and a low
    // difference limit cuts each session short, so the next starts while batches are in flight.
    ReconcileConfig small =
        ReconcileConfig.builder()
            .maxMessageBytes(ReconcileConfig.MIN_MESSAGE_BYTES)
            .maxDifferences(500)
            .build();
    Node node1 = nodes.start(m -> m.reconcile(small));
    for (int i = 0; i < 1_500; i++) {
      node1.publish("old post " + i);
    }
    Node node2 = nodes.start(m -> m.reconcile(small).wantBatch(40).seeds(List.of(node1.meshUrl())));

    await().atMost(WAIT).until(() -> node2.store().count() == 1_500);
    assertThat(node2.store().missingContent(10)).isEmpty();
    assertThat(node2.mesh().stats().reconciliations()).isGreaterThanOrEqualTo(3);
    assertThat(node2.mesh().stats().pullReceived()).isEqualTo(1_500);
    assertThat(node2.mesh().stats().duplicatesReceived()).isZero();
  }

  @Test
  void nodesDiallingEachOtherAtOnceKeepOneLinkAndReportItOncePerSide() {
    Node a = nodes.start(m -> m, 0);
    Node b = nodes.start(m -> m, 0);
    List<String> eventsA = new CopyOnWriteArrayList<>();
    List<String> eventsB = new CopyOnWriteArrayList<>();
    a.mesh().addListener(recorder(eventsA));
    b.mesh().addListener(recorder(eventsB));

    for (int round = 0; round < 5 && a.mesh().peers().isEmpty(); round++) {
      a.conn().connect(b.address());
      b.conn().connect(a.address());
      await()
          .atMost(WAIT)
          .until(() -> a.mesh().peers().size() == 1 && b.mesh().peers().size() == 1);
    }

    await()
        .during(Duration.ofMillis(500))
        .atMost(WAIT)
        .until(() -> a.mesh().peers().size() == 1 && b.mesh().peers().size() == 1);
    assertThat(eventsA).containsExactly("connected " + b.mesh().nodeId());
    assertThat(eventsB).containsExactly("connected " + a.mesh().nodeId());
    assertThat(a.conn().peers()).hasSize(1);
    assertThat(b.conn().peers()).hasSize(1);
    assertThat(a.mesh().peers().get(0).linkId()).isNotEmpty();
  }

  @Test
  void aKilledLinkIsReportedOnceAndRedialled() {
    Node node1 = nodes.start();
    Node node2 = nodes.startJoining(node1);
    AtomicInteger disconnected = new AtomicInteger();
    AtomicInteger connected = new AtomicInteger();
    node2
        .mesh()
        .addListener(
            new MeshListener() {
              @Override
              public void peerConnected(MeshPeer peer) {
                connected.incrementAndGet();
              }

              @Override
              public void peerDisconnected(MeshPeer peer, String reason) {
                disconnected.incrementAndGet();
              }
            });
    await().atMost(WAIT).until(() -> node2.mesh().peers().size() == 1);
    int before = connected.get();

    // The listener drops the link: the dialer hears it once and dials again.
    node1.conn().disconnect(node2.address()).join();

    await().atMost(WAIT).until(() -> disconnected.get() == 1);
    await()
        .atMost(WAIT)
        .until(() -> node2.mesh().peers().size() == 1 && connected.get() == before + 1);
    assertThat(disconnected.get()).isEqualTo(1);
  }

  @Test
  void peerListsFromBothSidesCloseTheMiniLedgerCounterExampleIntoAFullMesh() {
    Node a = nodes.start();
    Node d = nodes.start();
    Node c = nodes.startJoining(d);
    await().atMost(WAIT).until(() -> c.mesh().peers().size() == 1);
    Node b = nodes.startJoining(a);
    await().atMost(WAIT).until(() -> b.mesh().peers().size() == 1);
    d.mesh().join(a.meshUrl());

    List<Node> all = List.of(a, b, c, d);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              for (Node n : all) {
                assertThat(n.mesh().peers()).as("peers of %s", n.mesh().nodeId()).hasSize(3);
              }
            });
  }

  @Test
  void aMessageThatArrivesByAnprotoIsPropagatedOnTheMeshWithItsContent() throws Exception {
    Node node1 = nodes.start();
    Node node2 = nodes.startJoining(node1);
    await().atMost(WAIT).until(() -> node2.mesh().peers().size() == 1);
    dev.grapevine.anproto.KeyPair author = dev.grapevine.anproto.KeyPair.generate();
    String content = "posted by an ANProto client";
    var message =
        dev.grapevine.anproto.AnProto.sign(
            dev.grapevine.anproto.Hash.of(content), System.currentTimeMillis(), author);

    // An ANProto client posts over HTTP: the signed message first, then its content.
    var http = java.net.http.HttpClient.newHttpClient();
    for (String frame : List.of(message.signed().value(), content)) {
      var response =
          http.send(
              java.net.http.HttpRequest.newBuilder(node1.httpUrl().resolve("/gossip"))
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString(frame))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
    }

    await().atMost(WAIT).until(() -> node2.store().byHash(message.hash()).isPresent());
    await().atMost(WAIT).until(() -> node2.store().get(message.contentHash()).isPresent());
    assertThat(node2.store().get(message.contentHash())).contains(content);
  }

  @Test
  void connPingMeasuresTheRoundTripOverTheMeshAndRecordsIt() throws Exception {
    Node node1 = nodes.start();
    Node node2 = nodes.startJoining(node1);
    await().atMost(WAIT).until(() -> node2.mesh().peers().size() == 1);

    Duration rtt =
        node2.conn().ping(node1.address()).get(10, java.util.concurrent.TimeUnit.SECONDS);
    Duration legacy =
        node2
            .conn()
            .gossip()
            .ping(node1.address().toString())
            .get(10, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(rtt).isPositive().isLessThan(Duration.ofSeconds(10));
    assertThat(legacy).isPositive();
    assertThat(node2.mesh().peers().get(0).rttMillis()).isPositive();
    assertThat(node2.conn().db().get(node1.address()).orElseThrow().toString()).contains("ping");
    assertThat(
            node1
                .conn()
                .ping(
                    dev.grapevine.conn.ConnAddress.of(
                        java.net.URI.create("ws://127.0.0.1:1"),
                        dev.grapevine.anproto.KeyPair.generate().publicKey())))
        .failsWithin(WAIT);
  }

  @Test
  void aBlockedKeyIsRefusedAtTheDoorWithAReason() throws Exception {
    Node door = nodes.start(m -> m, 0);
    Node blocked = nodes.start(m -> m, 0);
    door.conn().remember(blocked.address(), java.util.Map.of("blocked", true));

    var dial = blocked.conn().connect(door.address());

    assertThat(dial)
        .failsWithin(WAIT)
        .withThrowableThat()
        .havingRootCause()
        .isInstanceOf(dev.grapevine.mesh.MeshRefusedException.class)
        .withMessageContaining("blocked");
    assertThat(door.mesh().peers()).isEmpty();
    assertThat(blocked.mesh().peers()).isEmpty();
    assertThat(door.conn().firewall().rejected().counts()).isNotEmpty();
  }

  private static MeshListener recorder(List<String> events) {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    return new MeshListener() {
      @Override
      public void peerConnected(MeshPeer peer) {
        events.add("connected " + peer.nodeId());
        seen.add(peer.nodeId());
      }

      @Override
      public void peerDisconnected(MeshPeer peer, String reason) {
        events.add("disconnected " + peer.nodeId());
      }
    };
  }
}
