package dev.grapevine.dashboard;

import dev.grapevine.transport.HttpHandler;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The page and its files, read from the jar once at construction: {@code GET /} is {@code
 * index.html}, {@code GET /dashboard/<name>} the other files. Every answer carries a strong {@code
 * ETag} and {@code Cache-Control: no-cache}, so browsers keep a copy and revalidate it (304) rather
 * than run an old script against a newer node; the page itself carries a Content-Security-Policy
 * that allows nothing but this origin. Unknown files get 404 and methods other than GET and HEAD
 * 405, as JSON.
 *
 * <p>Immutable and thread-safe; answers on the calling (I/O) thread without blocking.
 */
final class Assets implements HttpHandler {
  /** Where the files are served from. */
  static final String PREFIX = "/dashboard/";

  /** The files besides {@code index.html}, served under {@link #PREFIX}. */
  static final List<String> FILES =
      List.of(
          "style.css",
          "app.js",
          "api.js",
          "live.js",
          "chart.js",
          "vlist.js",
          "format.js",
          "favicon.svg");

  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private record Asset(String body, String contentType, String etag, boolean page) {}

  private final Map<String, Asset> byPath;

  Assets() {
    Map<String, Asset> m = new LinkedHashMap<>();
    m.put("/", load("index.html", true));
    for (String f : FILES) {
      m.put(PREFIX + f, load(f, false));
    }
    this.byPath = Map.copyOf(m);
  }

  @Override
  public CompletableFuture<HttpResponse> handle(HttpRequest request) {
    Asset a = byPath.get(request.path());
    if (a == null) {
      return Responses.done(Responses.notFound(request.path()));
    }
    String method = request.method();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return Responses.done(Responses.methodNotAllowed("GET, HEAD"));
    }
    boolean fresh =
        request
            .header("If-None-Match")
            .map(v -> List.of(v.split(",")).stream().anyMatch(t -> matches(t.trim(), a.etag)))
            .orElse(false);
    HttpResponse r =
        fresh
            ? new HttpResponse(304, null, Map.of(), "")
            : new HttpResponse(200, a.contentType, Map.of(), a.body);
    r =
        r.withHeader("ETag", a.etag)
            .withHeader("Cache-Control", "no-cache")
            .withHeader("X-Content-Type-Options", "nosniff")
            .withHeader("Referrer-Policy", "no-referrer");
    if (a.page) {
      r = r.withHeader("Content-Security-Policy", CSP).withHeader("X-Frame-Options", "DENY");
    }
    return Responses.done(r);
  }

  private static boolean matches(String tag, String etag) {
    return tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag);
  }

  private static Asset load(String name, boolean page) {
    String body;
    try (InputStream in = Assets.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("The dashboard file " + name + " is missing from the jar");
      }
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the dashboard file " + name + " failed", e);
    }
    return new Asset(body, contentType(name), etag(body), page);
  }

  static String contentType(String name) {
    String ext = name.substring(name.lastIndexOf('.') + 1);
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "js" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "svg" -> "image/svg+xml; charset=utf-8";
      default -> throw new IllegalArgumentException("No content type for " + name);
    };
  }

  private static String etag(String body) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      return "\""
          + Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22)
          + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
