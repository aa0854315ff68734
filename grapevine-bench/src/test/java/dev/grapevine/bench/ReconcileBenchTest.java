package dev.grapevine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs the reconciliation benchmark on a small index: every case must be exact. No timing. */
class ReconcileBenchTest {

  @Test
  void everyCaseFindsExactlyItsDifferencesAndTheReportHasItsFields() throws Exception {
    ReconcileBench.Options options =
        ReconcileBench.Options.DEFAULT.with(
            20_000, List.of(0, 100, 1_000), ReconcileBench.Options.DEFAULT.config());
    List<String> lines = new ArrayList<>();

    ReconcileReport report = new ReconcileBench(options, lines::add).run();

    assertThat(report.failure()).isNull();
    assertThat(report.verdict()).isIn(Verdict.PASS, Verdict.BELOW_FLOOR);
    assertThat(report.cases()).hasSize(5).allMatch(ReconcileReport.Case::exact);
    ReconcileReport.Case identical = report.cases().get(0);
    assertThat(identical.placement()).isEqualTo("identical");
    assertThat(identical.roundTrips()).isEqualTo(1);
    assertThat(identical.wireBytes()).isLessThan(1_024);
    assertThat(report.cases())
        .extracting(ReconcileReport.Case::placement)
        .containsExactly("identical", "scattered", "recent", "scattered", "recent");
    assertThat(report.hashListBytes()).isEqualTo(44L * 20_000);
    for (ReconcileReport.Case c : report.cases()) {
      assertThat(c.wireBytes()).isEqualTo(c.wireToInitiator() + c.wireToResponder());
      assertThat(c.ratio()).isPositive();
      assertThat(c.largestMessage()).isLessThanOrEqualTo(report.maxMessageBytes());
    }
    assertThat(lines).contains("d=100 scattered");
    assertThat(report.toMarkdown())
        .startsWith("### grapevine bench reconcile")
        .contains("| 1,000 |");
    JsonNode json = new ObjectMapper().readTree(Reports.json(report));
    assertThat(json.get("benchmark").asText()).isEqualTo("reconcile");
    assertThat(json.get("cases").get(1).get("roundTrips").asInt()).isPositive();
  }
}
