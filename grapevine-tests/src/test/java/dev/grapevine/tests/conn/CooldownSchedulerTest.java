package dev.grapevine.tests.conn;

import static dev.grapevine.tests.conn.SchedulerRig.address;
import static dev.grapevine.tests.conn.SchedulerRig.lanAddress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.db.PeerData;
import dev.grapevine.conn.hub.ConnState;
import dev.grapevine.conn.hub.HubEvent;
import dev.grapevine.conn.query.Pool;
import dev.grapevine.conn.scheduler.ConnScheduler;
import dev.grapevine.conn.scheduler.SchedulerConfig;
import dev.grapevine.tests.conn.SchedulerRig.Answer;
import dev.grapevine.tests.conn.SchedulerRig.Dial;
import dev.grapevine.tests.conn.SchedulerRig.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The default (ssb-conn 6) scheduler on a manual clock. */
class CooldownSchedulerTest {
  /** A tick (2 s) plus the largest update fuzz (1.5 s) plus a step: how late a round may come. */
  private static final long ROUND_SLACK = 3_600;

  private final SchedulerRig rig = new SchedulerRig();

  @AfterEach
  void close() {
    rig.close();
  }

  private static SchedulerConfig.Builder config() {
    return SchedulerConfig.builder();
  }

  @Test
  void rememberedPeersAreDialledUpToThePeerQuotaAndAFreedSlotIsFilledAgain() {
    for (int i = 1; i <= 6; i++) {
      rig.remember(address(i), "type", "pub");
    }
    rig.start(config().build());
    rig.run(Duration.ofSeconds(10));

    assertThat(rig.connected()).hasSize(4);
    assertThat(rig.dialer.dials).hasSize(4);

    rig.dialer.links.get(0).closedByPeer();
    rig.settle();
    assertThat(rig.connected()).hasSize(3);
    rig.run(Duration.ofSeconds(10));
    assertThat(rig.connected()).hasSize(4);
    assertThat(rig.dialer.dials).hasSize(5);
  }

  @Test
  void roomsHaveTheirOwnQuotaBesideTheOtherPeers() {
    for (int i = 1; i <= 7; i++) {
      rig.remember(address(i), "type", "room");
    }
    for (int i = 11; i <= 16; i++) {
      rig.remember(address(i), "type", "pub");
    }
    rig.start(config().build());
    rig.run(Duration.ofSeconds(10));

    List<String> types =
        rig.query.peersConnected().stream().map(p -> (String) p.data().get("type")).toList();
    assertThat(types).filteredOn("room"::equals).hasSize(5);
    assertThat(types).filteredOn("pub"::equals).hasSize(4);
  }

  @Test
  void configuredQuotasAreKept() {
    for (int i = 1; i <= 6; i++) {
      rig.remember(address(i), "type", "pub");
    }
    rig.start(config().peerQuota(2).build());
    rig.run(Duration.ofSeconds(30));
    assertThat(rig.connected()).hasSize(2);
  }

  @Test
  void stagedStrangersAreNotDialledUnlessTheHopSourceTrustsThem() {
    rig.staging.stage(address(1), Map.of("type", "internet"));
    rig.start(config().build());
    rig.run(Duration.ofMinutes(1));
    assertThat(rig.dialer.dials).isEmpty();
    rig.scheduler.stop();
    rig.settle();

    rig.start(
        config().build(), p -> p.pool() == Pool.STAGING ? OptionalInt.of(2) : OptionalInt.empty());
    rig.run(Duration.ofSeconds(10));
    assertThat(rig.connected()).containsExactly(address(1));
    assertThat(rig.staging.entries()).as("connecting unstages the peer").isEmpty();
  }

  @Test
  void peersRememberedWithAutoconnectFalseAreStagedForTheUserAndNotDialled() {
    rig.remember(address(1), "type", "pub", "autoconnect", false);
    rig.start(config().build());
    rig.run(Duration.ofMinutes(1));
    assertThat(rig.dialer.dials).isEmpty();
    assertThat(rig.staging.entries())
        .singleElement()
        .satisfies(e -> assertThat(e.address()).isEqualTo(address(1)));
  }

