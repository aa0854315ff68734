package dev.grapevine.transport;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A complete HTTP request as the server received it.
 *
 * @param method upper-case method, for example {@code GET}
 * @param path the raw path without the query, not percent-decoded (base64 keys contain {@code /}
 *     and {@code +} literally, as the reference sends them)
 * @param query decoded query parameters
 * @param headers header values by lower-case name
 * @param body the body decoded as UTF-8 (empty if none)
 * @param remoteAddress the client's IP address
 */
public record HttpRequest(
    String method,
    String path,
    Map<String, List<String>> query,
    Map<String, List<String>> headers,
    String body,
    String remoteAddress) {

  /** Copies the maps. */
  public HttpRequest {
    query = Map.copyOf(query);
    headers = Map.copyOf(headers);
  }

  /** The first value of query parameter {@code name}. */
  public Optional<String> queryParam(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /** The first value of header {@code name} (any case). */
  public Optional<String> header(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }
}
