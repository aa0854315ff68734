package dev.grapevine.conn.firewall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.db.ConnDb;
import dev.grapevine.conn.db.PeerData;
import dev.grapevine.conn.firewall.Firewall.Decision;
import dev.grapevine.conn.firewall.Firewall.Reason;
import dev.grapevine.conn.firewall.Firewall.Rejections;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirewallTest {
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);
  static final PublicKey A = key(1);
  static final PublicKey B = key(2);
  static final PublicKey C = key(3);

  static PublicKey key(int fill) {
    byte[] raw = new byte[32];
    Arrays.fill(raw, (byte) fill);
    return PublicKey.of(raw);
  }

  static Firewall firewall(FirewallConfig config, KeySet blocked, KeySet known) {
    return new Firewall(config, blocked, known, CLOCK);
  }

  @Test
  void defaultsRejectBlockedAndAdmitUnknown() {
    assertThat(FirewallConfig.DEFAULT.rejectBlocked()).isTrue();
    assertThat(FirewallConfig.DEFAULT.rejectUnknown()).isFalse();
    assertThat(FirewallConfig.DEFAULT.attemptLogSize()).isEqualTo(100);

    Firewall fw = firewall(FirewallConfig.DEFAULT, KeySet.of(Set.of(A)), KeySet.none());
    Decision blocked = fw.admit(A, "127.0.0.1:5000");
    assertThat(blocked.allowed()).isFalse();
    assertThat(blocked.reason()).contains(Reason.BLOCKED);
    Decision unknown = fw.admit(B, "127.0.0.1:5001");
    assertThat(unknown.allowed()).isTrue();
    assertThat(unknown.reason()).isEmpty();
    assertThat(unknown).isSameAs(Decision.ALLOW);
  }

  @Test
  void rejectUnknownRejectsKeysThatAreNotKnownAndBlockedWins() {
    FirewallConfig config = FirewallConfig.builder().rejectUnknown(true).build();
    Firewall fw = firewall(config, KeySet.of(Set.of(A)), KeySet.of(Set.of(A, B)));
    assertThat(fw.admit(A, "x").reason()).contains(Reason.BLOCKED);
    assertThat(fw.admit(B, "x").allowed()).isTrue();
    assertThat(fw.admit(C, "x").reason()).contains(Reason.UNKNOWN);
  }

  @Test
  void rejectBlockedOffAdmitsBlockedKeys() {
    FirewallConfig config = FirewallConfig.builder().rejectBlocked(false).build();
    Firewall fw = firewall(config, KeySet.of(Set.of(A)), KeySet.none());
    assertThat(fw.admit(A, "x").allowed()).isTrue();
    assertThat(fw.rejected().total()).isZero();
  }

  @Test
  void aKeySetThatThrowsRejectsWithLookupFailed() {
    KeySet broken =
        k -> {
          throw new IllegalStateException("closed");
        };
    Firewall fw = firewall(FirewallConfig.DEFAULT, broken, KeySet.none());
    assertThat(fw.admit(A, "x").reason()).contains(Reason.LOOKUP_FAILED);
    assertThat(fw.rejected().counts()).containsEntry(Reason.LOOKUP_FAILED, 1L);
  }

  @Test
  void rejectionsAreLoggedInARingBufferWithCountsPerReason() {
    FirewallConfig config = FirewallConfig.builder().rejectUnknown(true).attemptLogSize(3).build();
    Firewall fw = firewall(config, KeySet.of(Set.of(A)), KeySet.of(Set.of(B)));
    fw.admit(A, "10.0.0.1:1");
    fw.admit(B, "10.0.0.2:2"); // allowed: not logged
    fw.admit(C, "10.0.0.3:3");
    fw.admit(A, "10.0.0.4:4");
    fw.admit(C, "10.0.0.5:5");

    Rejections r = fw.rejected();
    assertThat(r.recent())
        .extracting(Firewall.Attempt::address)
        .containsExactly("10.0.0.3:3", "10.0.0.4:4", "10.0.0.5:5");
    assertThat(r.recent().get(0))
        .isEqualTo(new Firewall.Attempt(CLOCK.instant(), C, "10.0.0.3:3", Reason.UNKNOWN));
    assertThat(r.counts())
        .containsExactly(
            Map.entry(Reason.BLOCKED, 2L),
            Map.entry(Reason.UNKNOWN, 2L),
            Map.entry(Reason.LOOKUP_FAILED, 0L));
    assertThat(r.total()).isEqualTo(4);
    assertThatThrownBy(() -> r.recent().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aZeroSizedLogKeepsOnlyCounts() {
    FirewallConfig config = FirewallConfig.builder().attemptLogSize(0).build();
    Firewall fw = firewall(config, KeySet.of(Set.of(A)), KeySet.none());
    fw.admit(A, "x");
    assertThat(fw.rejected().recent()).isEmpty();
    assertThat(fw.rejected().total()).isEqualTo(1);
  }

  @Test
  void configValidatesAndRoundTripsThroughItsBuilder() {
    assertThatThrownBy(() -> FirewallConfig.builder().attemptLogSize(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attemptLogSize");
    FirewallConfig c = FirewallConfig.builder().rejectUnknown(true).attemptLogSize(7).build();
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void blockListIsLiveAndCombinesWithOtherSets() {
    BlockList list = new BlockList();
    Firewall fw = firewall(FirewallConfig.DEFAULT, list.or(KeySet.of(Set.of(C))), KeySet.none());
    assertThat(fw.admit(A, "x").allowed()).isTrue();
    assertThat(list.block(A)).isTrue();
    assertThat(list.block(A)).isFalse();
    assertThat(fw.admit(A, "x").reason()).contains(Reason.BLOCKED);
    assertThat(fw.admit(C, "x").reason()).contains(Reason.BLOCKED);
    assertThat(list.snapshot()).containsExactly(A);
    assertThat(list.unblock(A)).isTrue();
    assertThat(fw.admit(A, "x").allowed()).isTrue();
  }

  @Test
  void connDbKeysReadBlockedAndKnownPeersLive(@TempDir Path dir) {
    try (Scheduler scheduler = Scheduler.system("fw-test-timer");
        ConnDb db = ConnDb.open(dir, scheduler)) {
      // A is stored by address only, B with a key field and blocked, C is not stored.
      db.set(ConnAddress.parse("ws://192.168.1.2:9000~shs:" + A), PeerData.empty());
      db.set(
          "ws://192.168.1.3:9000~shs:" + key(9),
          PeerData.of(Map.of("key", B.value(), "blocked", true)));
      FirewallConfig config = FirewallConfig.builder().rejectUnknown(true).build();
      Firewall fw =
          new Firewall(config, ConnDbKeys.blocked(db), ConnDbKeys.known(db), Clock.systemUTC());

      assertThat(fw.admit(A, "x").allowed()).isTrue();
      assertThat(fw.admit(B, "x").reason()).contains(Reason.BLOCKED);
      assertThat(fw.admit(C, "x").reason()).contains(Reason.UNKNOWN);

      db.set("ws://192.168.1.4:9000~shs:" + C, PeerData.of(Map.of("blocked", "yes")));
      assertThat(fw.admit(C, "x").allowed()).isTrue(); // known now; "yes" is not boolean true
      db.update("ws://192.168.1.2:9000~shs:" + A, PeerData.of(Map.of("blocked", true)));
      assertThat(fw.admit(A, "x").reason()).contains(Reason.BLOCKED);
    }
  }

  @Test
  void concurrentAdmitsCountEveryRejection() throws Exception {
    FirewallConfig config = FirewallConfig.builder().attemptLogSize(10).build();
    Firewall fw = firewall(config, KeySet.of(Set.of(A)), KeySet.none());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 1000; i++) {
                    fw.admit(A, "x");
                    fw.admit(B, "x");
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(fw.rejected().counts()).containsEntry(Reason.BLOCKED, 4000L);
    assertThat(fw.rejected().recent()).hasSize(10);
  }
}
