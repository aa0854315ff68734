package dev.grapevine.tests.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.anproto.Hash;
import dev.grapevine.sync.GossipQueue;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.testing.ManualScheduler;
import dev.grapevine.transport.PeerLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GossipQueueTest {
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  private final ManualScheduler scheduler = ManualScheduler.at(SyncNode.START);
  private final List<PeerLink> peers = new CopyOnWriteArrayList<>();
  private final List<String> asks = new CopyOnWriteArrayList<>();
  private GossipQueue queue;

  @AfterEach
  void tearDown() {
    if (queue != null) {
      queue.close();
    }
    scheduler.close();
  }

  private GossipQueue queue(SyncConfig.Builder config) {
    queue =
        new GossipQueue(
            scheduler,
            config.gossipInterval(INTERVAL).build(),
            () -> peers,
            (peer, h) -> {
              asks.add(peer.id());
              return peer.send(h.value());
            });
    return queue;
  }

  private List<RecordingLink> links(int n) {
    List<RecordingLink> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RecordingLink l = new RecordingLink("p" + i);
      out.add(l);
      peers.add(l);
    }
    return out;
  }

  @Test
  void retriesEveryIntervalUntilResolved() {
    RecordingLink p = links(1).get(0);
    GossipQueue q = queue(SyncConfig.builder().requestCooldown(INTERVAL));
    Hash h = Hash.of("missing");

    q.want(h);
    assertThat(p.count(h.value())).as("asked at once").isEqualTo(1);
    for (int round = 1; round <= 5; round++) {
      scheduler.advance(INTERVAL);
      assertThat(p.count(h.value())).as("after round " + round).isEqualTo(1 + round);
    }
    q.resolve(h);
    scheduler.advance(INTERVAL.multipliedBy(3));
    assertThat(p.count(h.value())).isEqualTo(6);
    assertThat(q.isWanted(h)).isFalse();
    assertThat(q.size()).isZero();
  }

  @Test
  void respectsThePerPeerCooldown() {
    RecordingLink p = links(1).get(0);
    GossipQueue q = queue(SyncConfig.builder().requestCooldown(Duration.ofSeconds(30)));
    Hash h = Hash.of("missing");

    q.want(h, p);
    q.want(h, p); // asked again by the same peer within the cooldown: no second request
    assertThat(p.count(h.value())).isEqualTo(1);
    scheduler.advance(INTERVAL); // t = 10 s
    scheduler.advance(INTERVAL); // t = 20 s
    assertThat(p.count(h.value())).isEqualTo(1);
    scheduler.advance(INTERVAL); // t = 30 s: cooldown over
    assertThat(p.count(h.value())).isEqualTo(2);
  }

  @Test
  void rotatesAmongPeersPreferringTheHintedPeer() {
    List<RecordingLink> ps = links(5);
    GossipQueue q =
        queue(SyncConfig.builder().gossipFanout(2).requestCooldown(Duration.ofSeconds(30)));
    Hash h = Hash.of("missing");

    q.want(h, ps.get(3));
    assertThat(asks).hasSize(2);
    assertThat(asks.get(0)).as("hinted peer first").isEqualTo("p3");
    scheduler.advance(INTERVAL);
    scheduler.advance(INTERVAL);
    assertThat(asks).as("every peer asked once in the first three rounds").hasSize(5);
    assertThat(asks).containsExactlyInAnyOrder("p0", "p1", "p2", "p3", "p4");
    scheduler.advance(INTERVAL); // 30 s: the first two are eligible again
    assertThat(asks).hasSize(7);
    assertThat(asks.subList(5, 7)).containsExactlyInAnyOrderElementsOf(asks.subList(0, 2));
  }

  @Test
  void spreadsFirstRequestsOfDifferentHashesOverThePeers() {
    links(4);
    GossipQueue q = queue(SyncConfig.builder().gossipFanout(1));

    for (int i = 0; i < 8; i++) {
      q.want(Hash.of("missing " + i));
    }

    assertThat(asks).hasSize(8);
    assertThat(asks.stream().distinct().count()).isEqualTo(4);
  }

  @Test
  void expiresAfterTheExpiryUnlessWantedAgain() {
    RecordingLink p = links(1).get(0);
    GossipQueue q =
        queue(SyncConfig.builder().requestCooldown(INTERVAL).gossipExpiry(Duration.ofMinutes(2)));
    Hash gone = Hash.of("given up");
    Hash kept = Hash.of("wanted again");

    q.want(gone);
    q.want(kept);
    scheduler.advance(Duration.ofSeconds(60));
    q.want(kept); // refreshes its expiry
    scheduler.advance(Duration.ofSeconds(60)); // t = 120 s
    assertThat(q.isWanted(gone)).isFalse();
    assertThat(q.isWanted(kept)).isTrue();
    int asked = p.count(gone.value());
    scheduler.advance(Duration.ofSeconds(60));
    assertThat(p.count(gone.value())).as("no requests after expiry").isEqualTo(asked);
    scheduler.advance(Duration.ofSeconds(60)); // t = 240 s
    assertThat(q.size()).isZero();
  }

  @Test
  void isBoundedByMaxMissingHashes() {
    links(1);
    GossipQueue q = queue(SyncConfig.builder().maxMissingHashes(3));

    for (int i = 0; i < 3; i++) {
      assertThat(q.want(Hash.of("h" + i))).isTrue();
    }
    assertThat(q.want(Hash.of("one too many"))).isFalse();
    assertThat(q.size()).isEqualTo(3);
    q.resolve(Hash.of("h0"));
    assertThat(q.want(Hash.of("one too many"))).isTrue();
  }

  @Test
  void aRoundSendsAtMostTheConfiguredNumberOfRequestsAndServesEveryHashInTurn() {
    links(1);
    GossipQueue q =
        queue(
            SyncConfig.builder()
                .maxGossipRequestsPerTick(4)
                .requestCooldown(Duration.ZERO)
                .gossipExpiry(Duration.ofHours(1)));
    List<Hash> hashes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      hashes.add(Hash.of("h" + i));
      q.want(hashes.get(i));
    }
    asks.clear();

    scheduler.advance(INTERVAL);
    assertThat(asks).hasSize(4);
    scheduler.advance(INTERVAL);
    scheduler.advance(INTERVAL);
    assertThat(asks).hasSize(12);
    RecordingLink p = (RecordingLink) peers.get(0);
    for (Hash h : hashes) {
      assertThat(p.count(h.value())).as(h.value()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void closedPeersAreNotAsked() {
    List<RecordingLink> ps = links(2);
    GossipQueue q = queue(SyncConfig.builder().requestCooldown(INTERVAL).gossipFanout(1));
    Hash h = Hash.of("missing");
    q.want(h, ps.get(0));
    peers.remove(ps.get(0));
    q.peerClosed(ps.get(0));
    asks.clear();

    scheduler.advance(INTERVAL);
    scheduler.advance(INTERVAL);

    assertThat(asks).containsOnly("p1");
  }

  @Test
  void closeStopsTheRounds() {
    RecordingLink p = links(1).get(0);
    GossipQueue q = queue(SyncConfig.builder().requestCooldown(INTERVAL));
    q.want(Hash.of("missing"));

    q.close();
    scheduler.advance(INTERVAL.multipliedBy(5));

    assertThat(p.sent()).hasSize(1);
    assertThat(q.want(Hash.of("after close"))).isFalse();
  }
}
