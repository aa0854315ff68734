package dev.grapevine.cli;

import dev.grapevine.anproto.Hash;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The URLs of a pub: its WebSocket URL ({@code ws://} or {@code wss://}) and the base of its HTTP
 * routes at the same host, port and path ({@code http://} or {@code https://}), as Wiredove derives
 * one from the other.
 */
final class PubUrls {
  private PubUrls() {}

  /**
   * Checks that {@code url} is a WebSocket URL with a host.
   *
   * @throws IllegalArgumentException with a message naming what was expected
   */
  static URI requireWebSocket(URI url) {
    String scheme = scheme(url);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException(
          "Expected a ws:// or wss:// URL (for example ws://127.0.0.1:9000/) but was " + url);
    }
    requireHost(url);
    return url;
  }

  /**
   * The base of the pub's HTTP routes: {@code ws} becomes {@code http} and {@code wss} becomes
   * {@code https}; {@code http} and {@code https} URLs are taken as they are. The path is kept and
   * ends with {@code /}; a query or fragment is dropped.
   *
   * @throws IllegalArgumentException if the scheme is none of these or there is no host
   */
  static URI httpBase(URI url) {
    String scheme =
        switch (scheme(url)) {
          case "ws", "http" -> "http";
          case "wss", "https" -> "https";
          default ->
              throw new IllegalArgumentException(
                  "Expected a ws://, wss://, http:// or https:// URL (for example"
                      + " http://127.0.0.1:9000/) but was "
                      + url);
        };
    requireHost(url);
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (!path.endsWith("/")) {
      path += "/";
    }
    return URI.create(scheme + "://" + url.getRawAuthority() + path);
  }

  /**
   * The URL of {@code GET /<key>} under {@code base}. A hash or public key goes in raw, as the
   * routes read it (base64's {@code /} and {@code +} included); anything else is a name and is
   * percent-encoded.
   */
  static URI keyUrl(URI base, String key) {
    String segment =
        Hash.isValid(key)
            ? key
            : URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    return URI.create(base.toString() + segment);
  }

  private static String scheme(URI url) {
    return url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
  }

  private static void requireHost(URI url) {
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new IllegalArgumentException("Expected a URL with a host but was " + url);
    }
  }
}
