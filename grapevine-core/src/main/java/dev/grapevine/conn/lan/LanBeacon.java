package dev.grapevine.conn.lan;

import dev.grapevine.conn.ConnAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * A beacon received from another node.
 *
 * @param address the address it announced
 * @param source the IP and port it came from
 */
public record LanBeacon(ConnAddress address, InetSocketAddress source) {
  /** Checks that nothing is null. */
  public LanBeacon {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(source, "source");
  }

  /**
   * True if the announced host is an IP literal equal to the datagram's source IP (ssb-lan's {@code
   * verified}). A beacon can announce any address, so an unverified one may point elsewhere; the
   * connection's handshake still checks the key. No DNS lookup is made.
   */
  public boolean verified() {
    String host = address.host();
    if (!host.contains(":") && !host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return false;
    }
    try {
      return InetAddress.getByName(host).equals(source.getAddress());
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** The data to stage this peer with, as ssb-conn does: {@code {type: "lan", key, verified}}. */
  public Map<String, Object> stagingData() {
    return Map.of("type", "lan", "key", address.key().value(), "verified", verified());
  }
}
