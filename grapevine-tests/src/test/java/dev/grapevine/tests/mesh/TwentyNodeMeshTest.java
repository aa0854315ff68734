package dev.grapevine.tests.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.mesh.MeshStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Twenty nodes in one JVM started as a chain (each joins through the one before): peer lists and
 * the connection manager grow it into a mesh of the configured degree, and a message published
 * anywhere reaches every node, arriving in full about once per node.
 */
class TwentyNodeMeshTest {
  private static final int NODES = 20;
  private static final int MESSAGES = 40;
  private static final int QUOTA = 4;

  private final MeshNodes nodes = new MeshNodes();

  @AfterEach
  void close() {
    nodes.close();
  }

  @Test
  void aChainOfTwentyNodesMeshesAndEveryMessageReachesEveryNode() {
    List<Node> all = new ArrayList<>();
    all.add(nodes.start(m -> m, QUOTA));
    for (int i = 1; i < NODES; i++) {
      Node previous = all.get(i - 1);
      all.add(nodes.start(m -> m.seeds(List.of(previous.meshUrl())), QUOTA));
    }
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              for (Node n : all) {
                assertThat(n.mesh().peers().size())
                    .as("peers of %s", n.mesh().nodeId())
                    .isGreaterThanOrEqualTo(QUOTA);
              }
            });

    Random random = new Random(7);
    List<VerifiedMessage> published = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      published.add(all.get(random.nextInt(NODES)).publish("message " + i));
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              for (Node n : all) {
                assertThat(n.store().count())
                    .as("messages at %s", n.mesh().nodeId())
                    .isEqualTo(MESSAGES);
              }
            });
    for (VerifiedMessage m : published) {
      for (Node n : all) {
        assertThat(n.store().get(m.contentHash())).isPresent();
      }
    }
    long copies = 0;
    long degree = 0;
    for (Node n : all) {
      MeshStats s = n.mesh().stats();
      copies += s.pushReceived() + s.pullReceived();
      degree += s.peers();
    }
    double perNodePerMessage = copies / (double) ((NODES - 1) * MESSAGES);
    double flooding = degree / (double) NODES;
    System.out.printf(
        "20-node mesh: %.2f full copies per node per message (flooding would send %.1f)%n",
        perNodePerMessage, flooding);
    assertThat(perNodePerMessage).isLessThan(flooding);
  }
}
