package dev.grapevine.tests.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.Node;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.testing.TestNetwork;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The harness itself: loopback ports, seeded keys, topologies, restarts and the thread check. */
class TestNetworkTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void nodesListenOnDistinctLoopbackPortsWithKeysFromTheSeed() {
    TestNetwork.Builder builder = TestNetwork.builder().nodes(3).seed(7);
    List<PublicKey> expected =
        List.of(
            builder.keyPair(0).publicKey(),
            builder.keyPair(1).publicKey(),
            builder.keyPair(2).publicKey());
    try (TestNetwork net = builder.build()) {
      Set<Integer> ports = new HashSet<>();
      for (int i = 0; i < net.size(); i++) {
        Node n = net.node(i);
        assertThat(n.localAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(n.localAddress().getPort()).isPositive();
        ports.add(n.localAddress().getPort());
        assertThat(n.url()).isEqualTo(net.url(i));
        assertThat(n.publicKey()).isEqualTo(expected.get(i));
      }
      assertThat(ports).hasSize(3);
      assertThat(new HashSet<>(expected)).hasSize(3);
    }
    assertThat(TestNetwork.builder().seed(8).keyPair(0).publicKey()).isNotEqualTo(expected.get(0));
  }

  @Test
  void topologiesOpenExactlyTheIntendedLinks() {
    try (TestNetwork net = TestNetwork.builder().nodes(4).seed(9).build()) {
      net.star(2).awaitLinked(WAIT);

      assertThat(net.links())
          .containsExactly(
              new TestNetwork.Link(0, 2), new TestNetwork.Link(1, 2), new TestNetwork.Link(3, 2));
      assertThat(net.degree(2)).isEqualTo(3);
      assertThat(net.node(2).sync().openLinks()).hasSize(3);
      assertThat(net.node(0).sync().openLinks()).hasSize(1);
      assertThat(net.isLinked()).isTrue();
    }
  }

  @Test
  void awaitConvergedFailsWithADescriptionOfEveryNode() {
    try (TestNetwork net = TestNetwork.builder().nodes(2).seed(10).build()) {
      net.node(0).publish("only on node 0: nothing links the nodes");

      assertThatThrownBy(() -> net.awaitConverged(Duration.ofMillis(200)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("did not converge")
          .hasMessageContaining("node 0")
          .hasMessageContaining("messages=1")
          .hasMessageContaining("node 1")
          .hasMessageContaining("messages=0");
    }
  }

  @Test
  void aRestartedNodeKeepsItsPortAndKeyAndItsPeersReconnect() {
    try (TestNetwork net = TestNetwork.builder().nodes(2).seed(13).build()) {
      net.connect(1, 0).awaitLinked(WAIT);
      int port = net.node(0).localAddress().getPort();
      PublicKey key = net.node(0).publicKey();

      net.stop(0);
      assertThat(net.isRunning(0)).isFalse();
      assertThatThrownBy(() -> net.node(0)).isInstanceOf(IllegalStateException.class);
      Node again = net.restart(0);

      assertThat(again.localAddress().getPort()).isEqualTo(port);
      assertThat(again.publicKey()).isEqualTo(key);
      net.awaitLinked(WAIT);
      assertThat(again.sync().openLinks()).hasSize(1);
    }
  }

  @Test
  void closeEndsEveryNodeThreadAndIsIdempotent() {
    Set<Thread> before = TestNetwork.grapevineThreads();
    TestNetwork net = TestNetwork.builder().nodes(3).seed(14).build();
    net.ring().awaitLinked(WAIT);
    assertThat(newNames(before)).as("the nodes' threads are named").isNotEmpty();

    net.close();
    net.close();

    assertThat(newNames(before)).isEmpty();
  }

  @Test
  void closeReportsAThreadThatOutlivesTheNetwork() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    TestNetwork net =
        TestNetwork.builder().seed(15).threadExitTimeout(Duration.ofMillis(100)).build();
    Thread leak =
        new Thread(
            () -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            TestNetwork.THREAD_PREFIX + "leak-test");
    leak.start();
    try {
      assertThatThrownBy(net::close)
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("grapevine-leak-test");
    } finally {
      release.countDown();
      leak.join(WAIT.toMillis());
    }
  }

  private static Set<String> newNames(Set<Thread> before) {
    return TestNetwork.grapevineThreads().stream()
        .filter(t -> !before.contains(t))
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }
}
