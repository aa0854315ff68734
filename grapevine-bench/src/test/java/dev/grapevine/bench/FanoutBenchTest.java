package dev.grapevine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the fan-out benchmark small: every subscriber on both surfaces gets every counted post
 * exactly once, from several source addresses, and the figures are computed. No speed is asserted.
 */
class FanoutBenchTest {
  @Test
  void everySubscriberOnBothSurfacesGetsEveryPostOnce() throws Exception {
    FanoutBench.Options options =
        FanoutBench.Options.builder()
            .subscribers(30)
            .perAddress(10)
            .messages(60)
            .warmupMessages(20)
            .window(4)
            .timeout(Duration.ofMinutes(2))
            .build();
    List<String> progress = new ArrayList<>();

    FanoutReport report = new FanoutBench(options, progress::add).run();

    assertThat(report.failure()).isNull();
    assertThat(report.verdict()).isEqualTo(Verdict.PASS);
    assertThat(report.surfaces())
        .extracting(FanoutReport.SurfaceResult::surface)
        .containsExactly("anproto", "events");
    for (FanoutReport.SurfaceResult s : report.surfaces()) {
      assertThat(s.single().subscribers()).isEqualTo(1);
      assertThat(s.single().deliveries()).isEqualTo(60);
      assertThat(s.fanout().subscribers()).isEqualTo(30);
      assertThat(s.fanout().deliveries()).isEqualTo(60 * 30);
      assertThat(s.fanout().duplicates()).isZero();
      assertThat(s.fanout().p50Millis()).isPositive().isLessThanOrEqualTo(s.fanout().p99Millis());
      assertThat(s.fanout().p99Millis()).isLessThanOrEqualTo(s.fanout().maxMillis());
      assertThat(s.deliveryRatio())
          .isEqualTo(
              Reports.round4(s.fanout().deliveriesPerSecond() / s.single().deliveriesPerSecond()));
    }
    JsonNode json = new ObjectMapper().readTree(Reports.json(report));
    assertThat(json.get("surfaces").get(1).get("path").asText()).isEqualTo("/ws");
    assertThat(report.toMarkdown()).contains("| events `/ws` | 30 |");
    assertThat(progress).anyMatch(line -> line.startsWith("events: 30 subscribed"));
  }

  @Test
  void optionsRejectNonsense() {
    assertThatThrownBy(() -> FanoutBench.Options.builder().subscribers(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> FanoutBench.Options.builder().subscribers(100_000).messages(1_000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("50,000,000");
  }
}
