package dev.grapevine.conn.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.grapevine.conn.query.Peer;
import dev.grapevine.conn.query.Pool;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CooldownTest {
  private static final SchedulerConfig CONFIG = SchedulerConfig.DEFAULT;
  private static final String ADDRESS =
      "ws://pub.example:8008~shs:pAhDcHjunq6epPvYYo483vBjcuDkE10qrc2tYC827R0=";
  private static final Map<String, Object> SUCCESSFUL =
      Map.of("stateChange", 1_000L, "duration", Map.of("mean", 5_000.0, "count", 1));

  /** A coin that never lands under 0.3 (no halving) or always does. */
  private static Random coin(boolean halves) {
    return new Random() {
      @Override
      public double nextDouble() {
        return halves ? 0.1 : 0.9;
      }
    };
  }

  private static Peer peer(Map<String, Object> data, Object... more) {
    Map<String, Object> d = new HashMap<>(data);
    for (int i = 0; i < more.length; i += 2) {
      d.put((String) more[i], more[i + 1]);
    }
    return new Peer(ADDRESS, Pool.DB, d);
  }

  @ParameterizedTest(name = "failure {0} -> {1} ms")
  @CsvSource({
    "0, 4000",
    "1, 14000",
    "2, 84000",
    "3, 274000",
    "4, 644000",
    "5, 1254000",
    "10, 10004000",
    "64, 2621444000",
    "1000, 2621444000"
  })
  void retryCooldownIsFourSecondsPlusTheCubeOfFailuresTimesTenSecondsCappedAt64(
      long failure, long millis) {
    assertThat(Cooldown.retryMillis(failure, CONFIG)).isEqualTo(millis);
  }

  @Test
  void aTrustedPeerThatConnectedBeforeWaitsHopPlusRetryScaledByHowFullTheQuotaIs() {
    Peer p = peer(SUCCESSFUL, "failure", 0);
    assertThat(Cooldown.millis(p, OptionalInt.of(1), 1.0, coin(false), CONFIG)).isEqualTo(5_000);
    assertThat(Cooldown.millis(p, OptionalInt.of(2), 1.0, coin(false), CONFIG)).isEqualTo(6_000);
    assertThat(Cooldown.millis(p, OptionalInt.of(1), 0.5, coin(false), CONFIG)).isEqualTo(2_500);
  }

  @Test
  void anEmptyQuotaShrinksTheCooldownTenfoldAndNoFurther() {
    Peer p = peer(SUCCESSFUL, "failure", 3);
    double full = Cooldown.millis(p, OptionalInt.of(1), 1.0, coin(false), CONFIG);
    assertThat(full).isEqualTo(275_000);
    assertThat(Cooldown.millis(p, OptionalInt.of(1), 0.0, coin(false), CONFIG))
        .isCloseTo(27_500, within(1e-6));
    assertThat(Cooldown.millis(p, OptionalInt.of(1), 0.05, coin(false), CONFIG))
        .isCloseTo(27_500, within(1e-6));
  }

  @Test
  void theMultipliersApplyAsUpstream() {
    // never attempted: x 0.5
    assertThat(Cooldown.millis(peer(Map.of()), OptionalInt.of(1), 1, coin(false), CONFIG))
        .isEqualTo(2_500);
    // the 0.3 coin: x 0.5
    assertThat(Cooldown.millis(peer(SUCCESSFUL), OptionalInt.of(1), 1, coin(true), CONFIG))
        .isEqualTo(2_500);
    // lan: x 0.7
    assertThat(
            Cooldown.millis(
                peer(SUCCESSFUL, "type", "lan"), OptionalInt.of(1), 1, coin(false), CONFIG))
        .isCloseTo(3_500, within(1e-6));
    // room attendant: x 0.8
    assertThat(
            Cooldown.millis(
                peer(SUCCESSFUL, "type", "room-attendant"),
                OptionalInt.of(1),
                1,
                coin(false),
                CONFIG))
        .isCloseTo(4_000, within(1e-6));
    // every attempt failed: x 3, on top of the failures' retry cooldown
    Peer failed = peer(Map.of("stateChange", 1_000L, "failure", 2));
    assertThat(Cooldown.millis(failed, OptionalInt.of(1), 1, coin(false), CONFIG))
        .isEqualTo(255_000);
  }

  @Test
  void strangersAndBlockedPeersAreNeverDialledButRoomsNeedNoTrust() {
    Peer p = peer(SUCCESSFUL);
    assertThat(Cooldown.millis(p, OptionalInt.empty(), 1, coin(false), CONFIG)).isInfinite();
    assertThat(Cooldown.millis(p, OptionalInt.of(-1), 1, coin(false), CONFIG)).isInfinite();
    Peer room = peer(SUCCESSFUL, "type", "room");
    assertThat(Cooldown.millis(room, OptionalInt.empty(), 1, coin(false), CONFIG)).isEqualTo(5_000);
  }

  @Test
  void theFormulaFollowsTheConfiguredDurations() {
    SchedulerConfig c =
        SchedulerConfig.builder()
            .hopCooldown(java.time.Duration.ofSeconds(2))
            .retryBase(java.time.Duration.ofSeconds(1))
            .retryStep(java.time.Duration.ofSeconds(1))
            .build();
    Peer p = peer(SUCCESSFUL, "failure", 2);
    assertThat(Cooldown.millis(p, OptionalInt.of(1), 1, coin(false), c)).isEqualTo(11_000);
  }
}
