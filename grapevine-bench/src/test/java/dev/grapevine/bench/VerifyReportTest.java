package dev.grapevine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class VerifyReportTest {
  @Test
  void reportsTheNodePathOnOneAndAllThreadsAndTheJdkReference() throws Exception {
    VerifyReport report = VerifyReport.measure(2, Duration.ZERO, Duration.ofMillis(200));

    assertThat(report.singleThread().threads()).isEqualTo(1);
    assertThat(report.allCores().threads()).isEqualTo(2);
    assertThat(report.jdkSingleThread().perSecond()).isPositive();
    assertThat(report.versusJdk())
        .isCloseTo(
            report.singleThread().perSecond() / report.jdkSingleThread().perSecond(),
            org.assertj.core.data.Offset.offset(0.001));
    JsonNode json = new ObjectMapper().readTree(Reports.json(report));
    assertThat(json.get("jdkSingleThread").get("perSecond").asDouble()).isPositive();
    assertThat(json.get("versusJdk").asDouble()).isPositive();
    assertThat(report.toMarkdown())
        .contains("JDK Signature(\"Ed25519\")")
        .contains("Node path ÷ JDK");
  }

  @Test
  void anItemThatDoesNotVerifyFailsTheMeasurement() {
    assertThatThrownBy(
            () ->
                VerifyRate.measure(
                    4,
                    i -> {
                      throw new IllegalArgumentException("bad signature " + i);
                    },
                    1,
                    Duration.ZERO,
                    Duration.ofMillis(50)))
        .isInstanceOf(IllegalStateException.class)
        .hasRootCauseMessage("bad signature 0");
  }
}
