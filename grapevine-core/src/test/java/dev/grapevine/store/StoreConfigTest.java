package dev.grapevine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoreConfigTest {
  @Test
  void defaultsAreTheDocumentedValues() {
    StoreConfig c = StoreConfig.DEFAULT;

    assertThat(c.maxBlobBytes()).isEqualTo(8 * 1024 * 1024);
    assertThat(c.queueCapacity()).isEqualTo(10_000);
    assertThat(c.maxBatchSize()).isEqualTo(4_000);
    assertThat(c.waitTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(StoreConfig.defaults()).isSameAs(c);
  }

  @Test
  void toBuilderRoundTripsEverySetting() {
    StoreConfig c =
        StoreConfig.builder()
            .maxBlobBytes(1)
            .queueCapacity(2)
            .maxQueuedBytes(3)
            .maxBatchSize(4)
            .waitTimeout(Duration.ofMillis(5))
            .readerConnections(6)
            .maxPageSize(7)
            .closeTimeout(Duration.ofMillis(8))
            .build();

    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void outOfRangeSettingsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> StoreConfig.builder().queueCapacity(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected queueCapacity > 0 but was 0");
    assertThatThrownBy(() -> StoreConfig.builder().waitTimeout(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("waitTimeout");
    assertThatThrownBy(() -> StoreConfig.builder().closeTimeout(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("closeTimeout");
  }
}
