package dev.grapevine.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.conn.hub.ConnState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnTest {
  @TempDir Path dir;
  private Node a;
  private Node b;

  @BeforeEach
  void start() throws Exception {
    a = Node.builder().dataDir(dir.resolve("a")).port(0).start();
    b = Node.builder().ephemeral(true).port(0).start();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  private ConnAddress addressOf(Node n) {
    return ConnAddress.parse(
        "ws://127.0.0.1:" + n.localAddress().getPort() + "~shs:" + n.publicKey().value());
  }

  @Test
  void stagingRefusesAConnectedAddressAndAnotherAddressWithTheSameKey() throws Exception {
    ConnAddress peer = addressOf(b);
    a.conn().connect(peer).get(10, TimeUnit.SECONDS);

    assertThat(a.conn().stage(peer)).isFalse();
    ConnAddress sameKeyElsewhere = ConnAddress.parse("ws://192.168.7.7:9000~shs:" + b.publicKey());
    assertThat(a.conn().stage(sameKeyElsewhere, Map.of("type", "lan"))).isFalse();
    assertThat(a.conn().stagedPeers()).isEmpty();
  }

  @Test
  void rememberedPeersAreWrittenToConnJsonInTheDataDirectoryOnClose() throws Exception {
    ConnAddress peer = addressOf(b);
    a.conn().remember(peer, Map.of("type", "pub"));
    a.close();

    String json = Files.readString(dir.resolve("a").resolve("conn.json"));
    assertThat(json).startsWith("{\n  \"" + peer + "\": {\n");
    assertThat(json).contains("\"type\": \"pub\"").contains("\"key\": \"" + b.publicKey() + "\"");
  }

  @Test
  void theSchedulerConnectsARememberedPeerAndRecordsTheConnection() {
    ConnAddress peer = addressOf(b);
    a.conn().remember(peer, Map.of("type", "pub"));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                a.conn().peers().stream()
                    .anyMatch(
                        e -> e.key().equals(b.publicKey()) && e.state() == ConnState.CONNECTED));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> a.conn().db().get(peer).orElseThrow().stateChange().isPresent());
    assertThat(a.conn().db().get(peer).orElseThrow().failure()).isZero();
  }

  @Test
  void stopDisconnectsEveryPeerAndTheSchedulerNoLongerRedials() throws Exception {
    ConnAddress peer = addressOf(b);
    a.conn().connect(peer).get(10, TimeUnit.SECONDS);
    a.conn().stop();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.conn().peers().isEmpty());
    assertThat(a.conn().scheduler().isRunning()).isFalse();
  }

  @Test
  void theLegacyGossipApiConnectsRemembersAndReportsChanges() throws Exception {
    ConnAddress peer = addressOf(b);
    java.util.List<Map<String, Object>> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
    GossipCompat gossip = a.conn().gossip();
    try (var sub = gossip.changes(changes::add)) {
      gossip.connect(peer.toString()).get(10, TimeUnit.SECONDS);
      assertThat(gossip.get(peer.toString()).orElseThrow())
          .containsEntry("source", "manual")
          .containsEntry("address", peer.toString());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> changes.stream().anyMatch(c -> c.get("type").equals("connect")));
      assertThat(changes.get(0).get("type")).isEqualTo("discover");

      assertThat(gossip.remove(peer.toString())).isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> changes.stream().anyMatch(c -> c.get("type").equals("disconnect")));
      assertThat(changes).anyMatch(c -> c.get("type").equals("remove"));
      assertThat(gossip.peers()).noneMatch(p -> p.get("address").equals(peer.toString()));
    }
  }

  @Test
  void theConnApiHasEveryMethodSsbConnUsersCall() {
    java.util.Set<String> names =
        java.util.Arrays.stream(Conn.class.getMethods())
            .map(java.lang.reflect.Method::getName)
            .collect(java.util.stream.Collectors.toSet());
    assertThat(names)
        .contains(
            "remember",
            "forget",
            "dbPeers",
            "connect",
            "disconnect",
            "peers",
            "stage",
            "unstage",
            "stagedPeers",
            "db",
            "hub",
            "staging",
            "query",
            "start",
            "stop",
            "gossip");
  }

  @Test
  void anEphemeralNodeKeepsItsPeerDatabaseInMemoryOnly() {
    ConnAddress peer = addressOf(a);
    b.conn().remember(peer, Map.of());
    assertThat(b.conn().db().persistent()).isFalse();
    assertThat(b.conn().dbPeers()).extracting(Map.Entry::getKey).containsExactly(peer.toString());
    b.conn().db().flush();
  }
}
