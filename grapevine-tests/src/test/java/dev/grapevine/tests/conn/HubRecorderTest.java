package dev.grapevine.tests.conn;

import static dev.grapevine.tests.conn.SchedulerRig.address;
import static dev.grapevine.tests.conn.SchedulerRig.lanAddress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.conn.db.Statistics;
import dev.grapevine.conn.hub.HubEvent;
import dev.grapevine.tests.conn.SchedulerRig.Answer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The glue between the hub, the peer database and staging (ssb-conn's interpool glue). */
class HubRecorderTest {
  private final SchedulerRig rig = new SchedulerRig();

  @AfterEach
  void close() {
    rig.close();
  }

  @Test
  void aStagedAddressIsUnstagedOnceItsConnectSucceedsAndItsDataMovesToTheHub() {
    rig.staging.stage(address(1), Map.of("type", "internet", "note", "from a peer list"));
    rig.hub.connect(address(1));
    rig.settle();

    assertThat(rig.connected()).containsExactly(address(1));
    assertThat(rig.staging.entries()).isEmpty();
    assertThat(rig.hub.entry(address(1)).orElseThrow().data())
        .containsEntry("type", "internet")
        .containsEntry("note", "from a peer list");
  }

  @Test
  void connectingUnstagesEveryStagedAddressWithThePeersKey() {
    rig.staging.stage(lanAddress(1), Map.of("type", "lan"));
    rig.hub.connect(address(1));
    rig.settle();
    assertThat(rig.staging.entries()).isEmpty();
    assertThat(rig.hub.entry(address(1)).orElseThrow().data()).containsEntry("type", "lan");
  }

  @Test
  void stagingRefusesAnAddressOrKeyTheHubHas() {
    rig.hub.connect(address(1));
    rig.settle();
    assertThat(rig.staging.stage(address(1), Map.of("type", "internet"))).isFalse();
    assertThat(rig.staging.stage(lanAddress(1), Map.of("type", "lan"))).isFalse();
    assertThat(rig.staging.entries()).isEmpty();
  }

  @Test
  void eachFailedConnectCountsAFailureWithAZeroDurationAndASuccessResetsTheCount() {
    rig.remember(address(1));
    rig.dialer.answer(address(1), Answer.REFUSE);
    rig.hub.connect(address(1));
    rig.settle();
    long first = rig.clock.millis();
    assertThat(rig.stored(address(1)).failure()).isEqualTo(1);
    assertThat(rig.stored(address(1)).stateChange()).hasValue(first);
    assertThat(rig.stored(address(1)).duration()).hasValue(Statistics.EMPTY.add(0));

    rig.run(Duration.ofSeconds(1));
    rig.hub.connect(address(1));
    rig.settle();
    assertThat(rig.stored(address(1)).failure()).isEqualTo(2);
    assertThat(rig.stored(address(1)).stateChange()).hasValue(first + 1_000);

    rig.dialer.answer(address(1), Answer.ACCEPT);
    rig.run(Duration.ofSeconds(1));
    rig.hub.connect(address(1));
    rig.settle();
    assertThat(rig.stored(address(1)).failure()).isZero();
    assertThat(rig.stored(address(1)).stateChange()).hasValue(first + 2_000);
  }

  @Test
  void aDialCancelledBeforeItConnectsCountsAsAFailureButNotWhenTheHubCloses() {
    rig.remember(address(1));
    rig.remember(address(2));
    rig.dialer.answer(address(1), Answer.SILENT);
    rig.dialer.answer(address(2), Answer.SILENT);
    rig.hub.connect(address(1));
    rig.hub.connect(address(2));
    rig.settle();

    rig.hub.disconnect(address(1));
    rig.settle();
    assertThat(rig.stored(address(1)).failure()).isEqualTo(1);

    rig.hub.close();
    rig.settle();
    assertThat(rig.eventsOf(address(2), HubEvent.Type.DISCONNECTED)).hasSize(1);
    assertThat(rig.stored(address(2)).failure()).isZero();
  }

  @Test
  void aClosedConnectionAddsItsRealLifetimeToDurationOnce() {
    rig.remember(address(1));
    rig.hub.connect(address(1));
    rig.settle();
    rig.run(Duration.ofSeconds(5));
    rig.dialer.links.get(0).closedByPeer();
    rig.settle();

    assertThat(rig.eventsOf(address(1), HubEvent.Type.DISCONNECTED)).hasSize(1);
    assertThat(rig.stored(address(1)).duration()).hasValue(Statistics.EMPTY.add(5_000));
    assertThat(rig.stored(address(1)).stateChange()).hasValue(rig.clock.millis());
  }

  @Test
  void aLocalDisconnectAlsoRecordsTheLifetimeOnce() {
    rig.remember(address(1));
    rig.hub.connect(address(1));
    rig.settle();
    rig.run(Duration.ofSeconds(3));
    rig.hub.disconnect(address(1));
    rig.settle();
    assertThat(rig.stored(address(1)).duration()).hasValue(Statistics.EMPTY.add(3_000));
    assertThat(rig.stored(address(1)).failure()).isZero();
  }

  @Test
  void peersNotInTheDatabaseLeaveNoTraceThere() {
    rig.remember(address(1));
    rig.inbound(1).closedByPeer(); // same key, but the ephemeral inbound address
    rig.hub.connect(address(2));
    rig.settle();
    assertThat(rig.db.entries()).hasSize(1);
    assertThat(rig.stored(address(1)).has("stateChange")).isFalse();
  }

  @Test
  void afterCloseNothingMoreIsRecorded() {
    rig.remember(address(1));
    rig.recorder.close();
    rig.hub.connect(address(1));
    rig.settle();
    assertThat(rig.connected()).containsExactly(address(1));
    assertThat(rig.stored(address(1)).has("stateChange")).isFalse();
  }
}
