package dev.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.bench.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grapevine bench all}: the suite's JSON and Markdown shape and the BENCHMARKS.md section,
 * end to end with its quickest benchmarks, and {@code bench fanout} on a few subscribers. No speed
 * is asserted.
 */
class BenchAllCommandTest {
  @TempDir Path dir;

  @Test
  void quickJsonHasEveryHeadlineWithItsBaselineAndEveryReport() throws Exception {
    CliRun r =
        CliRun.run(
            "bench", "all", "--quick", "--no-append", "--json", "--only", "verify,reconcile");

    assertThat(r.status).as(r.err()).isZero();
    JsonNode suite = new ObjectMapper().readTree(r.out());
    assertThat(suite.get("suite").asText()).isEqualTo("all");
    assertThat(suite.get("quick").asBoolean()).isTrue();
    assertThat(suite.get("machine").get("cores").asInt()).isPositive();
    assertThat(suite.get("machine").get("memoryBytes").asLong()).isPositive();
    assertThat(suite.get("commit").asText()).isNotEmpty();
    assertThat(suite.get("command").asText())
        .isEqualTo("grapevine bench all --quick --no-append --json --only verify,reconcile");
    assertThat(suite.get("verdict").asText()).isIn("PASS", "BELOW FLOOR");
    List<String> benchmarks = new ArrayList<>();
    suite.get("benchmarks").fieldNames().forEachRemaining(benchmarks::add);
    assertThat(benchmarks).containsExactly("verify", "reconcile");
    assertThat(suite.get("reports").get("verify").get("versusJdk").asDouble()).isPositive();
    assertThat(suite.get("reports").get("reconcile").get("items").asInt()).isEqualTo(100_000);
    JsonNode headlines = suite.get("headlines");
    assertThat(headlines.size()).isGreaterThanOrEqualTo(2 + 3);
    for (JsonNode h : headlines) {
      assertThat(h.get("benchmark").asText()).isIn("verify", "reconcile");
      assertThat(h.get("figure").asText()).isNotEmpty();
      assertThat(h.get("value").isNumber()).isTrue();
      assertThat(h.get("baseline").asText()).isNotEmpty();
      assertThat(h.get("ratio").asDouble()).isPositive();
    }
    assertThat(r.err()).contains("== bench verify (quick)").contains("== bench reconcile (quick)");
  }

  @Test
  void appendsADatedSectionWithMachineCommitAndCommand() throws Exception {
    Path file = dir.resolve("RESULTS.md");
    Files.writeString(file, "# Benchmarks\n");

    CliRun r =
        CliRun.run("bench", "all", "--quick", "--only", "verify", "--append", file.toString());

    assertThat(r.status).as(r.err()).isZero();
    assertThat(r.out()).contains("| Benchmark | Figure | Value | Baseline (same run) | Ratio |");
    String text = Files.readString(file);
    assertThat(text).startsWith("# Benchmarks\n\n## `grapevine bench all` — 20");
    assertThat(text)
        .contains("- Machine: ")
        .contains(" GiB, Java ")
        .contains("- Commit: ")
        .contains("- Command: `grapevine bench all --quick --only verify --append " + file + "`")
        .contains("| verify | Ed25519 verify (node path, BouncyCastle), 1 thread |")
        .contains("JDK Ed25519, 1 thread: ");
  }

  @Test
  void anUnknownBenchmarkIsRefusedWithTheSuiteList() {
    CliRun r = CliRun.run("bench", "all", "--only", "verify,nosuch", "--no-append");

    assertThat(r.status).isEqualTo(2);
    assertThat(r.err())
        .contains("Unknown benchmark 'nosuch'")
        .contains("[verify, ingest, reconcile, connections, fanout, sync, propagation]");
  }

  @Test
  void aFailedBenchmarkShowsAsARowAndFailsTheSuite() {
    BenchSuite.Result failed =
        BenchSuite.Result.crashed("fanout", new IllegalStateException("no subscribers"));
    BenchSuite.Result ok =
        new BenchSuite.Result(
            "verify",
            null,
            "",
            List.of(
                new BenchSuite.Headline("verify", "Verify", 12_345.6, "/s", "JDK: 2,000", 6.17),
                new BenchSuite.Headline(
                    "verify", "Bytes", 492, "bytes", "all: 44,000,000", 89_430.9)),
            Verdict.PASS,
            null);

    String table = BenchSuite.markdown(List.of(ok, failed));

    assertThat(table)
        .contains("| verify | Verify | 12,346/s | JDK: 2,000 | 6.17× | PASS |")
        .contains("| verify | Bytes | 492 bytes | all: 44,000,000 | 89,431× | PASS |")
        .contains("| fanout | — | — | — | — | FAILED: IllegalStateException: no subscribers |");
    assertThat(BenchSuite.overall(List.of(ok, failed))).isEqualTo(Verdict.FAILED);
    assertThat(BenchSuite.overall(List.of(ok))).isEqualTo(Verdict.PASS);
  }

  @Test
  void fanoutPrintsBothSurfacesAsJson() throws Exception {
    CliRun r =
        CliRun.run(
            "bench",
            "fanout",
            "-s",
            "8",
            "-n",
            "30",
            "--warmup",
            "10",
            "--per-address",
            "4",
            "--json");

    assertThat(r.status).as(r.err()).isZero();
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.get("benchmark").asText()).isEqualTo("fanout");
    assertThat(report.get("surfaces").size()).isEqualTo(2);
    assertThat(report.get("surfaces").get(0).get("fanout").get("deliveries").asLong())
        .isEqualTo(8 * 30);
    assertThat(report.get("verdict").asText()).isEqualTo("PASS");
  }
}
