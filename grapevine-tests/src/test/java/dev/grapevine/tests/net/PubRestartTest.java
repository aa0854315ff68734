package dev.grapevine.tests.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.sync.PubClient;
import dev.grapevine.testing.TestNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pub with a SQLite store goes away and comes back on the same port and data directory: its
 * clients notice, back off and reconnect, and what they published meanwhile reaches the pub and the
 * other clients.
 */
class PubRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int PUB = 0;

  @TempDir Path dir;

  @Test
  void clientsReconnectAfterThePubRestartsAndWhatTheyPublishedMeanwhileSpreads() {
    try (TestNetwork net =
        TestNetwork.builder().nodes(3).seed(31).sqlite(PUB).dataRoot(dir).build()) {
      int port = net.node(PUB).localAddress().getPort();
      net.star(PUB).awaitLinked(WAIT);
      for (int client = 1; client <= 2; client++) {
        assertThat(net.node(client).ready()).as("client %d is ready", client).isDone();
      }
      List<VerifiedMessage> before = new ArrayList<>();
      before.add(net.node(1).publish("before the outage, from 1"));
      before.add(net.node(2).publish("before the outage, from 2"));
      assertThat(net.awaitConverged(WAIT)).hasSize(2);

      net.stop(PUB);

      for (int client = 1; client <= 2; client++) {
        Node n = net.node(client);
        await()
            .atMost(WAIT)
            .alias("client " + client + "'s ready() is renewed when its only pub is gone")
            .until(() -> !n.ready().isDone());
        PubClient.Connection conn = n.connections().get(0);
        await().atMost(WAIT).until(() -> conn.failures() >= 2);
        assertThat(conn.isOpen()).isFalse();
        assertThat(conn.lastReconnectDelay())
            .hasValueSatisfying(
                d ->
                    assertThat(d)
                        .as("backoff between 80 % of the first delay and the maximum")
                        .isBetween(
                            TestNetwork.TEST_SYNC.reconnectInitial().multipliedBy(8).dividedBy(10),
                            TestNetwork.TEST_SYNC.reconnectMax()));
      }
      CompletableFuture<Void> readyAgain = net.node(1).ready();
      List<VerifiedMessage> during = new ArrayList<>();
      during.add(net.node(1).publish("during the outage, first from 1"));
      during.add(net.node(1).publish("during the outage, second from 1"));
      during.add(net.node(2).publish("during the outage, from 2"));
      assertThat(net.node(1).store().count())
          .as("nothing crossed while the pub was away")
          .isEqualTo(4);

      Node pub = net.restart(PUB);

      assertThat(pub.localAddress().getPort()).isEqualTo(port);
      assertThat(readyAgain).succeedsWithin(WAIT);
      assertThat(net.node(2).ready()).succeedsWithin(WAIT);
      net.awaitLinked(WAIT);
      Set<Hash> all = net.awaitConverged(WAIT);
      List<VerifiedMessage> everything = new ArrayList<>(before);
      everything.addAll(during);
      assertThat(all)
          .containsExactlyInAnyOrderElementsOf(
              everything.stream().map(VerifiedMessage::hash).collect(Collectors.toList()));
      assertThat(pub.sync().stats().messagesStored())
          .as("the restarted pub kept the old messages on disk and received only the new ones")
          .isEqualTo(during.size());
    }
  }
}