  @Test
  void aDeadPeerIsRetriedLessAndLessOftenAsItsFailuresGrow() {
    ConnAddress dead = address(1);
    rig.dialer.answer(dead, Answer.REFUSE);
    rig.remember(dead, "type", "pub");
    rig.start(config().build());
    rig.run(Duration.ofMinutes(25));

    List<Dial> dials = rig.dialsOf(dead);
    assertThat(dials).hasSizeBetween(6, 8);
    assertThat(rig.stored(dead).failure()).isEqualTo(dials.size());
    List<Long> gaps = new ArrayList<>();
    for (int k = 1; k < dials.size(); k++) {
      long gap = dials.get(k).millis() - dials.get(k - 1).millis();
      // After k failures with nothing connected: (1 s hop + 4 s + k³ × 10 s) × 0.1 × 3 (only
      // failures), halved by the 0.3 coin at most once.
      double cooldown = (1_000 + 4_000 + Math.pow(k, 3) * 10_000) * 0.1 * 3;
      assertThat(gap)
          .as("gap after %d failures", k)
          .isBetween((long) (cooldown * 0.5), (long) cooldown + ROUND_SLACK);
      gaps.add(gap);
    }
    assertThat(gaps).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void nextAttemptsSayWhenAWaitingPeerMayBeDialledAndLeaveOutThoseThatWillNotBe() {
    long failedAt = SchedulerRig.START.toEpochMilli();
    ConnAddress dead = address(1);
    ConnAddress manual = address(2);
    ConnAddress alive = address(3);
    rig.dialer.answer(dead, Answer.REFUSE);
    rig.remember(dead, "type", "pub", "failure", 3, "stateChange", failedAt);
    rig.remember(manual, "type", "pub", "autoconnect", false);
    rig.remember(alive, "type", "pub");
    ConnScheduler s = rig.start(config().build());
    rig.run(Duration.ofSeconds(10));

    assertThat(rig.connected()).containsExactly(alive);
    assertThat(rig.dialsOf(dead)).isEmpty();
    Map<String, Long> next = s.nextAttempts();
    assertThat(next).containsOnlyKeys(dead.toString());
    // (1 s hop + 4 s + 3³ × 10 s) × 0.25 (3 of 4 slots free) × 3 (only failures), maybe halved.
    long cooldown = (1_000 + 4_000 + 27 * 10_000) * 3 / 4;
    assertThat(next.get(dead.toString()) - failedAt).isIn(cooldown, cooldown / 2);

    s.stop();
    assertThat(s.nextAttempts()).isEmpty();
  }

  @Test
  void rotationSwapsTheOldestConnectionForAWaitingPeerAboutEveryRotationPeriod() {
    for (int i = 1; i <= 3; i++) {
      rig.remember(address(i), "type", "pub");
    }
    rig.start(config().peerQuota(2).build());
    rig.run(Duration.ofSeconds(10));
    List<ConnAddress> first = rig.connected();
    assertThat(first).hasSize(2);

    // The period is 2 h × [0.8, 1.2) / √1 waiting peer: nothing moves for 95 minutes.
    rig.run(Duration.ofMinutes(95));
    assertThat(rig.events).noneMatch(e -> e.type() == HubEvent.Type.DISCONNECTED);

    rig.run(Duration.ofMinutes(50));
    List<Event> drops =
        rig.events.stream().filter(e -> e.type() == HubEvent.Type.DISCONNECTED).toList();
    assertThat(drops).hasSize(1);
    assertThat(first).contains(drops.get(0).address());
    ConnAddress waiting =
        List.of(address(1), address(2), address(3)).stream()
            .filter(a -> !first.contains(a))
            .findFirst()
            .orElseThrow();
    assertThat(rig.connected()).hasSize(2).contains(waiting);
  }

  @Test
  void moreThanTwiceTheQuotaIsTrimmedToTheQuotaOnAClient() {
    for (int i = 1; i <= 3; i++) {
      rig.inbound(i);
    }
    rig.start(config().peerQuota(1).build());
    assertThat(rig.connected()).hasSize(3);
    // excessPeriod (2 min) × [0.8, 1.2) / 2 excess peers: at most 72 s
    rig.run(Duration.ofSeconds(75));
    assertThat(rig.connected()).hasSize(1);
  }

  @Test
  void aPubNeverTrimsInboundPeersAndStillDialsItsRememberedPeers() {
    for (int i = 1; i <= 3; i++) {
      rig.inbound(i);
    }
    rig.remember(address(9), "type", "pub");
    rig.start(config().role(SchedulerConfig.Role.PUB).peerQuota(1).build());
    rig.run(Duration.ofMinutes(10));
    assertThat(rig.inState(ConnState.CONNECTED))
        .hasSize(4)
        .filteredOn(e -> !e.isClient())
        .hasSize(3);
    assertThat(rig.connected()).contains(address(9));
    assertThat(rig.events).noneMatch(e -> e.type() == HubEvent.Type.DISCONNECTING);
  }

  @Test
  void dialsStillConnectingAreCancelledAfterTheirTypesTimeoutAndCountAsFailures() {
    ConnAddress internet = address(1); // type pub: 10 s
    ConnAddress lan = lanAddress(2); // the hub infers lan from 192.168.x: 30 s
    ConnAddress dht = address(3); // type dht: 300 s
    for (ConnAddress a : List.of(internet, lan, dht)) {
      rig.dialer.answer(a, Answer.SILENT);
    }
    rig.remember(internet, "type", "pub");
    rig.remember(lan);
    rig.remember(dht, "type", "dht");
    rig.start(config().build());
    rig.run(Duration.ofMinutes(6));

    assertThat(firstAttempt(internet)).isBetween(10_000L, 10_000L + ROUND_SLACK);
    assertThat(firstAttempt(lan)).isBetween(30_000L, 30_000L + ROUND_SLACK);
    assertThat(firstAttempt(dht)).isBetween(300_000L, 300_000L + ROUND_SLACK);
    assertThat(rig.stored(internet).failure()).isGreaterThanOrEqualTo(2);
    assertThat(rig.stored(dht).failure()).isEqualTo(1);
  }

  /** How long the first dial of {@code a} stayed connecting before it was cancelled. */
  private long firstAttempt(ConnAddress a) {
    Event start = rig.eventsOf(a, HubEvent.Type.CONNECTING).get(0);
    Event end = rig.eventsOf(a, HubEvent.Type.DISCONNECTED).get(0);
    return end.millis() - start.millis();
  }

  @Test
  void stagedLanPeersExpireAfter10SecondsAndBluetoothPeersAfter30() {
    rig.staging.stage(lanAddress(1), Map.of("type", "lan"));
    rig.staging.stage(address(2), Map.of("type", "bt"));
    rig.staging.stage(address(3), Map.of("type", "internet"));
    rig.start(config().build());

    rig.run(Duration.ofMillis(9_500));
    assertThat(staged()).containsExactlyInAnyOrder(lanAddress(1), address(2), address(3));
    rig.run(Duration.ofSeconds(5));
    assertThat(staged()).containsExactlyInAnyOrder(address(2), address(3));
    rig.run(Duration.ofSeconds(15));
    assertThat(staged()).containsExactlyInAnyOrder(address(2), address(3));
    rig.run(Duration.ofSeconds(5));
    assertThat(staged()).containsExactly(address(3));
    rig.run(Duration.ofMinutes(5));
    assertThat(staged()).containsExactly(address(3));
  }

  @Test
  void aLanPeerStagedAgainBeforeItsWindowEndsStaysStaged() {
    rig.start(config().build());
    for (int i = 0; i < 10; i++) {
      rig.staging.stage(lanAddress(1), Map.of("type", "lan"));
      rig.run(Duration.ofSeconds(5));
    }
    assertThat(staged()).containsExactly(lanAddress(1));
  }

  private List<ConnAddress> staged() {
    return rig.staging.entries().stream().map(e -> e.address()).toList();
  }

  @Test
  void aTickThatComesLongAfterItWasDueMeansTheMachineSleptAndResetsEveryConnection() {
    rig.remember(address(1), "type", "pub");
    rig.remember(address(2), "type", "pub");
    rig.start(config().build());
    rig.run(Duration.ofSeconds(5));
    assertThat(rig.connected()).hasSize(2);

    rig.sleep(Duration.ofSeconds(20)); // late, but not past the 30 s threshold
    assertThat(rig.events).noneMatch(e -> e.type() == HubEvent.Type.DISCONNECTED);

    long wake = rig.clock.millis() + Duration.ofMinutes(5).toMillis();
    rig.sleep(Duration.ofMinutes(5));
    assertThat(rig.events)
        .filteredOn(e -> e.type() == HubEvent.Type.DISCONNECTED)
        .extracting(Event::millis)
        .containsExactly(wake, wake);
    rig.run(Duration.ofSeconds(10));
    assertThat(rig.connected()).hasSize(2);
  }

  @Test
  void aNetworkChangeSeenByTheProbeOrSignalledResetsEveryConnection() {
    rig.remember(address(1), "type", "pub");
    ConnScheduler s = rig.start(config().build());
    rig.run(Duration.ofSeconds(5));
    assertThat(rig.connected()).hasSize(1);

    rig.network = Set.of("wlan0/198.51.100.7");
    rig.run(Duration.ofSeconds(3));
    assertThat(rig.eventsOf(address(1), HubEvent.Type.DISCONNECTED)).hasSize(1);
    rig.run(Duration.ofSeconds(10));
    assertThat(rig.connected()).hasSize(1);

    s.networkChanged();
    rig.settle();
    assertThat(rig.eventsOf(address(1), HubEvent.Type.DISCONNECTED)).hasSize(2);
    rig.run(Duration.ofSeconds(10));
    assertThat(rig.connected()).hasSize(1);

    s.wokeUp();
    rig.settle();
    assertThat(rig.eventsOf(address(1), HubEvent.Type.DISCONNECTED)).hasSize(3);
  }

  @Test
  void withoutANetworkOnlyPeersOnThisMachineAreDialled() {
    ConnAddress local = ConnAddress.parse("ws://127.0.0.1:9001~shs:" + SchedulerRig.key(2));
    rig.network = Set.of();
    rig.remember(address(1), "type", "pub");
    rig.remember(local, "type", "pub");
    rig.start(config().build());
    rig.run(Duration.ofSeconds(30));
    assertThat(rig.connected()).containsExactly(local);
    assertThat(rig.stored(address(1)).failure()).isZero();

    rig.network = Set.of("eth0/192.0.2.10");
    rig.run(Duration.ofSeconds(10));
    assertThat(rig.connected()).contains(address(1));
  }

  @Test
  void aPeerMarkedBlockedIsDisconnectedAndNotDialledAgain() {
    rig.remember(address(1), "type", "pub");
    rig.start(config().build());
    rig.run(Duration.ofSeconds(5));
    assertThat(rig.connected()).containsExactly(address(1));

    rig.db.update(address(1).toString(), PeerData.of(Map.of("blocked", true)));
    rig.run(Duration.ofMinutes(5));
    assertThat(rig.connected()).isEmpty();
    assertThat(rig.dialer.dials).hasSize(1);
  }

  @Test
  void stopDisconnectsEveryPeerAndDialsNoMoreUntilStartedAgain() {
    rig.remember(address(1), "type", "pub");
    rig.remember(address(2), "type", "pub");
    ConnScheduler s = rig.start(config().build());
    rig.run(Duration.ofSeconds(5));
    assertThat(rig.connected()).hasSize(2);

    s.stop();
    rig.settle();
    assertThat(s.isRunning()).isFalse();
    assertThat(rig.hub.entries()).isEmpty();
    rig.run(Duration.ofMinutes(2));
    assertThat(rig.dialer.dials).hasSize(2);

    s.start();
    rig.run(Duration.ofSeconds(10));
    assertThat(rig.connected()).hasSize(2);
  }

  @Test
  void startForgetsLanAndBluetoothEntriesAndRevivesDefunctOnes() {
    rig.remember(lanAddress(1), "type", "lan");
    rig.remember(address(2), "source", "bt");
    rig.remember(address(3), "type", "pub", "defunct", true, "autoconnect", false);
    rig.remember(address(4), "type", "pub");
    rig.start(config().build());

    assertThat(rig.db.has(lanAddress(1).toString())).isFalse();
    assertThat(rig.db.has(address(2).toString())).isFalse();
    assertThat(rig.stored(address(3)).has("defunct")).isFalse();
    assertThat(rig.stored(address(3)).has("autoconnect")).isFalse();
    rig.run(Duration.ofSeconds(5));
    assertThat(rig.connected()).containsExactlyInAnyOrder(address(3), address(4));
  }

  @Test
  void theSameSeedGivesTheSameDials() {
    List<Long> first = deadPeerDialTimes();
    List<Long> second = deadPeerDialTimes();
    assertThat(second).isEqualTo(first).hasSizeGreaterThan(3);
  }

  private static List<Long> deadPeerDialTimes() {
    try (SchedulerRig r = new SchedulerRig()) {
      r.dialer.answer(address(1), Answer.REFUSE);
      r.remember(address(1), "type", "pub");
      r.remember(address(2), "type", "pub");
      r.start(SchedulerConfig.DEFAULT);
      r.run(Duration.ofMinutes(10));
      return r.dialsOf(address(1)).stream().map(Dial::millis).toList();
    }
  }

  @Test
  void theHubEntryOfAScheduledDialCarriesItsPoolTypeAndCooldown() {
    rig.dialer.answer(address(1), Answer.SILENT);
    rig.remember(address(1), "type", "pub");
    rig.start(config().build());
    rig.run(Duration.ofSeconds(1));
    assertThat(rig.inState(ConnState.CONNECTING))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.data()).containsEntry("pool", "db").containsEntry("type", "pub");
              assertThat(e.data().get("cooldown")).isInstanceOf(Long.class);
            });
  }
}
