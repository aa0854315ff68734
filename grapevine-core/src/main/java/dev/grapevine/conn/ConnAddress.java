package dev.grapevine.conn;

import dev.grapevine.anproto.InvalidMessageException;
import dev.grapevine.anproto.PublicKey;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A peer's address in multiserver form, as the connection manager stores it: a WebSocket transport
 * and the peer's key, canonically {@code ws://host:port~shs:<pubkey>} or {@code
 * wss://host[:port]~shs:<pubkey>} (a wss port is left out when it is 443; a ws address without a
 * port means 80). {@link #parse} also accepts the forms seen in the wild ({@code
 * ws:host:port~shs:<key>}, several addresses joined by {@code ;}, of which the first ws/wss one is
 * taken) and validates the multiserver grammar.
 *
 * @param secure true for {@code wss}
 * @param host the host name or IP literal (IPv6 without brackets)
 * @param port the TCP port
 * @param key the peer's public key, from the first {@code shs} protocol
 */
public record ConnAddress(boolean secure, String host, int port, PublicKey key) {
  /** A protocol: a name of at least two characters, then {@code :}-separated data fields. */
  private static final Pattern PROTOCOL =
      Pattern.compile("[a-z][a-z0-9-]+(:([\"-9<-}]|![!~:;])*)*");

  /** Validates the fields: a host a URL can carry (a DNS name or an IP literal), a TCP port. */
  public ConnAddress {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(key, "key");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("Expected a host but the address has none");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("Expected a port from 1 to 65535 but was " + port);
    }
    if (!isDialable(host)) {
      // The multiserver grammar lets through hosts such as "&" that no URL can carry.
      throw new IllegalArgumentException(
          "Expected a host name or IP literal but was '" + host + "'");
    }
  }

  /**
   * Parses a multiserver address.
   *
   * @throws IllegalArgumentException naming what is wrong: the grammar, a missing ws/wss transport,
   *     a missing {@code shs} key, a malformed key, or a host that is neither a DNS name nor an IP
   *     literal
   */
  public static ConnAddress parse(String text) {
    Objects.requireNonNull(text, "text");
    for (String address : text.split(";", -1)) {
      String[] protocols = address.split("~", -1);
      if (protocols.length < 2) {
        continue;
      }
      String transport = protocols[0];
      if (!transport.startsWith("ws:") && !transport.startsWith("wss:")) {
        continue;
      }
      for (String p : protocols) {
        if (!PROTOCOL.matcher(p).matches()) {
          throw new IllegalArgumentException(
              "Expected multiserver protocols (name:data) but found '" + p + "' in " + text);
        }
      }
      PublicKey key = null;
      for (int i = 1; i < protocols.length && key == null; i++) {
        if (protocols[i].startsWith("shs:")) {
          String data = protocols[i].substring(4);
          int colon = data.indexOf(':');
          try {
            key = PublicKey.parse(colon < 0 ? data : data.substring(0, colon));
          } catch (InvalidMessageException e) {
            throw new IllegalArgumentException(
                "Expected a 44-char base64 key after shs: but " + e.getMessage(), e);
          }
        }
      }
      if (key == null) {
        throw new IllegalArgumentException("Expected a ~shs:<key> part in " + text);
      }
      return fromTransport(transport, key, text);
    }
    throw new IllegalArgumentException(
        "Expected a ws:// or wss:// address with ~shs:<key> but was '" + text + "'");
  }

  /** The address of {@code key} at the WebSocket URL {@code uri}. */
  public static ConnAddress of(URI uri, PublicKey key) {
    return fromTransport(uri.toString(), key, uri.toString());
  }

  private static ConnAddress fromTransport(String transport, PublicKey key, String original) {
    boolean secure = transport.startsWith("wss:");
    String rest = transport.substring(secure ? 4 : 3);
    if (rest.startsWith("//")) {
      rest = rest.substring(2);
    }
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      rest = rest.substring(0, slash);
    }
    String host;
    int port = secure ? 443 : 80;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("Expected ']' after an IPv6 host in " + original);
      }
      host = rest.substring(1, close);
      String after = rest.substring(close + 1);
      if (after.startsWith(":")) {
        port = parsePort(after.substring(1), original);
      }
    } else {
      int colon = rest.lastIndexOf(':');
      if (colon >= 0 && rest.indexOf(':') == colon) {
        host = rest.substring(0, colon);
        port = parsePort(rest.substring(colon + 1), original);
      } else if (colon >= 0) {
        // Unbracketed IPv6 with a port: the last field is the port, as multiserver's net does.
        host = rest.substring(0, colon);
        port = parsePort(rest.substring(colon + 1), original);
      } else {
        host = rest;
      }
    }
    return new ConnAddress(secure, host.toLowerCase(Locale.ROOT), port, key);
  }

  private static int parsePort(String s, String original) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Expected a port number but was '" + s + "' in " + original);
    }
  }

  /** The WebSocket URL to dial, for example {@code ws://10.0.0.5:9000/}. */
  public URI uri() {
    return URI.create((secure ? "wss://" : "ws://") + hostPort() + "/");
  }

  /**
   * {@code lan} when the host is a private, loopback or link-local IP literal, otherwise {@code
   * internet} (host names are not resolved).
   */
  public String inferredType() {
    if (!isIpLiteral(host)) {
      return "internet";
    }
    try {
      InetAddress a = InetAddress.getByName(host);
      boolean uniqueLocal = a.getAddress().length == 16 && (a.getAddress()[0] & 0xfe) == 0xfc;
      return a.isSiteLocalAddress()
              || a.isLoopbackAddress()
              || a.isLinkLocalAddress()
              || uniqueLocal
          ? "lan"
          : "internet";
    } catch (UnknownHostException e) {
      return "internet";
    }
  }

  /** The canonical text form. */
  @Override
  public String toString() {
    return (secure ? "wss://" : "ws://") + hostPort() + "~shs:" + key.value();
  }

  private String hostPort() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return secure && port == 443 ? h : h + ":" + port;
  }

  /** Whether {@code host} is a server host of a URL: a DNS name or an IP literal. */
  private static boolean isDialable(String host) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    try {
      URI u = new URI("ws://" + h + ":1/");
      return h.equals(u.getHost()) && u.getPort() == 1 && "/".equals(u.getRawPath());
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static boolean isIpLiteral(String host) {
    return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }
}
