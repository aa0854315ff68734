package dev.grapevine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the connections benchmark with 200 connections: every connection opens from its own source
 * address range, survives on keepalive and the per-connection figures are computed. No memory or
 * timing floor is asserted.
 */
class ConnectionsBenchTest {
  @Test
  void everyConnectionStaysOpenOnKeepaliveAndTheFiguresAreComputed() throws Exception {
    ConnectionsBench.Options options =
        ConnectionsBench.Options.builder()
            .connections(200)
            .perAddress(50)
            .hold(Duration.ofSeconds(5))
            .pingInterval(Duration.ofSeconds(2))
            .timeout(Duration.ofMinutes(2))
            .build();
    List<String> progress = new ArrayList<>();

    ConnectionsReport report = new ConnectionsBench(options, progress::add).run();

    assertThat(report.failure()).isNull();
    assertThat(report.verdict()).isIn(Verdict.PASS, Verdict.BELOW_FLOOR);
    assertThat(report.opened()).isEqualTo(200);
    assertThat(report.sourceAddresses()).isEqualTo(4);
    assertThat(report.openAtClients()).isEqualTo(200);
    assertThat(report.linksAtNode()).isEqualTo(200);
    assertThat(report.closedByNode()).isZero();
    assertThat(report.pingsAnswered()).isGreaterThanOrEqualTo(200);
    assertThat(report.fileDescriptorsAtNode()).isGreaterThanOrEqualTo(200);
    assertThat(report.heapBaselineBytes()).isPositive();
    assertThat(report.heapBytes()).isPositive();
    assertThat(report.heapPerConnectionBytes())
        .isEqualTo((report.heapBytes() - report.heapBaselineBytes()) / 200);
    assertThat(report.rssPerConnectionBytes())
        .isEqualTo((report.rssBytes() - report.rssBaselineBytes()) / 200);
    assertThat(report.toMarkdown()).contains("Heap per connection").contains("200 of 200");
    assertThat(Reports.json(report)).contains("\"heapPerConnectionBytes\"");
    assertThat(progress).anyMatch(line -> line.startsWith("All 200 open"));
  }

  @Test
  void sourceAddressesStartAt127002AndCarryIntoTheHigherOctets() {
    assertThat(IdleClients.sourceAddress(0, 1000)).isEqualTo("127.0.0.2");
    assertThat(IdleClients.sourceAddress(999, 1000)).isEqualTo("127.0.0.2");
    assertThat(IdleClients.sourceAddress(1000, 1000)).isEqualTo("127.0.0.3");
    assertThat(IdleClients.sourceAddress(254, 1)).isEqualTo("127.0.1.0");
  }
}
