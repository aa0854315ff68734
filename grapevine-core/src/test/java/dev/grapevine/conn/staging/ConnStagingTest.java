package dev.grapevine.conn.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.hub.ConnHub;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnStagingTest {
  static final ConnAddress ADDR = address("192.168.1.12:9000", 5);

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    long millis = 1_700_000_000_000L;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }

  /** A hub that has the given addresses and keys. */
  record FakeHub(Set<ConnAddress> addresses, Set<PublicKey> keys) implements HubLookup {
    @Override
    public boolean hasAddress(ConnAddress address) {
      return addresses.contains(address);
    }

    @Override
    public boolean hasKey(PublicKey key) {
      return keys.contains(key);
    }
  }

  final MutableClock clock = new MutableClock();
  final ConnStaging staging = new ConnStaging(clock, HubLookup.NONE);

  static PublicKey key(int fill) {
    byte[] raw = new byte[32];
    Arrays.fill(raw, (byte) fill);
    return PublicKey.of(raw);
  }

  static ConnAddress address(String hostPort, int keyFill) {
    return ConnAddress.parse("ws://" + hostPort + "~shs:" + key(keyFill));
  }

  // ------------------------------------------------ ported from ssb-conn-staging test/index.js

  @Test
  void stageOfANewAddressReturnsTrueAndUnstageRemovesIt() {
    assertThat(staging.stage(ADDR, Map.of("mode", "internet"))).isTrue();
    assertThat(staging.entries()).hasSize(1);
    assertThat(staging.unstage(ADDR)).isTrue();
    assertThat(staging.entries()).isEmpty();
  }

  @Test
  void getReturnsTheStagedData() {
    staging.stage(ADDR, Map.of("mode", "internet"));
    assertThat(staging.get(ADDR))
        .hasValueSatisfying(e -> assertThat(e.data()).containsEntry("mode", "internet"));
  }

  @Test
  void liveEntriesEmitsEmptyThenOneEntryThenEmpty() {
    List<List<StagedEntry>> emissions = new ArrayList<>();
    staging.liveEntries(emissions::add);
    staging.stage(ADDR, Map.of("mode", "internet"));
    staging.unstage(ADDR);
    assertThat(emissions).hasSize(3);
    assertThat(emissions.get(0)).isEmpty();
    assertThat(emissions.get(1))
        .singleElement()
        .satisfies(e -> assertThat(e.stagingBirth()).isGreaterThan(1000));
    assertThat(emissions.get(2)).isEmpty();
  }

  @Test
  void stagingTheSameAddressAgainReturnsFalseAndKeepsOneEntry() {
    List<StagingEvent> events = new ArrayList<>();
    staging.listen(events::add);
    assertThat(staging.stage(ADDR, Map.of("mode", "internet"))).isTrue();
    assertThat(staging.stage(ADDR, Map.of("mode", "lan"))).isFalse();
    assertThat(staging.entries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.data()).containsEntry("mode", "lan");
            });
    assertThat(events).containsExactly(new StagingEvent(StagingEvent.Type.STAGED, ADDR));
  }

  @Test
  void unstageOfAnUnknownAddressReturnsFalse() {
    assertThat(staging.unstage(ADDR)).isFalse();
  }

  // ------------------------------------------------ timestamps, hub refusal, close

  @Test
  void stagingBirthIsKeptAndStagingUpdatedMovesOnEachStage() {
    long t0 = clock.millis;
    staging.stage(ADDR, Map.of("type", "lan"));
    clock.millis += 5_000;
    staging.stage(ADDR, Map.of("note", "seen again"));
    StagedEntry e = staging.get(ADDR).orElseThrow();
    assertThat(e.stagingBirth()).isEqualTo(t0);
    assertThat(e.stagingUpdated()).isEqualTo(t0 + 5_000);
    assertThat(e.data()).containsEntry("type", "lan").containsEntry("note", "seen again");
    assertThat(e.toData())
        .containsEntry("stagingBirth", t0)
        .containsEntry("stagingUpdated", t0 + 5_000)
        .containsEntry("key", key(5).value());
  }

  @Test
  void dataMayOverrideTheTimestamps() {
    staging.stage(ADDR, Map.of("stagingBirth", 42L, "stagingUpdated", 43));
    StagedEntry e = staging.get(ADDR).orElseThrow();
    assertThat(e.stagingBirth()).isEqualTo(42);
    assertThat(e.stagingUpdated()).isEqualTo(43);
    assertThat(e.data()).isEmpty();
  }

  @Test
  void aPeerTheHubHasByAddressIsRefused() {
    ConnStaging s = new ConnStaging(clock, new FakeHub(Set.of(ADDR), Set.of()));
    assertThat(s.stage(ADDR, Map.of("type", "lan"))).isFalse();
    assertThat(s.entries()).isEmpty();
  }

  @Test
  void aDifferentAddressWithTheKeyOfAHubPeerIsRefused() {
    ConnStaging s = new ConnStaging(clock, new FakeHub(Set.of(), Set.of(key(5))));
    assertThat(s.stage(address("10.9.9.9:1234", 5), Map.of())).isFalse();
    assertThat(s.stage(address("10.9.9.9:1234", 6), Map.of())).isTrue();
  }

  @Test
  void aPeerConnectingInARealHubIsRefused() throws Exception {
    LinkHandler surface =
        new LinkHandler() {
          @Override
          public void onOpen(PeerLink link) {}

          @Override
          public void onFrame(PeerLink link, String text) {}

          @Override
          public void onClose(PeerLink link, CloseReason reason, String detail) {}
        };
    try (ConnHub hub = new ConnHub(key(1), (uri, h) -> new CompletableFuture<>(), surface, clock)) {
      hub.connect(ADDR);
      assertThat(hub.update(ADDR, Map.of()).get(5, TimeUnit.SECONDS)).isTrue();
      ConnStaging s = new ConnStaging(clock, HubLookup.of(hub));
      assertThat(s.stage(ADDR, Map.of())).isFalse();
      assertThat(s.stage(address("10.0.0.8:9000", 5), Map.of())).isFalse();
      assertThat(s.stage(address("10.0.0.8:9000", 7), Map.of())).isTrue();
    }
  }

  @Test
  void unstageKeyRemovesEveryAddressOfThatPeer() {
    staging.stage(ADDR, Map.of());
    staging.stage(address("10.0.0.8:9000", 5), Map.of());
    staging.stage(address("10.0.0.8:9000", 6), Map.of());
    assertThat(staging.unstageKey(key(5))).hasSize(2);
    assertThat(staging.entries())
        .singleElement()
        .satisfies(e -> assertThat(e.key()).isEqualTo(key(6)));
  }

  @Test
  void afterCloseMethodsThrowInstanceIsClosed() {
    staging.stage(ADDR, Map.of());
    staging.close();
    staging.close();
    assertThatThrownBy(() -> staging.stage(ADDR, Map.of()))
        .hasMessageContaining("instance is closed");
    assertThatThrownBy(staging::entries).hasMessageContaining("instance is closed");
  }
}
