package dev.grapevine.conn.lan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LanConfigTest {
  @Test
  void defaults() {
    LanConfig c = LanConfig.DEFAULT;
    assertThat(c.bindAddress().getHostAddress()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(8009);
    assertThat(c.broadcastAddress().getHostAddress()).isEqualTo("255.255.255.255");
    assertThat(c.interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.maxDatagramBytes()).isEqualTo(1024);
    assertThat(c.sourceLimit()).isEqualTo(20);
    assertThat(c.sourceWindow()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.maxSources()).isEqualTo(1024);
    assertThat(c.reuseAddress()).isTrue();
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void validates() {
    assertThatThrownBy(() -> LanConfig.builder().port(70_000).build()).hasMessageContaining("port");
    assertThatThrownBy(() -> LanConfig.builder().interval(Duration.ZERO).build())
        .hasMessageContaining("interval");
    assertThatThrownBy(() -> LanConfig.builder().maxDatagramBytes(70_000).build())
        .hasMessageContaining("maxDatagramBytes");
    assertThatThrownBy(() -> LanConfig.builder().sourceLimit(0).build())
        .hasMessageContaining("sourceLimit");
    assertThatThrownBy(() -> LanConfig.builder().sourceWindow(Duration.ZERO).build())
        .hasMessageContaining("sourceWindow");
    assertThatThrownBy(() -> LanConfig.builder().maxSources(0).build())
        .hasMessageContaining("maxSources");
  }

  @Test
  void beaconPayloadIsVersionedJson() {
    byte[] raw = new byte[32];
    Arrays.fill(raw, (byte) 3);
    ConnAddress a = ConnAddress.parse("ws://192.168.1.3:9000~shs:" + PublicKey.of(raw));
    byte[] payload = BeaconCodec.encode(a);
    assertThat(new String(payload, StandardCharsets.UTF_8))
        .isEqualTo("{\"v\":1,\"address\":\"" + a + "\"}");
    assertThat(BeaconCodec.decode(payload, 0, payload.length)).contains(a);
    byte[] padded = new byte[payload.length + 4];
    System.arraycopy(payload, 0, padded, 2, payload.length);
    assertThat(BeaconCodec.decode(padded, 2, payload.length)).contains(a);
    byte[] plain = a.toString().getBytes(StandardCharsets.UTF_8);
    assertThat(BeaconCodec.decode(plain, 0, plain.length)).isEmpty();
  }
}
