package dev.grapevine.tests.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.store.MessageStore;
import dev.grapevine.sync.PubClient;
import dev.grapevine.testing.InMemoryLinks;
import dev.grapevine.testing.RecordingLinkHandler;
import dev.grapevine.testing.TestKeys;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several protocol instances joined by in-memory links. */
class MultiNodeTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final InMemoryLinks net = InMemoryLinks.create();
  private final List<SyncNode> nodes = new ArrayList<>();
  private final KeyPair alice = TestKeys.key(1);

  @AfterEach
  void tearDown() {
    net.close();
    nodes.forEach(SyncNode::close);
  }

  private SyncNode node() {
    SyncNode n = new SyncNode();
    nodes.add(n);
    return n;
  }

  private void link(SyncNode a, SyncNode b) {
    int beforeA = a.sync.openLinks().size();
    int beforeB = b.sync.openLinks().size();
    net.connect(a.sync, b.sync);
    await()
        .atMost(WAIT)
        .until(() -> a.sync.openLinks().size() > beforeA && b.sync.openLinks().size() > beforeB);
  }

  @Test
  void aMessageCrossesATriangleOnceAndTheRelaysStop() {
    SyncNode a = node();
    SyncNode b = node();
    SyncNode c = node();
    link(a, b);
    link(b, c);
    link(c, a);
    Msg m = Msg.sign(alice, SyncNode.START.toEpochMilli(), "around the triangle");

    assertThat(a.sync.publish(m.message(), m.content())).succeedsWithin(WAIT).isEqualTo(true);

    for (SyncNode n : List.of(b, c)) {
      await().atMost(WAIT).until(() -> n.store.byHash(m.hash()).flatMap(e -> e.text()).isPresent());
    }
    await()
        .atMost(WAIT)
        .until(() -> nodes.stream().allMatch(n -> n.sync.stats().pendingFrames() == 0));
    for (SyncNode n : nodes) {
      assertThat(n.sync.stats().messagesStored()).as("stored once").isEqualTo(1);
      assertThat(n.sync.stats().relayed()).as("relays per node are bounded").isLessThanOrEqualTo(4);
    }
    long framesBefore = totalFramesOut();
    for (SyncNode n : nodes) {
      n.scheduler.advance(Duration.ofMinutes(3)); // gossip rounds and expiry: nothing left to ask
    }
    await()
        .atMost(WAIT)
        .until(() -> nodes.stream().allMatch(n -> n.sync.stats().pendingFrames() == 0));
    assertThat(totalFramesOut()).as("quiet once synced").isEqualTo(framesBefore);
  }

  private long totalFramesOut() {
    return nodes.stream().mapToLong(n -> n.sync.stats().framesOut()).sum();
  }

  @Test
  void aRequestIsForwardedThroughAMiddleNodeAndAnsweredWhenTheBlobArrives() {
    SyncNode holder = node();
    SyncNode middle = node();
    link(middle, holder);
    Msg m = Msg.sign(alice, SyncNode.START.toEpochMilli(), "held far away").storeIn(holder.store);
    RecordingLinkHandler asker = new RecordingLinkHandler();
    net.connect(asker, middle.sync);
    asker.link();
    await().atMost(WAIT).until(() -> middle.sync.openLinks().size() == 2);

    asker.send(m.hash().value());

    asker.takeUntil(m.sig());
    asker.send(m.contentHash().value());
    asker.takeUntil(m.content());
    assertThat(middle.store.byHash(m.hash()).flatMap(e -> e.text())).contains(m.content());
  }

  @Test
  void aChainIsBackfilledIntoTheDurableStore(@TempDir Path dir) {
    SyncNode pub = node();
    List<Msg> chain = Msg.chain(alice, SyncNode.START.toEpochMilli() - 60_000, 20);
    chain.forEach(m -> m.storeIn(pub.store));
    URI uri = URI.create("ws://pub.test/");
    net.register(uri, pub.sync);
    SyncNode durable =
        new SyncNode(MessageStore.sqlite(dir.resolve("store.db")), SyncNode.TEST_CONFIG);
    nodes.add(durable);

    try (PubClient client =
        PubClient.builder(durable.sync, net.dialer())
            .random(new Random(0))
            .follows(List.of(alice.publicKey()))
            .build()) {
      client.connect(uri);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  durable.store.count() == 20
                      && durable.store.byAuthor(alice.publicKey()).stream()
                          .allMatch(e -> e.text().isPresent()));
    }
    assertThat(durable.store.getLatest(alice.publicKey()).orElseThrow().sig())
        .isEqualTo(chain.get(19).sig());
    assertThat(durable.store.has(Hash.of(chain.get(0).content()))).isTrue();
  }
}
