package dev.grapevine.testing;

import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.PeerLink;
import dev.grapevine.transport.TransportConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * N real Grapevine {@link Node}s in this JVM, each listening on {@code 127.0.0.1} on a port the OS
 * picked, joined by real WebSocket links in a topology the test chooses. Modelled on MockWebServer
 * and Besu's {@code P2PNetworkTest}: loopback only, port 0, no sleeping, everything closed by
 * {@link #close()}.
 *
 * <pre>{@code
 * try (TestNetwork net = TestNetwork.builder().nodes(5).seed(1).build()) {
 *   net.ring().awaitLinked(Duration.ofSeconds(10));
 *   net.node(0).publish("hello");
 *   net.awaitConverged(Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Nodes.</b> {@link Builder#build()} starts every node before it returns, node {@code i}
 *       with the key pair {@link Builder#keyPair(int) keyPair(i)} (derived from the seed, so the
 *       same seed gives the same authors), an in-memory store unless SQLite was asked for ({@link
 *       Builder#sqlite()}), and the fast test timings {@link #TEST_SYNC} and {@link
 *       #TEST_TRANSPORT}; then {@link Builder#configure} operators may change anything. Each node
 *       has a {@link SyncRecorder} ({@link #recorder(int)}), registered as soon as the node has
 *       started (so it misses nothing if the node connects only when the test says so).
 *   <li><b>Links.</b> {@link #connect(int, int)} makes node {@code from} keep a connection to node
 *       {@code to}'s WebSocket URL (reconnecting with backoff, see {@link Node#connect}) and
 *       remembers it as an intended link; {@link #ring()}, {@link #star(int)}, {@link #chain()} and
 *       {@link #connectAll()} are shorthands. They return at once; {@link #awaitLinked(Duration)}
 *       waits until every intended link between running nodes is open.
 *   <li><b>Convergence.</b> {@link #awaitConverged(Duration)} waits until every running node has
 *       the same set of msgHashes and the content of every message it has. It says nothing about
 *       how many messages that is: assert that on the returned set.
 *   <li><b>Restarts.</b> {@link #stop(int)} closes one node and keeps its slot; {@link
 *       #restart(int)} starts it again with the same key, the same port and the same data directory
 *       (a SQLite node keeps its messages, an in-memory one starts empty), re-dials its intended
 *       links and re-registers its recorder. Peers that dial it reconnect by themselves.
 *   <li><b>Close.</b> {@link #close()} closes every node and deletes the temporary data
 *       directories, then waits up to {@link Builder#threadExitTimeout} (default 10 s) until no
 *       thread whose name starts with {@code grapevine-} and that did not exist before {@link
 *       Builder#build()} is alive; if one is, it throws an {@link AssertionError} naming them. This
 *       check assumes that no other code in the JVM starts nodes at the same time (JUnit runs tests
 *       one at a time by default). Idempotent.
 * </ul>
 *
 * <p><b>Threads.</b> Thread-safe: any thread may connect, stop, restart and await. The waits poll
 * the stores (with Awaitility) and fail with an {@link AssertionError} describing every node.
 */
public final class TestNetwork implements AutoCloseable {
  /** Prefix of the names of every thread a node starts. */
  public static final String THREAD_PREFIX = "grapevine-";

  /** How long {@link #close()} waits for the nodes' threads to end, by default. */
  public static final Duration THREAD_EXIT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Protocol timings for tests: reconnects after 50 ms, doubling up to 200 ms; gossip rounds every
   * 200 ms with a 1 s per-peer request cooldown; two verify threads per node.
   */
  public static final SyncConfig TEST_SYNC =
      SyncConfig.builder()
          .reconnectInitial(Duration.ofMillis(50))
          .reconnectMax(Duration.ofMillis(200))
          .gossipInterval(Duration.ofMillis(200))
          .requestCooldown(Duration.ofSeconds(1))
          .verifyThreads(2)
          .build();

  /**
   * Transport settings for tests: {@code 127.0.0.1}, port 0, one I/O thread per node, 2 s connect
   * and handshake timeouts, and a 500 ms close grace period.
   */
  public static final TransportConfig TEST_TRANSPORT =
      TransportConfig.builder()
          .bindHost("127.0.0.1")
          .port(0)
          .ioThreads(1)
          .connectTimeout(Duration.ofSeconds(2))
          .handshakeTimeout(Duration.ofSeconds(2))
          .closeGracePeriod(Duration.ofMillis(500))
          .build();

  private static final Duration POLL_INTERVAL = Duration.ofMillis(20);

  /**
   * An intended link: node {@code from} dials node {@code to}.
   *
   * @param from the dialling node's index
   * @param to the dialled node's index
   */
  public record Link(int from, int to) {}

  private final List<Slot> slots;
  private final Set<Link> links = new LinkedHashSet<>(); // guarded by this
  private final Set<Thread> threadsBefore;
  private final Duration threadExitTimeout;
  private final Path ownedRoot;
  private volatile boolean closed; // written under this

  private TestNetwork(
      List<Slot> slots, Set<Thread> threadsBefore, Duration threadExitTimeout, Path ownedRoot) {
    this.slots = slots;
    this.threadsBefore = threadsBefore;
    this.threadExitTimeout = threadExitTimeout;
    this.ownedRoot = ownedRoot;
  }

  /** A builder for a network of one node with seed 0. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- nodes ----

  /** The number of nodes, running or stopped. */
  public int size() {
    return slots.size();
  }

  /**
   * The running node number {@code index}.
   *
   * @throws IllegalStateException if it is stopped
   */
  public Node node(int index) {
    Node node = slot(index).node;
    if (node == null) {
      throw new IllegalStateException(
          "Expected node " + index + " to be running but it is stopped");
    }
    return node;
  }

  /** The running nodes, in index order. */
  public List<Node> nodes() {
    List<Node> out = new ArrayList<>();
    for (Slot s : slots) {
      Node n = s.node;
      if (n != null) {
        out.add(n);
      }
    }
    return out;
  }

  /** Whether node {@code index} is running (not {@link #stop stopped}). */
  public boolean isRunning(int index) {
    return slot(index).node != null;
  }

  /** The key pair of node {@code index}. */
  public KeyPair keyPair(int index) {
    return slot(index).config.keyPair().orElseThrow();
  }

  /** The recorder of node {@code index}'s protocol events (kept across restarts). */
  public SyncRecorder recorder(int index) {
    return slot(index).recorder;
  }

  /** Node {@code index}'s WebSocket URL, which stays the same across restarts. */
  public URI url(int index) {
    return URI.create("ws://127.0.0.1:" + slot(index).port + "/");
  }

  /** Node {@code index}'s HTTP base URL, which stays the same across restarts. */
  public URI httpUrl(int index) {
    return URI.create("http://127.0.0.1:" + slot(index).port + "/");
  }

  // ---- topology ----

  /**
   * Makes node {@code from} keep a connection to node {@code to} (see {@link Node#connect}) and
   * remembers the link as intended. Returns at once.
   */
  public TestNetwork connect(int from, int to) {
    if (from == to) {
      throw new IllegalArgumentException("Expected two different nodes but was " + from + " twice");
    }
    Slot dialler = slot(from);
    slot(to);
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the network is closed");
      }
      links.add(new Link(from, to));
    }
    Node n = dialler.node;
    if (n != null) {
      n.connect(url(to));
    }
    return this;
  }

  /** Node {@code i} dials node {@code i + 1}, and the last dials the first. Needs 3 nodes. */
  public TestNetwork ring() {
    if (size() < 3) {
      throw new IllegalStateException("Expected at least 3 nodes for a ring but was " + size());
    }
    for (int i = 0; i < size(); i++) {
      connect(i, (i + 1) % size());
    }
    return this;
  }

  /** Every other node dials {@code center}. */
  public TestNetwork star(int center) {
    slot(center);
    for (int i = 0; i < size(); i++) {
      if (i != center) {
        connect(i, center);
      }
    }
    return this;
  }

  /** Node {@code i} dials node {@code i + 1}. */
  public TestNetwork chain() {
    for (int i = 0; i + 1 < size(); i++) {
      connect(i, i + 1);
    }
    return this;
  }

  /** Node {@code i} dials every node {@code j > i}. */
  public TestNetwork connectAll() {
    for (int i = 0; i < size(); i++) {
      for (int j = i + 1; j < size(); j++) {
        connect(i, j);
      }
    }
    return this;
  }

  /** The intended links, in the order they were made. */
  public synchronized List<Link> links() {
    return List.copyOf(links);
  }

  /** How many intended links node {@code index} has, in either direction (its degree). */
  public synchronized int degree(int index) {
    int n = 0;
    for (Link l : links) {
      if (l.from() == index || l.to() == index) {
        n++;
      }
    }
    return n;
  }

  // ---- waiting ----

  /**
   * Waits until every intended link between two running nodes is open: the dialling node's
   * connection to the URL is open and the dialled node has at least as many inbound links open as
   * intended links from running nodes end at it.
   *
   * @throws AssertionError if that does not happen within {@code timeout}
   */
  public TestNetwork awaitLinked(Duration timeout) {
    try {
      await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL_INTERVAL)
          .until(this::isLinked);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("Links not all open within " + timeout + ":\n" + describe(), e);
    }
    return this;
  }

  /** Whether every intended link between running nodes is open now; see {@link #awaitLinked}. */
  public boolean isLinked() {
    Map<Integer, Integer> inboundWanted = new HashMap<>();
    for (Link l : links()) {
      Slot from = slot(l.from());
      Slot to = slot(l.to());
      Node dialler = from.node;
      if (dialler == null || to.node == null) {
        continue;
      }
      URI target = url(l.to()).normalize();
      boolean open =
          dialler.connections().stream().anyMatch(c -> c.uri().equals(target) && c.isOpen());
      if (!open) {
        return false;
      }
      inboundWanted.merge(l.to(), 1, Integer::sum);
    }
    for (Map.Entry<Integer, Integer> e : inboundWanted.entrySet()) {
      Node n = slot(e.getKey()).node;
      if (n == null || inbound(n) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Waits until every running node has the same set of msgHashes and the content of each of them.
   *
   * @return that set of msgHashes
   * @throws AssertionError if that does not happen within {@code timeout}
   */
  public Set<Hash> awaitConverged(Duration timeout) {
    try {
      await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL_INTERVAL)
          .until(this::isConverged);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("Nodes did not converge within " + timeout + ":\n" + describe(), e);
    }
    List<Node> running = nodes();
    return running.isEmpty() ? Set.of() : Set.copyOf(running.get(0).store().hashLog());
  }

  /** Whether the running nodes have converged now; see {@link #awaitConverged}. */
  public boolean isConverged() {
    Set<Hash> first = null;
    for (Node n : nodes()) {
      Set<Hash> hashes = Set.copyOf(n.store().hashLog());
      if (first == null) {
        first = hashes;
      } else if (!first.equals(hashes)) {
        return false;
      }
      if (!n.store().missingContent(1).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** One line per node: index, port, messages, missing contents, open links and counters. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    for (Slot s : slots) {
      out.append("  node ").append(s.index).append(" :").append(s.port);
      Node n = s.node;
      if (n == null) {
        out.append(" stopped\n");
        continue;
      }
      try {
        out.append(" messages=")
            .append(n.store().count())
            .append(" missingContent=")
            .append(n.store().missingContent(100).size())
            .append(" links(in/out)=")
            .append(inbound(n))
            .append('/')
            .append(n.sync().openLinks().size() - inbound(n))
            .append(" connections=")
            .append(n.connections())
            .append(' ')
            .append(n.sync().stats())
            .append('\n');
      } catch (RuntimeException e) {
        out.append(" (cannot describe: ").append(e).append(")\n");
      }
    }
    return out.toString();
  }

  private static int inbound(Node n) {
    int count = 0;
    for (PeerLink link : n.sync().openLinks()) {
      if (link.direction() == Direction.INBOUND && link.isOpen()) {
        count++;
      }
    }
    return count;
  }

  // ---- restarts ----

  /**
   * Closes node {@code index} (its peers see the links close and start reconnecting). Its port,
   * key, data directory and recorder are kept for {@link #restart}.
   *
   * @throws IllegalStateException if it is already stopped
   */
  public void stop(int index) {
    Slot s = slot(index);
    synchronized (s) {
      Node n = s.node;
      if (n == null) {
        throw new IllegalStateException(
            "Expected node " + index + " to be running but it is stopped");
      }
      s.node = null;
      n.close();
    }
  }

  /**
   * Starts node {@code index} again after {@link #stop}: same key, same port, same data directory,
   * same recorder; then it dials the nodes it has intended links to.
   *
   * @throws IllegalStateException if it is running
   * @throws UncheckedIOException if it cannot start (for example, the port is taken)
   */
  public Node restart(int index) {
    Slot s = slot(index);
    Node n;
    synchronized (s) {
      if (closed) {
        throw new IllegalStateException("the network is closed");
      }
      if (s.node != null) {
        throw new IllegalStateException("Expected node " + index + " to be stopped but it runs");
      }
      n = startNode(s.config.toBuilder().port(s.port).build(), s.recorder);
      s.node = n;
    }
    for (Link l : links()) {
      if (l.from() == index) {
        n.connect(url(l.to()));
      }
    }
    return n;
  }

  // ---- close ----

  /**
   * Closes every node, deletes the temporary data directories and checks that the nodes' threads
   * ended (see the class comment). Idempotent.
   *
   * @throws AssertionError if {@code grapevine-} threads started since {@link Builder#build()} are
   *     still alive after the thread exit timeout
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    List<Node> running = new ArrayList<>();
    for (Slot s : slots) {
      synchronized (s) { // waits for a stop or restart under way; later ones see closed
        if (s.node != null) {
          running.add(s.node);
          s.node = null;
        }
      }
    }
    RuntimeException failure = null;
    for (Node n : running) {
      try {
        n.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (ownedRoot != null) {
      deleteRecursively(ownedRoot);
    }
    if (failure != null) {
      throw failure;
    }
    assertNoThreadsLeft(threadsBefore, threadExitTimeout);
  }

  /**
   * Waits up to {@code timeout} until no {@code grapevine-} thread that is not in {@code before} is
   * alive.
   *
   * @param before the threads to ignore, from {@link #grapevineThreads()} taken earlier
   * @throws AssertionError naming the threads that are still alive
   */
  public static void assertNoThreadsLeft(Set<Thread> before, Duration timeout) {
    try {
      await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL_INTERVAL)
          .until(() -> newThreads(before).isEmpty());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "Threads still alive "
              + timeout
              + " after close: "
              + newThreads(before).stream().map(Thread::getName).collect(Collectors.toList()),
          e);
    }
  }

  /** The {@code grapevine-} threads alive now. */
  public static Set<Thread> grapevineThreads() {
    Set<Thread> out = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(THREAD_PREFIX)) {
        out.add(t);
      }
    }
    return out;
  }

  private static Set<Thread> newThreads(Set<Thread> before) {
    Set<Thread> now = grapevineThreads();
    now.removeAll(before);
    return now;
  }

  @Override
  public String toString() {
    return "TestNetwork[" + size() + " nodes]\n" + describe();
  }

  // ---- internals ----

  private Slot slot(int index) {
    if (index < 0 || index >= slots.size()) {
      throw new IndexOutOfBoundsException(
          "Expected a node index in [0, " + slots.size() + ") but was " + index);
    }
    return slots.get(index);
  }

  private static Node startNode(NodeConfig config, SyncRecorder recorder) {
    Node node;
    try {
      node = Node.start(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    node.addListener(recorder);
    return node;
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + root, e);
    }
  }

  /**
   * One node position: its first configuration, its port, its recorder and the running node. Its
   * monitor serialises starting and closing the node.
   */
  private static final class Slot {
    final int index;
    final NodeConfig config;
    final SyncRecorder recorder;
    final int port;
    volatile Node node;

    Slot(int index, NodeConfig config, Node node, SyncRecorder recorder) {
      this.index = index;
      this.config = config;
      this.node = node;
      this.recorder = recorder;
      this.port = node.localAddress().getPort();
    }
  }

  /** Builds and starts a {@link TestNetwork}; not thread-safe. */
  public static final class Builder {
    private int nodes = 1;
    private long seed;
    private final List<UnaryOperator<NodeConfig.Builder>> everyNode = new ArrayList<>();
    private final Map<Integer, List<UnaryOperator<NodeConfig.Builder>>> perNode = new HashMap<>();
    private final Set<Integer> sqlite = new TreeSet<>();
    private boolean sqliteAll;
    private Path dataRoot;
    private Duration threadExitTimeout = THREAD_EXIT_TIMEOUT;

    private Builder() {}

    /** The number of nodes (default 1). */
    public Builder nodes(int nodes) {
      if (nodes < 1) {
        throw new IllegalArgumentException("Expected at least 1 node but was " + nodes);
      }
      this.nodes = nodes;
      return this;
    }

    /** The seed the nodes' key pairs derive from (default 0). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Changes every node's configuration after the test defaults are set; operators apply in the
     * order they were added, before the per-node ones.
     */
    public Builder configure(UnaryOperator<NodeConfig.Builder> operator) {
      everyNode.add(Objects.requireNonNull(operator, "operator"));
      return this;
    }

    /** Changes node {@code index}'s configuration, after the operators for every node. */
    public Builder configure(int index, UnaryOperator<NodeConfig.Builder> operator) {
      perNode
          .computeIfAbsent(index, i -> new ArrayList<>())
          .add(Objects.requireNonNull(operator, "operator"));
      return this;
    }

    /** Gives every node a SQLite store in its own temporary directory. */
    public Builder sqlite() {
      this.sqliteAll = true;
      return this;
    }

    /** Gives node {@code index} a SQLite store in its own temporary directory. */
    public Builder sqlite(int index) {
      sqlite.add(index);
      return this;
    }

    /**
     * Puts the SQLite nodes' directories ({@code node-<i>}) under {@code root}, which the caller
     * owns (for example a JUnit {@code @TempDir}); by default the network creates a temporary
     * directory and deletes it on close.
     */
    public Builder dataRoot(Path root) {
      this.dataRoot = Objects.requireNonNull(root, "root");
      return this;
    }

    /**
     * How long {@link TestNetwork#close()} waits for the nodes' threads to end before it fails
     * (default {@link TestNetwork#THREAD_EXIT_TIMEOUT}).
     */
    public Builder threadExitTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("Expected a timeout >= 0 but was " + timeout);
      }
      this.threadExitTimeout = timeout;
      return this;
    }

    /** The key pair node {@code index} will have with the current seed. */
    public KeyPair keyPair(int index) {
      Random random = new Random(seed * 1_000_003L + index);
      byte[] key = new byte[32];
      random.nextBytes(key);
      return KeyPair.fromSeed(key);
    }

    /**
     * Starts the nodes and returns once every one is listening. Nothing is connected yet.
     *
     * @throws UncheckedIOException if a node cannot start (the ones started are closed)
     */
    public TestNetwork build() {
      for (Integer i : perNode.keySet()) {
        if (i < 0 || i >= nodes) {
          throw new IllegalArgumentException(
              "Expected configure() indexes in [0, " + nodes + ") but was " + i);
        }
      }
      Set<Thread> before = grapevineThreads();
      Path owned = null;
      List<Slot> slots = new ArrayList<>();
      try {
        Path root = dataRoot;
        if (root == null && (sqliteAll || !sqlite.isEmpty())) {
          owned = Files.createTempDirectory("grapevine-testnet-");
          root = owned;
        }
        for (int i = 0; i < nodes; i++) {
          NodeConfig.Builder b =
              NodeConfig.builder()
                  .ephemeral(true)
                  .keyPair(keyPair(i))
                  .transport(TEST_TRANSPORT)
                  .sync(TEST_SYNC);
          if (sqliteAll || sqlite.contains(i)) {
            b.ephemeral(false).dataDir(root.resolve("node-" + i));
          }
          for (UnaryOperator<NodeConfig.Builder> op : everyNode) {
            b = op.apply(b);
          }
          for (UnaryOperator<NodeConfig.Builder> op : perNode.getOrDefault(i, List.of())) {
            b = op.apply(b);
          }
          NodeConfig config = b.build();
          if (config.keyPair().isEmpty()) {
            config = config.toBuilder().keyPair(keyPair(i)).build();
          }
          SyncRecorder recorder = new SyncRecorder();
          Node node = startNode(config, recorder);
          slots.add(new Slot(i, config, node, recorder));
        }
      } catch (IOException | RuntimeException e) {
        for (Slot s : slots) {
          s.node.close();
        }
        if (owned != null) {
          deleteRecursively(owned);
        }
        if (e instanceof IOException) {
          throw new UncheckedIOException((IOException) e);
        }
        throw (RuntimeException) e;
      }
      return new TestNetwork(List.copyOf(slots), before, threadExitTimeout, owned);
    }
  }
}
