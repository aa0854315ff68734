package dev.grapevine.tests.conn;

import static dev.grapevine.tests.conn.SchedulerRig.address;
import static dev.grapevine.tests.conn.SchedulerRig.lanAddress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.hub.HubEvent;
import dev.grapevine.conn.scheduler.ConnScheduler;
import dev.grapevine.conn.scheduler.SchedulerConfig;
import dev.grapevine.tests.conn.SchedulerRig.Answer;
import dev.grapevine.tests.conn.SchedulerRig.Dial;
import dev.grapevine.tests.conn.SchedulerRig.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The tiered (ssb-conn 5) scheduler on a manual clock. */
class TieredSchedulerTest {
  private static final long ROUND_SLACK = 3_600;

  private final SchedulerRig rig = new SchedulerRig();

  @AfterEach
  void close() {
    rig.close();
  }

  private static SchedulerConfig.Builder tiered() {
    return SchedulerConfig.builder().strategy(SchedulerConfig.Strategy.TIERED);
  }

  @Test
  void withNothingConnectedADeadPeerBacksOffExponentiallyUpToTenMinutesNotSixSeconds() {
    ConnAddress dead = address(1);
    rig.dialer.answer(dead, Answer.REFUSE);
    rig.remember(dead, "type", "pub");
    rig.start(tiered().build());
    rig.run(Duration.ofHours(2));

    List<Dial> dials = rig.dialsOf(dead);
    // 2 s, 4 s, ... 512 s, then every 10 min: about 20 dials in 2 h (upstream's 6 s cap: ~1,200)
    assertThat(dials).hasSizeBetween(15, 25);
    assertThat(rig.stored(dead).failure()).isEqualTo(dials.size());
    for (int k = 1; k < dials.size(); k++) {
      long gap = dials.get(k).millis() - dials.get(k - 1).millis();
      long backoff = Math.min(1_000L << k, 600_000L);
      assertThat(gap).as("gap after %d failures", k).isBetween(backoff, backoff + ROUND_SLACK);
    }
  }

  @Test
  void nextAttemptsAreTheEndOfEachWaitingPeersBackoff() {
    long failedAt = SchedulerRig.START.toEpochMilli();
    ConnAddress dead = address(1);
    ConnAddress alive = address(2);
    rig.dialer.answer(dead, Answer.REFUSE);
    rig.remember(dead, "type", "pub", "failure", 3, "stateChange", failedAt);
    rig.remember(alive, "type", "pub");
    ConnScheduler s = rig.start(tiered().build());
    rig.run(Duration.ofSeconds(30));

    assertThat(rig.connected()).containsExactly(alive);
    // Only-failed tier: 2³ × 1 min (the desperate tier does not apply while a peer is connected).
    assertThat(s.nextAttempts()).containsExactly(Map.entry(dead.toString(), failedAt + 480_000));
    rig.run(Duration.ofMinutes(8));
    assertThat(rig.dialsOf(dead))
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.millis())
                    .isBetween(failedAt + 480_000, failedAt + 480_000 + ROUND_SLACK));
  }

  @Test
  void theDesperateTiersCapIsConfigurable() {
    ConnAddress dead = address(1);
    rig.dialer.answer(dead, Answer.REFUSE);
    rig.remember(dead, "type", "pub");
    rig.start(tiered().tieredDesperateMaxBackoff(Duration.ofMinutes(1)).build());
    rig.run(Duration.ofMinutes(30));
    List<Dial> dials = rig.dialsOf(dead);
    long last = dials.get(dials.size() - 1).millis() - dials.get(dials.size() - 2).millis();
    assertThat(last).isBetween(60_000L, 60_000L + ROUND_SLACK);
  }

  @Test
  void roomsAreKeptAtTheRoomQuota() {
    for (int i = 1; i <= 7; i++) {
      rig.remember(address(i), "type", "room");
    }
    rig.start(tiered().build());
    rig.run(Duration.ofMinutes(1));
    assertThat(rig.connected()).hasSize(5);
  }

  @Test
  void aSmallerRoomQuotaIsKept() {
    for (int i = 1; i <= 7; i++) {
      rig.remember(address(i), "type", "room");
    }
    rig.start(tiered().roomQuota(2).build());
    rig.run(Duration.ofMinutes(1));
    assertThat(rig.connected()).hasSize(2);
  }

  @Test
  void connectionsOlderThanThirtyMinutesAreRecycledExceptLanAndBluetoothOnes() {
    rig.remember(address(1), "type", "pub");
    rig.start(tiered().build());
    // Remembered after the start, which forgets stored LAN peers.
    rig.remember(lanAddress(2), "type", "lan");
    rig.run(Duration.ofMinutes(1));
    assertThat(rig.connected()).containsExactlyInAnyOrder(address(1), lanAddress(2));

    rig.run(Duration.ofMinutes(40));
    Event connected = rig.eventsOf(address(1), HubEvent.Type.CONNECTED).get(0);
    Event dropped = rig.eventsOf(address(1), HubEvent.Type.DISCONNECTED).get(0);
    assertThat(dropped.millis() - connected.millis())
        .isBetween(1_800_000L, 1_800_000L + ROUND_SLACK);
    assertThat(rig.eventsOf(lanAddress(2), HubEvent.Type.DISCONNECTED)).isEmpty();
    assertThat(rig.connected()).contains(lanAddress(2));
  }

  @Test
  void aDialThatHangsIsCancelledAfterTheConnectTimeout() {
    rig.dialer.answer(address(1), Answer.SILENT);
    rig.remember(address(1), "type", "pub");
    rig.start(tiered().build());
    rig.run(Duration.ofSeconds(15));
    Event start = rig.eventsOf(address(1), HubEvent.Type.CONNECTING).get(0);
    Event end = rig.eventsOf(address(1), HubEvent.Type.DISCONNECTED).get(0);
    assertThat(end.millis() - start.millis()).isBetween(10_000L, 10_000L + ROUND_SLACK);
    assertThat(rig.stored(address(1)).failure()).isEqualTo(1);
  }

  @Test
  void stagedStrangersAreNotDialled() {
    rig.staging.stage(address(1), java.util.Map.of("type", "internet"));
    rig.start(tiered().build());
    rig.run(Duration.ofMinutes(1));
    assertThat(rig.dialer.dials).isEmpty();
  }
}
