package dev.grapevine.tests.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.sync.PubClient;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.testing.InMemoryLinks;
import dev.grapevine.testing.RecordingLinkHandler;
import dev.grapevine.testing.TestKeys;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Dialer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PubClientTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final URI PUB = URI.create("ws://pub.test/");
  private static final URI PUB2 = URI.create("ws://pub2.test/");

  private final InMemoryLinks net = InMemoryLinks.create();
  private final List<Long> dialTimes = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private SyncNode node;

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    net.close();
    if (node != null) {
      node.close();
    }
  }

  private PubClient client(SyncConfig config, Random random) {
    node = new SyncNode(config);
    Dialer recording =
        (uri, handler) -> {
          dialTimes.add(node.now());
          return net.dialer().dial(uri, handler);
        };
    PubClient c = PubClient.builder(node.sync, recording).random(random).build();
    closeables.add(c);
    return c;
  }

  private PubClient client() {
    return client(SyncConfig.builder().verifyThreads(2).reconnectJitter(0).build(), new Random(0));
  }

  /**
   * Advances the node's clock by {@code d} and checks that exactly one dial happened at its end.
   */
  private void expectDialAfter(Duration d) {
    int before = dialTimes.size();
    node.scheduler.advance(d.minusMillis(1));
    assertThat(dialTimes).as("no dial before " + d).hasSize(before);
    node.scheduler.advance(Duration.ofMillis(1));
    assertThat(dialTimes).as("a dial after " + d).hasSize(before + 1);
  }

  @Test
  void reconnectBackoffDoublesFromOneSecondAndIsCapped() {
    PubClient client = client();

    client.connect(PUB); // nothing registered: every dial fails at once

    assertThat(dialTimes).hasSize(1);
    for (long seconds : new long[] {1, 2, 4, 8, 16, 30, 30, 30}) {
      expectDialAfter(Duration.ofSeconds(seconds));
    }
  }

  @Test
  void reconnectJitterStaysWithinBounds() {
    SyncConfig config = SyncConfig.builder().verifyThreads(2).reconnectJitter(0.5).build();
    PubClient client = client(config, new Random(42));
    PubClient.Connection conn = client.connect(PUB);
    List<Duration> delays = new ArrayList<>();

    long base = 1000;
    for (int attempt = 0; attempt < 10; attempt++) {
      Duration d = conn.lastReconnectDelay().orElseThrow();
      delays.add(d);
      long capped = Math.min(base, 30_000);
      assertThat(d.toMillis())
          .as("attempt " + attempt)
          .isBetween(capped / 2, Math.min(30_000, capped * 3 / 2));
      expectDialAfter(d);
      base *= 2;
    }
    assertThat(delays.stream().map(Duration::toMillis).filter(ms -> ms % 1000 != 0).count())
        .as("jitter applied")
        .isPositive();
  }

  @Test
  void backoffResetsAfterASuccessfulOpen() {
    PubClient client = client();
    PubClient.Connection conn = client.connect(PUB);
    expectDialAfter(Duration.ofSeconds(1));
    expectDialAfter(Duration.ofSeconds(2));
    RecordingLinkHandler pub = new RecordingLinkHandler();
    net.register(PUB, pub);

    expectDialAfter(Duration.ofSeconds(4));
    await().atMost(WAIT).until(conn::isOpen);
    assertThat(conn.failures()).isZero();
    net.unregister(PUB);
    pub.link().close(CloseReason.NORMAL, "pub restarts");
    await().atMost(WAIT).until(() -> !conn.isOpen() && conn.failures() == 1);

    assertThat(conn.lastReconnectDelay()).contains(Duration.ofSeconds(1));
    expectDialAfter(Duration.ofSeconds(1));
    expectDialAfter(Duration.ofSeconds(2));
  }

  @Test
  void oneConnectionPerUrl() {
    PubClient client = client();
    RecordingLinkHandler pub = new RecordingLinkHandler();
    net.register(PUB, pub);

    PubClient.Connection first = client.connect(PUB);
    PubClient.Connection second = client.connect(URI.create("ws://pub.test/./"));

    assertThat(second).isSameAs(first);
    assertThat(client.connections()).containsExactly(first);
    assertThat(dialTimes).hasSize(1);
    await().atMost(WAIT).until(first::isOpen);
  }

  @Test
  void readyCompletesWhenAPubOpensAndRenewsWhenAllClose() {
    PubClient client = client();
    RecordingLinkHandler pub1 = new RecordingLinkHandler();
    RecordingLinkHandler pub2 = new RecordingLinkHandler();
    net.register(PUB, pub1);
    net.register(PUB2, pub2);
    CompletableFuture<Void> initial = client.ready();
    assertThat(initial).isNotDone();

    client.connect(PUB);
    assertThat(initial).succeedsWithin(WAIT);
    PubClient.Connection c2 = client.connect(PUB2);
    await().atMost(WAIT).until(c2::isOpen);
    pub1.link().close(CloseReason.NORMAL, "one closes");
    assertThat(pub1.closed()).succeedsWithin(WAIT);
    assertThat(client.ready()).as("one pub is still open").succeedsWithin(WAIT);

    client.disconnect(PUB2);
    await().atMost(WAIT).until(() -> !client.ready().isDone());
    CompletableFuture<Void> renewed = client.ready();
    net.register(PUB, new RecordingLinkHandler());
    node.scheduler.advance(Duration.ofSeconds(1)); // PUB reconnects
    assertThat(renewed).succeedsWithin(WAIT);
  }

  @Test
  void onOpenSendsPubkeysAndRecentLatestSigsButNotOlderOnes() {
    PubClient client = client();
    KeyPair recent = TestKeys.key(1);
    KeyPair stale = TestKeys.key(2);
    long now = node.now();
    Msg.sign(recent, now - Duration.ofHours(3).toMillis(), "older by recent").storeIn(node.store);
    Msg recentLatest =
        Msg.sign(recent, now - Duration.ofHours(1).toMillis(), "latest by recent")
            .storeIn(node.store);
    Msg staleLatest =
        Msg.sign(stale, now - Duration.ofHours(25).toMillis(), "latest by stale")
            .storeIn(node.store);
    RecordingLinkHandler pub = new RecordingLinkHandler();
    net.register(PUB, pub);

    client.connect(PUB);

    assertThat(pub.take()).isEqualTo(recent.publicKey().value());
    assertThat(pub.take()).isEqualTo(recentLatest.sig());
    assertThat(pub.take()).isEqualTo(stale.publicKey().value());
    pub.send(Hash.of(SyncNode.MARKER).value()); // flush the client's side
    pub.takeUntil(SyncNode.MARKER);
    assertThat(pub.received()).doesNotContain(staleLatest.sig());
  }

  @Test
  void followSetLimitsTheAnnouncedPubkeys() {
    node = new SyncNode();
    KeyPair followed = TestKeys.key(3);
    Msg.sign(TestKeys.key(4), node.now(), "not followed").storeIn(node.store);
    PubClient client =
        PubClient.builder(node.sync, net.dialer())
            .random(new Random(0))
            .follows(List.of(followed.publicKey()))
            .build();
    closeables.add(client);
    RecordingLinkHandler pub = new RecordingLinkHandler();
    net.register(PUB, pub);

    client.connect(PUB);

    assertThat(pub.take()).isEqualTo(followed.publicKey().value());
    pub.send(Hash.of(SyncNode.MARKER).value());
    assertThat(pub.takeUntil(SyncNode.MARKER)).isEmpty();
  }

  @Test
  void fullHistorySendsEveryMsgHashInPages() {
    SyncConfig config =
        SyncConfig.builder()
            .verifyThreads(2)
            .maxAnnouncedPubkeys(0)
            .fullHistory(true)
            .fullHistoryPageSize(2)
            .build();
    PubClient client = client(config, new Random(0));
    KeyPair author = TestKeys.key(5);
    List<Msg> chain = Msg.chain(author, node.now() - 100_000, 5);
    chain.forEach(m -> m.storeIn(node.store));
    RecordingLinkHandler pub = new RecordingLinkHandler();
    net.register(PUB, pub);

    client.connect(PUB);
    assertThat(pub.take()).isEqualTo(chain.get(0).hash().value());
    assertThat(pub.take()).isEqualTo(chain.get(1).hash().value());
    await().atMost(WAIT).until(() -> node.scheduler.pending().size() > 2);
    node.scheduler.advance(Duration.ofSeconds(1));
    assertThat(pub.take()).isEqualTo(chain.get(2).hash().value());
    assertThat(pub.take()).isEqualTo(chain.get(3).hash().value());
    await().atMost(WAIT).until(() -> node.scheduler.pending().size() > 2);
    node.scheduler.advance(Duration.ofSeconds(1));
    assertThat(pub.take()).isEqualTo(chain.get(4).hash().value());
  }

  @Test
  void disconnectStopsReconnecting() {
    PubClient client = client();
    PubClient.Connection conn = client.connect(PUB);

    assertThat(client.disconnect(PUB)).isTrue();
    node.scheduler.advance(Duration.ofMinutes(5));

    assertThat(dialTimes).hasSize(1);
    assertThat(conn.isDisconnected()).isTrue();
    assertThat(client.connections()).isEmpty();
    assertThat(client.disconnect(PUB)).isFalse();
  }

  @Test
  void disconnectClosesAnOpenLinkAndCloseRefusesNewConnections() {
    PubClient client = client();
    RecordingLinkHandler pub = new RecordingLinkHandler();
    net.register(PUB, pub);
    PubClient.Connection conn = client.connect(PUB);
    await().atMost(WAIT).until(conn::isOpen);

    client.close();

    assertThat(pub.closed()).succeedsWithin(WAIT).isEqualTo(CloseReason.REMOTE_CLOSED);
    node.scheduler.advance(Duration.ofMinutes(1));
    assertThat(dialTimes).hasSize(1);
    assertThatThrownBy(() -> client.connect(PUB)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void broadcastSendsToEveryOpenPub() {
    PubClient client = client();
    RecordingLinkHandler pub1 = new RecordingLinkHandler();
    RecordingLinkHandler pub2 = new RecordingLinkHandler();
    net.register(PUB, pub1);
    net.register(PUB2, pub2);
    PubClient.Connection c1 = client.connect(PUB);
    PubClient.Connection c2 = client.connect(PUB2);
    await().atMost(WAIT).until(() -> c1.isOpen() && c2.isOpen());

    assertThat(client.broadcast("hello pubs")).isEqualTo(2);

    assertThat(pub1.takeUntil("hello pubs")).isEmpty();
    assertThat(pub2.takeUntil("hello pubs")).isEmpty();
  }
}
