package dev.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code grapevine bench connections} end to end, with a handful of connections. */
class BenchConnectionsCommandTest {
  @Test
  void printsTheReportAsJsonWithEveryConnectionOpenAndPerConnectionFigures() throws Exception {
    CliRun r =
        CliRun.run(
            "bench",
            "connections",
            "-n",
            "40",
            "--per-address",
            "20",
            "--hold",
            "5",
            "--ping",
            "2",
            "--json");

    assertThat(r.status).as(r.err()).isZero();
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.get("benchmark").asText()).isEqualTo("connections");
    assertThat(report.get("opened").asInt()).isEqualTo(40);
    assertThat(report.get("sourceAddresses").asInt()).isEqualTo(2);
    assertThat(report.get("linksAtNode").asInt()).isEqualTo(40);
    assertThat(report.get("heapPerConnectionBytes").isIntegralNumber()).isTrue();
    assertThat(report.get("verdict").asText()).isIn("PASS", "BELOW FLOOR");
    assertThat(r.err()).contains("All 40 open");
  }

  @Test
  void rejectsSettingsOutOfRangeWithTheReason() {
    CliRun none = CliRun.run("bench", "connections", "-n", "0");
    CliRun shortTimeout = CliRun.run("bench", "connections", "--hold", "30", "--timeout", "10");

    assertThat(none.status).isEqualTo(2);
    assertThat(none.err()).contains("Expected connections >= 1 but was 0");
    assertThat(shortTimeout.status).isEqualTo(2);
    assertThat(shortTimeout.err()).contains("Expected a timeout longer than the hold");
  }
}
