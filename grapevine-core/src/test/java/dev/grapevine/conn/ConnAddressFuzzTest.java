package dev.grapevine.conn;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for the multiserver address parser: {@link ConnAddress#parse} either throws the
 * documented {@link IllegalArgumentException} or returns an address whose canonical text parses
 * back to itself and whose URL can be dialled. Seeds under {@code
 * src/test/resources/dev/grapevine/conn/ConnAddressFuzzTestInputs/<method>/}.
 */
class ConnAddressFuzzTest {
  @FuzzTest
  void parsedAddressesHaveACanonicalTextThatParsesBackToThem(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    ConnAddress address;
    try {
      address = ConnAddress.parse(text);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    String canonical = address.toString();
    assertThat(ConnAddress.parse(canonical)).as(canonical).isEqualTo(address);
    assertThat(ConnAddress.parse(canonical).toString()).isEqualTo(canonical);
    assertThat(text).contains("~shs:" + address.key().value());
    assertThat(address.port()).isBetween(1, 65_535);

    URI uri = address.uri();
    assertThat(uri.getScheme()).isEqualTo(address.secure() ? "wss" : "ws");
    assertThat(uri.getPort() == -1 ? 443 : uri.getPort()).isEqualTo(address.port());
    assertThat(ConnAddress.of(uri, address.key())).isEqualTo(address);
  }
}
