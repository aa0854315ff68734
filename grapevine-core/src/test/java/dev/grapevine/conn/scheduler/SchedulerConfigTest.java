package dev.grapevine.conn.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchedulerConfigTest {
  @Test
  void defaultsAreSsbConns() {
    SchedulerConfig c = SchedulerConfig.DEFAULT;
    assertThat(c.strategy()).isEqualTo(SchedulerConfig.Strategy.COOLDOWN);
    assertThat(c.role()).isEqualTo(SchedulerConfig.Role.CLIENT);
    assertThat(c.roomQuota()).isEqualTo(5);
    assertThat(c.peerQuota()).isEqualTo(4);
    assertThat(c.lanStagingTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.btStagingTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.connectTimeout("lan")).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.connectTimeout("room-attendant-alias")).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.connectTimeout("bt")).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.connectTimeout("dht")).isEqualTo(Duration.ofSeconds(300));
    assertThat(c.connectTimeout("pub")).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.connectTimeout("?")).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.wakeupThreshold()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void toBuilderRoundTripsAndChangesOnlyWhatIsSet() {
    SchedulerConfig c =
        SchedulerConfig.DEFAULT.toBuilder()
            .role(SchedulerConfig.Role.PUB)
            .peerQuota(8)
            .connectTimeout("pub", Duration.ofSeconds(20))
            .build();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.peerQuota()).isEqualTo(8);
    assertThat(c.connectTimeout("pub")).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.connectTimeout("lan")).isEqualTo(Duration.ofSeconds(30));
    assertThat(SchedulerConfig.DEFAULT.connectTimeout("pub")).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void outOfRangeValuesAreRefusedWithTheirName() {
    assertThatThrownBy(() -> SchedulerConfig.builder().peerQuota(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("peerQuota");
    assertThatThrownBy(() -> SchedulerConfig.builder().roomQuota(10_001).build())
        .hasMessageContaining("roomQuota");
    assertThatThrownBy(() -> SchedulerConfig.builder().tickInterval(Duration.ZERO).build())
        .hasMessageContaining("tickInterval");
    assertThatThrownBy(
            () -> SchedulerConfig.builder().connectTimeout("lan", Duration.ofSeconds(-1)).build())
        .hasMessageContaining("connectTimeouts[lan]");
    assertThatThrownBy(() -> SchedulerConfig.builder().retryStep(Duration.ofMillis(-1)).build())
        .hasMessageContaining("retryStep");
    assertThatThrownBy(
            () -> SchedulerConfig.builder().wakeupThreshold(Duration.ofSeconds(3)).build())
        .hasMessageContaining("wakeupThreshold");
  }
}
