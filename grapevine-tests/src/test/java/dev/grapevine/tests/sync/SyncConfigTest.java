package dev.grapevine.tests.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.sync.SyncConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SyncConfigTest {
  @Test
  void defaultsMatchTheReferenceWhereItHasOne() {
    SyncConfig c = SyncConfig.DEFAULT;
    assertThat(c.gossipInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.requestCooldown()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.latestAnnounceWindow()).isEqualTo(Duration.ofHours(24));
    assertThat(c.maxMissingHashes()).isEqualTo(10_000);
    assertThat(c.reconnectInitial()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.reconnectMax()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.verifyThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(c.fullHistory()).isFalse();
  }

  @Test
  void toBuilderRoundTrips() {
    SyncConfig c = SyncConfig.builder().gossipFanout(5).fullHistory(true).junkLimit(0).build();
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void invalidSettingsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> SyncConfig.builder().maxMissingHashes(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxMissingHashes");
    assertThatThrownBy(
            () -> SyncConfig.builder().maxPendingVerifications(10).resumeWatermark(10).build())
        .hasMessageContaining("resumeWatermark");
    assertThatThrownBy(
            () ->
                SyncConfig.builder()
                    .reconnectInitial(Duration.ofSeconds(5))
                    .reconnectMax(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("reconnectMax");
    assertThatThrownBy(() -> SyncConfig.builder().reconnectJitter(1.0).build())
        .hasMessageContaining("reconnectJitter");
    assertThatThrownBy(() -> SyncConfig.builder().gossipInterval(Duration.ZERO).build())
        .hasMessageContaining("gossipInterval");
  }
}
