package dev.grapevine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.bench.IngestBench.StoreKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs the mesh catch-up benchmark with 2,000 posts: the fresh node must end with every message and
 * content, fetched by the mesh, none invalid. No timing asserts.
 */
class SyncBenchTest {
  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aFreshNodeCatchesUpEveryMessageAndContentAndTheReportHasItsFields(StoreKind store)
      throws Exception {
    SyncBench.Options options =
        SyncBench.Options.builder()
            .messages(2_000)
            .authors(4)
            .warmupMessages(200)
            .repeat(2)
            .store(store)
            .timeout(Duration.ofMinutes(3))
            .verifyTimes(Duration.ZERO, Duration.ofMillis(200))
            .build();
    List<String> lines = new ArrayList<>();

    SyncReport report = new SyncBench(options, lines::add).run();

    assertThat(report.failure()).isNull();
    assertThat(report.verdict()).isIn(Verdict.PASS, Verdict.BELOW_FLOOR);
    assertThat(report.store()).isEqualTo(store.label());
    assertThat(report.messages()).isEqualTo(2_000);
    assertThat(report.runs()).hasSize(2);
    assertThat(report.storedMessages()).isEqualTo(2_000);
    assertThat(report.storedContents()).isEqualTo(2_000);
    assertThat(report.receiver().messagesNew()).isEqualTo(2_000);
    assertThat(report.receiver().pullReceived()).isGreaterThanOrEqualTo(2_000);
    assertThat(report.receiver().invalidMessages()).isZero();
    assertThat(report.receiver().reconciliations()).isPositive();
    assertThat(report.messagesPerSecond()).isPositive();
    assertThat(report.verify().perSecond()).isPositive();
    assertThat(report.ratio()).isPositive();
    assertThat(report.floor()).isEqualTo(0.6);
    assertThat(lines).isNotEmpty();

    JsonNode json = new ObjectMapper().readTree(Reports.json(report));
    for (String field :
        List.of(
            "benchmark",
            "messagesPerSecond",
            "elapsedMillis",
            "verify",
            "ratio",
            "runs",
            "cpu",
            "receiver",
            "sender",
            "verdict")) {
      assertThat(json.has(field)).as(field).isTrue();
    }
    assertThat(json.get("benchmark").asText()).isEqualTo("sync");
    assertThat(report.toMarkdown())
        .contains("| Metric | Value |", "Messages/s caught up (" + store.label() + ")", "Ratio");
  }
}
