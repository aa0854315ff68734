package dev.grapevine.tests.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.sync.SyncStats;
import dev.grapevine.testing.SyncRecorder;
import dev.grapevine.testing.SyncRecorder.Kind;
import dev.grapevine.testing.TestNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Five real nodes on loopback, joined in a ring and in a star, each publishing three posts: every
 * node ends with every message and its content, stores each one exactly once, relays each at most
 * once, and the network falls silent afterwards (no relay loops).
 */
class TopologyConvergenceTest {
  private static final Logger log = LoggerFactory.getLogger(TopologyConvergenceTest.class);
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int NODES = 5;
  private static final int POSTS_PER_NODE = 3;

  @Test
  void fiveNodeRingConvergesWithEachMessageStoredOnceAndRelaysBounded() {
    try (TestNetwork net = TestNetwork.builder().nodes(NODES).seed(11).build()) {
      net.ring().awaitLinked(WAIT);

      everyNodePublishesAndEveryNodeEndsWithEverythingOnce(net, "ring");
    }
  }

  @Test
  void fiveNodeStarConvergesWithEachMessageStoredOnceAndRelaysBounded() {
    try (TestNetwork net = TestNetwork.builder().nodes(NODES).seed(12).build()) {
      net.star(0).awaitLinked(WAIT);

      everyNodePublishesAndEveryNodeEndsWithEverythingOnce(net, "star");
    }
  }

  private static void everyNodePublishesAndEveryNodeEndsWithEverythingOnce(
      TestNetwork net, String topology) {
    List<VerifiedMessage> published = new ArrayList<>();
    for (int round = 0; round < POSTS_PER_NODE; round++) {
      for (int i = 0; i < net.size(); i++) {
        published.add(net.node(i).publish("post " + round + " of node " + i + " in a " + topology));
      }
    }
    int messages = published.size();
    Set<Hash> expected = published.stream().map(VerifiedMessage::hash).collect(Collectors.toSet());

    assertThat(net.awaitConverged(WAIT)).isEqualTo(expected);
    awaitQuiet(net);

    int edges = net.links().size();
    long totalRelayed = 0;
    long totalDuplicates = 0;
    for (int i = 0; i < net.size(); i++) {
      Node node = net.node(i);
      SyncStats stats = node.sync().stats();
      SyncRecorder recorder = net.recorder(i);
      assertThat(node.store().count())
          .as("node %d keeps one entry per message", i)
          .isEqualTo(messages);
      for (VerifiedMessage m : published) {
        assertThat(node.store().get(m.contentHash())).as("node %d has the content", i).isPresent();
      }
      assertThat(stats.messagesStored())
          .as("node %d commits each message once", i)
          .isEqualTo(messages);
      assertThat(recorder.countsByKey(Kind.MESSAGE_STORED))
          .as("node %d reports each message stored exactly once", i)
          .hasSize(messages)
          .allSatisfy((hash, n) -> assertThat(n).isEqualTo(1));
      assertThat(recorder.countsByKey(Kind.BLOB_STORED).values())
          .as("node %d stores each content at most once", i)
          .allSatisfy(n -> assertThat(n).isEqualTo(1));
      assertThat(recorder.countsByKey(Kind.MESSAGE_RELAYED).values())
          .as("node %d relays each message at most once", i)
          .allSatisfy(n -> assertThat(n).isEqualTo(1));
      // Each node sends each frame (signed message, content) at most once to each of its links.
      assertThat(stats.relayed())
          .as("node %d relays at most 2 frames per message per link", i)
          .isLessThanOrEqualTo(2L * messages * net.degree(i));
      assertThat(stats.rejected() + stats.junk() + stats.dropped()).isZero();
      totalRelayed += stats.relayed();
      totalDuplicates += stats.duplicates();
    }
    // A frame crosses each link at most once in each direction.
    assertThat(totalRelayed)
        .as("relayed frames over the whole %s", topology)
        .isLessThanOrEqualTo(2L * messages * 2 * edges);
    // Exactly: each node stores each frame once and relays it once to every link but the one it
    // came on (the author: to every link), which sums to 2E - N + 1 sends per frame. That is E
    // (one per link) plus one per cycle, where two copies cross on the same link.
    assertThat(totalRelayed)
        .as("relays of the signed message and the content, per message: 2E - N + 1 each")
        .isEqualTo(2L * messages * (2L * edges - net.size() + 1));
    log.info(
        "{}: {} nodes, {} links, {} messages: {} frames relayed ({} per message), {} duplicates"
            + " received, {} frames sent in total",
        topology,
        net.size(),
        edges,
        messages,
        totalRelayed,
        String.format("%.1f", (double) totalRelayed / messages),
        totalDuplicates,
        totals(net)[1]);

    long[] settled = totals(net);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () ->
                assertThat(totals(net))
                    .as("frames in/out after convergence (gossip rounds every 200 ms)")
                    .containsExactly(settled));
  }

  /**
   * Waits until every frame sent has been received (all links are between the nodes), none is being
   * processed, and nothing is wanted or waiting for an answer.
   */
  private static void awaitQuiet(TestNetwork net) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              long[] before = totals(net);
              boolean idle =
                  net.nodes().stream()
                      .map(n -> n.sync().stats())
                      .allMatch(
                          s ->
                              s.pendingFrames() == 0
                                  && s.missingHashes() == 0
                                  && s.pendingRequests() == 0);
              long[] after = totals(net);
              return idle && before[0] == before[1] && Arrays.equals(before, after);
            });
  }

  /** Frames received and sent by all nodes together. */
  private static long[] totals(TestNetwork net) {
    long in = 0;
    long out = 0;
    for (Node n : net.nodes()) {
      SyncStats s = n.sync().stats();
      in += s.framesIn();
      out += s.framesOut();
    }
    return new long[] {in, out};
  }
}
