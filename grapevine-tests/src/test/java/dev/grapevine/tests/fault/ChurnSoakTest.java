package dev.grapevine.tests.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.anproto.Hash;
import dev.grapevine.conn.ConnConfig;
import dev.grapevine.sync.PubClient;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.transport.TransportConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Churn soak: 20 nodes with durable stores on loopback, linked over ANProto ({@link Node#connect})
 * in a random connected topology (a random tree plus extra edges, each edge dialled both ways).
 * Again and again a random node is closed, messages are published at random other nodes while it is
 * down, and it is restarted on its data directory and port; its peers' connections come back by
 * themselves (backoff) and it dials its own again. Messages are published at random nodes all the
 * time. Afterwards: every store holds the same set of messages, every node has exactly one open
 * link per connection of the topology, and once every node is closed the JVM's threads and file
 * descriptors are back near their baseline with no {@code grapevine-*} thread left.
 *
 * <p>It runs for {@code -Dgrapevine.soak} (an ISO-8601 duration, default {@code PT40S}), killing a
 * node every {@code -Dgrapevine.soak.interval} (default {@code PT2S}; between kills a message is
 * published at a random node and awaited at every node, again and again); the README's "Fault
 * tests" gives the ten-minute command. The timers are the nodes' real ones (with short reconnect
 * delays): the soak is about behaviour over real time; every wait is a condition (Awaitility),
 * bounded.
 */
class ChurnSoakTest {
  private static final Logger log = LoggerFactory.getLogger(ChurnSoakTest.class);
  private static final int NODES = 20;
  private static final int EXTRA_EDGES = 10;
  private static final Duration DEFAULT_SOAK = Duration.ofSeconds(40);
  private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
  private static final Duration RECONNECT_WAIT = Duration.ofSeconds(30);
  private static final Duration CONVERGE_WAIT = Duration.ofSeconds(90);
  private static final SyncConfig SYNC =
      SyncConfig.builder()
          .reconnectInitial(Duration.ofMillis(200))
          .reconnectMax(Duration.ofSeconds(2))
          // A node that was down gets what it missed from the peers that redial it.
          .fullHistory(true)
          .build();

  @TempDir Path dir;

  private final Random random = new Random(20261207L);
  private final Node[] nodes = new Node[NODES];
  private final int[] ports = new int[NODES];

  /** Outgoing connections: node i dials each of dials.get(i). */
  private final Map<Integer, List<Integer>> dials = new HashMap<>();

  /** conns[i][j]: node i's connection to node j, if i dials j. */
  private final Map<Integer, Map<Integer, PubClient.Connection>> conns = new HashMap<>();

  @Test
  void nodesKilledAndRestartedAtRandomConvergeAndLeakNothing() throws Exception {
    Duration soak = Duration.parse(System.getProperty("grapevine.soak", DEFAULT_SOAK.toString()));
    Duration interval =
        Duration.parse(System.getProperty("grapevine.soak.interval", DEFAULT_INTERVAL.toString()));
    // Start and close one node first, so that the JVM-wide threads a node starts once (Netty's,
    // SQLite's) are in the baseline.
    Node.builder().dataDir(dir.resolve("warmup")).port(0).conn(noAutostart()).start().close();
    Set<String> baselineThreads = threadNames();
    int baselineThreadCount = Thread.getAllStackTraces().size();
    int baselineFds = openFds();

    Set<Hash> published = new HashSet<>();
    int restarts = 0;
    try {
      for (int i = 0; i < NODES; i++) {
        nodes[i] = start(i, 0);
        ports[i] = nodes[i].localAddress().getPort();
      }
      topology();
      for (int i = 0; i < NODES; i++) {
        dialAll(i);
      }
      awaitAllLinked();
      int threadsAfterStart = Thread.getAllStackTraces().size();

      long end = System.nanoTime() + soak.toNanos();
      while (System.nanoTime() < end) {
        int victim = random.nextInt(NODES);
        close(victim);
        for (int k = 0; k < 3; k++) {
          published.add(nodes[otherThan(victim)].publish("while " + victim + " is down").hash());
        }
        nodes[victim] = start(victim, ports[victim]);
        dialAll(victim);
        awaitAllLinked();
        restarts++;
        // Until the next kill, publish at random nodes, each message awaited at every node.
        long nextKill = System.nanoTime() + interval.toNanos();
        do {
          Hash h = nodes[random.nextInt(NODES)].publish("between restarts").hash();
          published.add(h);
          await("message " + h + " at every node")
              .atMost(RECONNECT_WAIT)
              .pollInterval(Duration.ofMillis(10))
              .until(() -> Stream.of(nodes).allMatch(n -> n.store().has(h)));
        } while (System.nanoTime() < nextKill);
      }
      log.info("Soak of {}: {} restarts, {} messages published", soak, restarts, published.size());
      assertThat(restarts).isPositive();

      await("every store converges on the " + published.size() + " messages published")
          .atMost(CONVERGE_WAIT)
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                for (Node n : nodes) {
                  assertThat(new HashSet<>(n.store().hashLog())).isEqualTo(published);
                }
              });
      for (int i = 0; i < NODES; i++) {
        assertThat(nodes[i].sync().openLinks())
            .as("node %d's links: one per connection it dials or is dialled by", i)
            .hasSize(degree(i));
      }
      assertThat(Thread.getAllStackTraces().size())
          .as("threads after %d restarts, against %d after the start", restarts, threadsAfterStart)
          .isLessThanOrEqualTo(threadsAfterStart + 10);
    } finally {
      for (int i = 0; i < NODES; i++) {
        close(i);
      }
    }

    await("the closed nodes' threads end")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(
                        threadNames().stream()
                            .filter(name -> !baselineThreads.contains(name))
                            .filter(name -> name.startsWith("grapevine-"))
                            .collect(Collectors.toList()))
                    .isEmpty());
    await("thread count back near the baseline")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(Thread.getAllStackTraces().size())
                    .isLessThanOrEqualTo(baselineThreadCount + 5));
    await("file descriptors (sockets, database files) back near the baseline")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(openFds()).isLessThanOrEqualTo(baselineFds + 10));
  }

  private Node start(int i, int port) throws IOException {
    return Node.builder()
        .dataDir(dir.resolve("node-" + i))
        .transport(TransportConfig.builder().port(port).build())
        .sync(SYNC)
        .conn(noAutostart())
        .start();
  }

  /** The topology is given by the test, so the connection manager must not dial on its own. */
  private static ConnConfig noAutostart() {
    return ConnConfig.builder().autostart(false).build();
  }

  private void close(int i) {
    if (nodes[i] != null) {
      nodes[i].close();
      nodes[i] = null;
      conns.remove(i);
    }
  }

  /** A random tree (connected), plus extra random edges; each edge dialled from both ends. */
  private void topology() {
    Set<Long> edges = new HashSet<>();
    for (int i = 1; i < NODES; i++) {
      addEdge(edges, i, random.nextInt(i));
    }
    for (int added = 0; added < EXTRA_EDGES; ) {
      int a = random.nextInt(NODES);
      int b = random.nextInt(NODES);
      if (a != b && addEdge(edges, a, b)) {
        added++;
      }
    }
  }

  private boolean addEdge(Set<Long> edges, int a, int b) {
    if (!edges.add((long) Math.min(a, b) * NODES + Math.max(a, b))) {
      return false;
    }
    dials.computeIfAbsent(a, k -> new ArrayList<>()).add(b);
    dials.computeIfAbsent(b, k -> new ArrayList<>()).add(a);
    return true;
  }

  private int degree(int i) {
    // Every edge is dialled both ways: one outgoing and one incoming link per neighbour.
    return 2 * dials.getOrDefault(i, List.of()).size();
  }

  private void dialAll(int i) {
    Map<Integer, PubClient.Connection> mine = new HashMap<>();
    for (int j : dials.getOrDefault(i, List.of())) {
      mine.put(j, nodes[i].connect(URI.create("ws://127.0.0.1:" + ports[j] + "/")));
    }
    conns.put(i, mine);
  }

  private void awaitAllLinked() {
    await("every connection of the topology open")
        .atMost(RECONNECT_WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                conns.values().stream()
                    .flatMap(m -> m.values().stream())
                    .allMatch(PubClient.Connection::isOpen));
  }

  private int otherThan(int victim) {
    int i = random.nextInt(NODES - 1);
    return i >= victim ? i + 1 : i;
  }

  private static Set<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }

  private static int openFds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count();
    }
  }
}
