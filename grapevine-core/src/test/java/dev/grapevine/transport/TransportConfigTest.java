package dev.grapevine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransportConfigTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    TransportConfig c = TransportConfig.DEFAULT;

    assertThat(c.bindHost()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(9000);
    assertThat(c.maxFrameBytes()).isEqualTo(8 * 1024 * 1024);
    assertThat(c.maxHttpBodyBytes()).isEqualTo(8 * 1024 * 1024 + 64 * 1024);
    assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.maxOutboundBytes()).isEqualTo(16 * 1024 * 1024);
    assertThat(c.slowConsumerTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.maxConnections()).isEqualTo(1000);
    assertThat(c.closeGracePeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.ioThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(c.tlsEnabled()).isFalse();
    assertThat(c.trustedCertificates()).isNull();
  }

  @Test
  void toBuilderRoundTrips() {
    TransportConfig c =
        TransportConfig.builder()
            .port(0)
            .maxFrameBytes(1024)
            .tls(Path.of("cert.pem"), Path.of("key.pem"))
            .trustedCertificates(Path.of("ca.pem"))
            .build();

    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.toBuilder().ioThreads(3).build().ioThreads()).isEqualTo(3);
  }

  @Test
  void outOfRangeSettingsAreRejectedWithTheirName() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TransportConfig.builder().port(70_000).build())
        .withMessage("Expected port in [0, 65535] but was 70000");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TransportConfig.builder().maxFrameBytes(0).build())
        .withMessage("Expected maxFrameBytes > 0 but was 0");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TransportConfig.builder().idleTimeout(Duration.ZERO).build())
        .withMessage("Expected idleTimeout > 0 but was PT0S");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TransportConfig.builder().maxOutboundBytes(Integer.MAX_VALUE).build())
        .withMessageStartingWith("Expected maxOutboundBytes <= ");
  }

  @Test
  void pingIntervalMustBeShorterThanIdleTimeout() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                TransportConfig.builder()
                    .pingInterval(Duration.ofSeconds(60))
                    .idleTimeout(Duration.ofSeconds(60))
                    .build())
        .withMessageStartingWith("Expected pingInterval < idleTimeout but was PT1M >= PT1M");
  }

  @Test
  void tlsNeedsBothCertificateAndKey() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TransportConfig.builder().tls(Path.of("cert.pem"), null).build())
        .withMessageContaining("both set or both unset");
  }
}
