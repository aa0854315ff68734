package dev.grapevine.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ConnAddressTest {
  private static final String KEY = "BSY7/er4VJIu08o39NaRAiPY/MAvd7oQhlGCRDABjYU=";

  @Test
  void canonicalWsAddressRoundTrips() {
    ConnAddress a = ConnAddress.parse("ws://10.0.0.5:9000~shs:" + KEY);
    assertThat(a.secure()).isFalse();
    assertThat(a.host()).isEqualTo("10.0.0.5");
    assertThat(a.port()).isEqualTo(9000);
    assertThat(a.key().value()).isEqualTo(KEY);
    assertThat(a.toString()).isEqualTo("ws://10.0.0.5:9000~shs:" + KEY);
    assertThat(ConnAddress.parse(a.toString())).isEqualTo(a);
    assertThat(a.uri()).isEqualTo(URI.create("ws://10.0.0.5:9000/"));
  }

  @Test
  void wssDefaultPortIsLeftOutAndFormsSeenInTheWildParse() {
    assertThat(ConnAddress.parse("wss://wx.larpa.net~shs:" + KEY).toString())
        .isEqualTo("wss://wx.larpa.net~shs:" + KEY);
    assertThat(ConnAddress.parse("wss:between-two-worlds.dk:443~shs:" + KEY).toString())
        .isEqualTo("wss://between-two-worlds.dk~shs:" + KEY);
    assertThat(ConnAddress.parse("wss://h.example:8443~shs:" + KEY).port()).isEqualTo(8443);
  }

  @Test
  void firstWebSocketAddressOfAMultiaddressIsTaken() {
    ConnAddress a =
        ConnAddress.parse("net:10.0.0.5:8008~shs:" + KEY + ";ws://10.0.0.5:9000~shs:" + KEY);
    assertThat(a.port()).isEqualTo(9000);
  }

  @Test
  void ipv6HostsAreBracketedInTheTextForm() {
    ConnAddress a = ConnAddress.parse("ws://[fe80::1]:9000~shs:" + KEY);
    assertThat(a.host()).isEqualTo("fe80::1");
    assertThat(a.toString()).isEqualTo("ws://[fe80::1]:9000~shs:" + KEY);
    assertThat(a.inferredType()).isEqualTo("lan");
  }

  @Test
  void privateAndLoopbackHostsAreLanOthersInternet() {
    assertThat(ConnAddress.parse("ws://192.168.1.4:9000~shs:" + KEY).inferredType())
        .isEqualTo("lan");
    assertThat(ConnAddress.parse("ws://127.0.0.1:9000~shs:" + KEY).inferredType()).isEqualTo("lan");
    assertThat(ConnAddress.parse("ws://8.8.8.8:9000~shs:" + KEY).inferredType())
        .isEqualTo("internet");
    assertThat(ConnAddress.parse("wss://pub.example~shs:" + KEY).inferredType())
        .isEqualTo("internet");
  }

  @Test
  void invalidAddressesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> ConnAddress.parse("ws://10.0.0.5:9000"))
        .hasMessageContaining("Expected a ws:// or wss:// address");
    assertThatThrownBy(() -> ConnAddress.parse("ws://10.0.0.5:9000~noauth"))
        .hasMessageContaining("~shs:");
    assertThatThrownBy(() -> ConnAddress.parse("ws://10.0.0.5:9000~shs:notakey"))
        .hasMessageContaining("44-char");
    assertThatThrownBy(() -> ConnAddress.parse("ws://10.0.0.5:9000~shs:" + KEY + "~x"))
        .hasMessageContaining("multiserver");
    assertThatThrownBy(() -> ConnAddress.parse("ws://bad host:9000~shs:" + KEY))
        .hasMessageContaining("multiserver");
    assertThatThrownBy(() -> ConnAddress.parse("ws://h:notaport~shs:" + KEY))
        .hasMessageContaining("port");
  }

  @Test
  void hostsThatNoUrlCanCarryAreRejected() {
    // Found by ConnAddressFuzzTest: the multiserver grammar lets these through.
    assertThatThrownBy(() -> ConnAddress.parse("ws:&~shs:" + KEY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Expected a host name or IP literal but was '&'");
    assertThatThrownBy(() -> ConnAddress.parse("ws://a_b:9000~shs:" + KEY))
        .hasMessageContaining("host name");
    assertThatThrownBy(() -> ConnAddress.parse("ws:w?~shs:" + KEY))
        .hasMessageContaining("but was 'w?'");
    assertThat(ConnAddress.parse("ws://pub-1.example.org:9000~shs:" + KEY).uri().getHost())
        .isEqualTo("pub-1.example.org");
  }
}
