package dev.grapevine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ManualClockTest {
  @Test
  void timeMovesOnlyWhenAdvanced() {
    ManualClock clock = ManualClock.at(Instant.parse("2025-08-14T18:57:21.319Z"));
    assertThat(clock.millis()).isEqualTo(1755197841319L);
    assertThat(clock.millis()).isEqualTo(1755197841319L);
    clock.advance(Duration.ofSeconds(10));
    assertThat(clock.millis()).isEqualTo(1755197851319L);
  }

  @Test
  void zonedViewSharesTheSameTime() {
    ManualClock clock = ManualClock.at(Instant.EPOCH);
    Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));
    clock.advance(Duration.ofMillis(5));
    assertThat(paris.millis()).isEqualTo(5);
    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
  }

  @Test
  void testKeysAreStableAndDistinct() {
    assertThat(TestKeys.key(1)).isEqualTo(TestKeys.key(1));
    assertThat(TestKeys.key(1).publicKey()).isNotEqualTo(TestKeys.key(2).publicKey());
  }
}
