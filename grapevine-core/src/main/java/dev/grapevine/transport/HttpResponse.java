package dev.grapevine.transport;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP response to write.
 *
 * @param status the status code
 * @param contentType the {@code Content-Type} header
 * @param headers further headers (for example CORS), in order
 * @param body the body, sent as UTF-8
 */
public record HttpResponse(
    int status, String contentType, Map<String, String> headers, String body) {

  /** Copies the headers, keeping their order. */
  public HttpResponse {
    headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** A JSON response. */
  public static HttpResponse json(int status, String json) {
    return new HttpResponse(status, "application/json; charset=utf-8", Map.of(), json);
  }

  /** This response with one more header. */
  public HttpResponse withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new HttpResponse(status, contentType, h, body);
  }
}
