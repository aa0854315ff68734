package dev.grapevine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the propagation benchmark with 5 nodes and 50 posts: the chain of seeds must close into a
 * mesh and every node must store every post. Copies and latencies are reported, not asserted
 * against a speed.
 */
class PropagationBenchTest {
  @Test
  void fiveChainedNodesMeshAndEveryPostReachesEveryNode() throws Exception {
    PropagationBench.Options options =
        new PropagationBench.Options(
            5,
            50,
            100,
            Duration.ofSeconds(1),
            Duration.ofSeconds(60),
            Duration.ofMinutes(2),
            7,
            2.0);
    List<String> lines = new ArrayList<>();

    PropagationReport report = new PropagationBench(options, lines::add).run();

    assertThat(report.failure()).isNull();
    assertThat(report.verdict()).isIn(Verdict.PASS, Verdict.BELOW_FLOOR);
    assertThat(report.nodes()).isEqualTo(5);
    assertThat(report.messages()).isEqualTo(50);
    assertThat(report.minDegree()).isGreaterThanOrEqualTo(3);
    assertThat(report.latencies()).isEqualTo(50);
    // Every node but the publisher needs at least one full copy of every post.
    assertThat(report.copies()).isGreaterThanOrEqualTo(4L * 50);
    assertThat(report.copiesPerNodePerMessage()).isGreaterThanOrEqualTo(1.0);
    assertThat(report.floodingCopies())
        .isEqualTo((report.degreeBefore() + report.degreeAfter()) / 2);
    assertThat(report.p50Millis()).isPositive().isLessThanOrEqualTo(report.p99Millis());
    assertThat(report.p99Millis()).isLessThanOrEqualTo(report.maxMillis());
    assertThat(lines).isNotEmpty();

    JsonNode json = new ObjectMapper().readTree(Reports.json(report));
    for (String field :
        List.of(
            "benchmark",
            "copiesPerNodePerMessage",
            "floodingCopies",
            "floodingRatio",
            "p50Millis",
            "p99Millis",
            "verdict")) {
      assertThat(json.has(field)).as(field).isTrue();
    }
    assertThat(report.toMarkdown()).contains("| Metric | Value |", "Copies per node per message");
  }

  @Test
  void percentileIsTheNearestRank() {
    long[] sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};

    assertThat(PropagationBench.percentile(sorted, 0.50)).isEqualTo(50);
    assertThat(PropagationBench.percentile(sorted, 0.99)).isEqualTo(100);
    assertThat(PropagationBench.percentile(new long[] {5}, 0.99)).isEqualTo(5);
    assertThat(PropagationBench.percentile(new long[0], 0.5)).isEqualTo(-1);
  }
}
