package dev.grapevine.http;

import java.util.Map;

/**
 * A request that gets an error answer: the status, the JSON {@code error} code, an optional
 * human-readable message and extra headers. Thrown while routing and turned into a response in one
 * place ({@link ApdsRoutes}); never escapes {@code handle}.
 */
final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final transient Map<String, String> headers;

  private HttpError(int status, String code, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.headers = Map.copyOf(headers);
  }

  /** 400 {@code {"error":"bad_request","message":…}}. */
  static HttpError badRequest(String message) {
    return new HttpError(400, "bad_request", message, Map.of());
  }

  /** 404 {@code {"error":"not_found"}}. */
  static HttpError notFound() {
    return new HttpError(404, "not_found", null, Map.of());
  }

  /** 405 {@code {"error":"method_not_allowed"}} with an {@code Allow} header. */
  static HttpError methodNotAllowed(String allow) {
    return new HttpError(405, "method_not_allowed", null, Map.of("Allow", allow));
  }

  /** 413 {@code {"error":"payload_too_large","message":…}}. */
  static HttpError payloadTooLarge(String message) {
    return new HttpError(413, "payload_too_large", message, Map.of());
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  Map<String, String> headers() {
    return headers;
  }
}
