package dev.grapevine.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** Browser origins ({@code scheme://host[:port]}) in one normal form, for comparing them. */
final class Origins {
  private Origins() {}

  /** Checks an allow-list entry: {@code "*"} or an http(s) origin without path. */
  static void requireValid(String origin) {
    Objects.requireNonNull(origin, "origin");
    if (!origin.equals("*") && normalize(origin).isEmpty()) {
      throw new IllegalArgumentException(
          "Expected an origin like https://example.com:8443 or * but was \"" + origin + "\"");
    }
  }

  /** {@code scheme://host:port} in lower case with the port always given, or empty if invalid. */
  static Optional<String> normalize(String origin) {
    try {
      URI u = new URI(origin.trim());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
        return Optional.empty();
      }
      String path = u.getRawPath();
      if (path != null && !path.isEmpty() && !path.equals("/")
          || u.getRawQuery() != null
          || u.getRawFragment() != null
          || u.getRawUserInfo() != null) {
        return Optional.empty();
      }
      int port = u.getPort() != -1 ? u.getPort() : scheme.equals("https") ? 443 : 80;
      return Optional.of(scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port);
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether {@code origin} names the server the request was sent to (its {@code Host} header), so a
   * page served by this node may use its API.
   */
  static boolean sameOrigin(String origin, String host) {
    Optional<String> o = normalize(origin);
    if (o.isEmpty() || host == null || host.isBlank()) {
      return false;
    }
    String scheme = o.get().substring(0, o.get().indexOf("://"));
    return normalize(scheme + "://" + host.trim()).equals(o);
  }
}
