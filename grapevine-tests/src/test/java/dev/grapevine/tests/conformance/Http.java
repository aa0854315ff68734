package dev.grapevine.tests.conformance;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** HTTP requests with the JDK's {@link java.net.http.HttpClient}, an independent client. */
final class Http {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Http() {}

  /** {@code GET base + path}, where {@code path} is sent as it is (base64 keeps its / and +). */
  static HttpResponse<String> get(URI base, String path) {
    return send(HttpRequest.newBuilder(resolve(base, path)).GET().timeout(TIMEOUT).build());
  }

  /** {@code GET base + path}, the body as bytes. */
  static HttpResponse<byte[]> getBytes(URI base, String path) {
    HttpRequest request =
        HttpRequest.newBuilder(resolve(base, path)).GET().timeout(TIMEOUT).build();
    try {
      return JdkSocket.HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new AssertionError("GET " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** {@code POST base + path} with a text body. */
  static HttpResponse<String> post(URI base, String path, String body) {
    return send(
        HttpRequest.newBuilder(resolve(base, path))
            .header("Content-Type", "text/plain;charset=UTF-8")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(TIMEOUT)
            .build());
  }

  private static URI resolve(URI base, String path) {
    String b = base.toString();
    return URI.create(b.endsWith("/") && path.startsWith("/") ? b + path.substring(1) : b + path);
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return JdkSocket.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
