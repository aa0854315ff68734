package dev.grapevine.tests.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.anproto.Hash;
import dev.grapevine.store.MessageStore;
import dev.grapevine.sync.AnprotoSync;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.testing.InMemoryLinks;
import dev.grapevine.testing.ManualScheduler;
import dev.grapevine.testing.RecordingLinkHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A hash that no node has must not circulate between nodes for ever. */
class GossipLoopTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Instant START = Instant.parse("2025-08-15T12:00:00Z");

  private final InMemoryLinks net = InMemoryLinks.create();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private final class Peer {
    final MessageStore store = MessageStore.inMemory();
    final ManualScheduler scheduler = ManualScheduler.at(START);
    final AnprotoSync sync =
        AnprotoSync.builder(store, scheduler)
            .config(SyncConfig.builder().verifyThreads(2).build())
            .build();

    Peer() {
      closeables.add(
          () -> {
            sync.close();
            store.close();
            scheduler.close();
          });
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    net.close();
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private static void link(Peer a, Peer b, InMemoryLinks net) {
    int beforeA = a.sync.openLinks().size();
    int beforeB = b.sync.openLinks().size();
    net.connect(a.sync, b.sync);
    await()
        .atMost(WAIT)
        .until(() -> a.sync.openLinks().size() > beforeA && b.sync.openLinks().size() > beforeB);
  }

  private static void settle(List<Peer> peers) {
    await()
        .atMost(WAIT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(2))
        .until(() -> peers.stream().allMatch(p -> p.sync.stats().pendingFrames() == 0));
  }

  @Test
  void anUnknownHashAskedByAClientExpiresOnEveryNode() {
    Peer a = new Peer();
    Peer b = new Peer();
    List<Peer> peers = List.of(a, b);
    link(a, b, net);
    RecordingLinkHandler client = new RecordingLinkHandler();
    net.connect(client, a.sync);
    client.link();
    await().atMost(WAIT).until(() -> a.sync.openLinks().size() == 2);
    Hash nobodyHasIt = Hash.of("a blob that no node has");

    client.send(nobodyHasIt.value());
    await().atMost(WAIT).until(() -> b.sync.gossip().isWanted(nobodyHasIt));
    settle(peers);
    client.link().close(dev.grapevine.transport.CloseReason.NORMAL, "bye");

    // Ten gossip expiries, one gossip interval at a time, letting the frames of each round land.
    Duration step = SyncConfig.DEFAULT.gossipInterval();
    long steps = SyncConfig.DEFAULT.gossipExpiry().multipliedBy(10).dividedBy(step);
    for (long i = 0; i < steps; i++) {
      for (Peer p : peers) {
        p.scheduler.advance(step);
      }
      settle(peers);
    }

    assertThat(a.sync.gossip().isWanted(nobodyHasIt))
        .as("still wanted on the first node")
        .isFalse();
    assertThat(b.sync.gossip().isWanted(nobodyHasIt))
        .as("still wanted on the second node")
        .isFalse();
  }

  @Test
  void anUnknownHashExpiresAroundATriangleWhoseClocksAreOutOfPhase() {
    Peer a = new Peer();
    Peer b = new Peer();
    Peer c = new Peer();
    List<Peer> peers = List.of(a, b, c);
    link(a, b, net);
    link(b, c, net);
    link(c, a, net);
    // Gossip rounds of the three nodes tick at different moments.
    b.scheduler.advance(Duration.ofSeconds(3));
    c.scheduler.advance(Duration.ofSeconds(7));
    RecordingLinkHandler client = new RecordingLinkHandler();
    net.connect(client, a.sync);
    client.link();
    await().atMost(WAIT).until(() -> a.sync.openLinks().size() == 3);
    Hash nobodyHasIt = Hash.of("another blob that no node has");

    client.send(nobodyHasIt.value());
    await().atMost(WAIT).until(() -> c.sync.gossip().isWanted(nobodyHasIt));
    settle(peers);
    client.link().close(dev.grapevine.transport.CloseReason.NORMAL, "bye");

    Duration step = Duration.ofSeconds(3);
    long steps = SyncConfig.DEFAULT.gossipExpiry().multipliedBy(5).dividedBy(step);
    for (long i = 0; i < steps; i++) {
      for (Peer p : peers) {
        p.scheduler.advance(step);
      }
      settle(peers);
    }

    for (Peer p : peers) {
      assertThat(p.sync.gossip().isWanted(nobodyHasIt)).isFalse();
    }
  }
}
