package dev.grapevine.api;

import dev.grapevine.internal.KeyedRateLimiter;
import dev.grapevine.transport.HttpHandler;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The access rules of the node's operator surfaces ({@link ApiConfig}): bearer tokens, the browser
 * origin allow-list, CORS and a per-address request rate. {@link #wrap} puts them in front of any
 * {@link HttpHandler}; the event API uses the same checks at its WebSocket upgrade.
 *
 * <p>For a request to a wrapped handler, in order:
 *
 * <ol>
 *   <li>an {@code Origin} header that is neither this node's own origin nor allowed: {@code 403
 *       {"error":"origin_not_allowed"}};
 *   <li>{@code OPTIONS} (a CORS preflight): {@code 204} with the CORS headers, no token needed;
 *   <li>more than {@link ApiConfig#requestsPerSecond()} from one address: {@code 429
 *       {"error":"rate_limited","retryAfter":s}} with {@code Retry-After};
 *   <li>tokens configured and no valid {@code Authorization: Bearer <token>} (or {@code ?token=}):
 *       {@code 401 {"error":"unauthorized"}} with {@code WWW-Authenticate: Bearer};
 *   <li>otherwise the handler answers, and CORS headers are added for an allowed origin.
 * </ol>
 *
 * <p>CORS never echoes an arbitrary origin with credentials: an origin on the list (or the node's
 * own) is echoed with {@code Access-Control-Allow-Credentials: true} and {@code Vary: Origin}; with
 * {@code "*"} on the list, other origins get {@code Access-Control-Allow-Origin: *} and no
 * credentials. Tokens are compared in constant time (SHA-256 of both sides, {@link
 * MessageDigest#isEqual}), against every configured token.
 *
 * <p>Thread-safe; {@link #wrap wrapped handlers} run on the I/O thread and add no blocking work.
 */
public final class ApiAuth {
  private static final String ALLOW_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
  private static final String ALLOW_HEADERS = "Authorization, Content-Type";

  /** Why a request or upgrade was refused, for the observer and metrics. */
  public enum Refusal {
    /** No token was presented where one is required. */
    MISSING_TOKEN,
    /** A token was presented and it is not one of the configured ones. */
    BAD_TOKEN,
    /** The browser origin is not allowed. */
    ORIGIN,
    /** The address sent too many requests. */
    RATE_LIMIT
  }

  /** Told about every refusal, on the refusing thread; must return quickly. */
  @FunctionalInterface
  public interface Observer {
    /** A request from {@code remoteAddress} was refused. */
    void refused(Refusal why, String remoteAddress, String detail);
  }

  private final ApiConfig config;
  private final Clock clock;
  private final Observer observer;
  private final List<byte[]> tokenDigests;
  private final List<String> origins;
  private final boolean anyOrigin;
  private final KeyedRateLimiter requests;
  private final Map<Refusal, LongAdder> refusals = new LinkedHashMap<>();

  private ApiAuth(ApiConfig config, Clock clock, Observer observer) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.observer = Objects.requireNonNull(observer, "observer");
    List<byte[]> digests = new ArrayList<>();
    for (String t : config.tokens()) {
      digests.add(sha256(t));
    }
    this.tokenDigests = List.copyOf(digests);
    List<String> normal = new ArrayList<>();
    boolean any = false;
    for (String o : config.allowedOrigins()) {
      if (o.equals("*")) {
        any = true;
      } else {
        normal.add(Origins.normalize(o).orElseThrow());
      }
    }
    this.origins = List.copyOf(normal);
    this.anyOrigin = any;
    this.requests =
        new KeyedRateLimiter(
            config.requestsPerSecond(), config.requestsPerSecond(), config.maxTrackedAddresses());
    for (Refusal r : Refusal.values()) {
      refusals.put(r, new LongAdder());
    }
  }

  /**
   * The access rules of {@code config}.
   *
   * @param clock time for the request rate
   * @param observer told about refusals (the node raises {@code security_alert}s)
   */
  public static ApiAuth create(ApiConfig config, Clock clock, Observer observer) {
    return new ApiAuth(config, clock, observer);
  }

  /** The settings. */
  public ApiConfig config() {
    return config;
  }

  /** Whether tokens are configured. */
  public boolean tokenRequired() {
    return !tokenDigests.isEmpty();
  }

  /**
   * Puts the access rules, the token included, in front of {@code handler}. Use it for every route
   * under {@code /api/}: {@code routes.prefix("/api/peers", apiAuth.wrap(peers))}.
   */
  public HttpHandler wrap(HttpHandler handler) {
    return guard(handler, true);
  }

  /** The access rules without the token, for routes that stay open such as health checks. */
  public HttpHandler wrapPublic(HttpHandler handler) {
    return guard(handler, false);
  }

  /** The token a request presents: {@code Authorization: Bearer <token>}, else {@code ?token=}. */
  public Optional<String> presentedToken(HttpRequest request) {
    Optional<String> header = request.header("Authorization");
    if (header.isPresent()) {
      String h = header.get().trim();
      if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return Optional.of(h.substring(7).trim());
      }
    }
    return request.queryParam("token");
  }

  /** Whether {@code candidate} is one of the tokens; constant time in the candidate's content. */
  public boolean isValidToken(String candidate) {
    if (candidate == null) {
      return false;
    }
    byte[] digest = sha256(candidate);
    boolean match = false;
    for (byte[] t : tokenDigests) {
      match |= MessageDigest.isEqual(t, digest);
    }
    return match;
  }

  /** Whether the request's browser origin, if it has one, may use the node. */
  public boolean originAllowed(HttpRequest request) {
    Optional<String> origin = request.header("Origin");
    if (origin.isEmpty()) {
      return true;
    }
    if (Origins.sameOrigin(origin.get(), request.header("Host").orElse(null))) {
      return true;
    }
    if (anyOrigin) {
      return true;
    }
    Optional<String> normal = Origins.normalize(origin.get());
    return normal.isPresent() && origins.contains(normal.get());
  }

  /** The CORS headers for a response to {@code request} (empty if none are due). */
  public Map<String, String> corsHeaders(HttpRequest request) {
    Optional<String> origin = request.header("Origin");
    if (!config.cors() || origin.isEmpty() || !originAllowed(request)) {
      return Map.of();
    }
    Map<String, String> h = new LinkedHashMap<>();
    Optional<String> normal = Origins.normalize(origin.get());
    boolean listed =
        normal.isPresent() && origins.contains(normal.get())
            || Origins.sameOrigin(origin.get(), request.header("Host").orElse(null));
    if (listed) {
      h.put("Access-Control-Allow-Origin", origin.get().trim());
      h.put("Access-Control-Allow-Credentials", "true");
      h.put("Vary", "Origin");
    } else {
      h.put("Access-Control-Allow-Origin", "*");
    }
    return h;
  }

  /**
   * Takes one request from {@code address}'s allowance.
   *
   * @return 0 if allowed, else the nanoseconds to wait
   */
  long tryRequest(String address) {
    return requests.tryTake(address, nanos());
  }

  /** Counts a refusal and tells the observer. */
  public void refused(Refusal why, String remoteAddress, String detail) {
    refusals.get(why).increment();
    try {
      observer.refused(why, remoteAddress, detail);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(ApiAuth.class).warn("Refusal observer failed", e);
    }
  }

  /** Refusals so far, by reason, for metrics. */
  public Map<Refusal, Long> refusals() {
    Map<Refusal, Long> out = new LinkedHashMap<>();
    refusals.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Addresses whose request rate is tracked now. */
  public int trackedAddresses() {
    return requests.size();
  }

  private long nanos() {
    return TimeUnit.MILLISECONDS.toNanos(clock.millis());
  }

  private HttpHandler guard(HttpHandler handler, boolean needsToken) {
    Objects.requireNonNull(handler, "handler");
    return request -> {
      if (!originAllowed(request)) {
        refused(Refusal.ORIGIN, request.remoteAddress(), request.header("Origin").orElse(""));
        return done(HttpResponse.json(403, "{\"error\":\"origin_not_allowed\"}"));
      }
      Map<String, String> cors = corsHeaders(request);
      if (request.method().equals("OPTIONS")) {
        HttpResponse r = new HttpResponse(204, null, cors, "");
        if (!cors.isEmpty()) {
          r = r.withHeader("Access-Control-Allow-Methods", ALLOW_METHODS);
          r = r.withHeader("Access-Control-Allow-Headers", ALLOW_HEADERS);
          r = r.withHeader("Access-Control-Max-Age", "600");
        }
        return done(r);
      }
      long wait = tryRequest(request.remoteAddress());
      if (wait > 0) {
        refused(Refusal.RATE_LIMIT, request.remoteAddress(), request.path());
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + 999_999_999L));
        return done(
            withHeaders(
                HttpResponse.json(
                        429, "{\"error\":\"rate_limited\",\"retryAfter\":" + seconds + "}")
                    .withHeader("Retry-After", Long.toString(seconds)),
                cors));
      }
      if (needsToken && tokenRequired()) {
        Optional<String> token = presentedToken(request);
        if (token.isEmpty() || !isValidToken(token.get())) {
          refused(
              token.isEmpty() ? Refusal.MISSING_TOKEN : Refusal.BAD_TOKEN,
              request.remoteAddress(),
              request.method() + " " + request.path());
          return done(
              withHeaders(
                  HttpResponse.json(401, "{\"error\":\"unauthorized\"}")
                      .withHeader("WWW-Authenticate", "Bearer"),
                  cors));
        }
      }
      CompletableFuture<HttpResponse> answer;
      try {
        answer = handler.handle(request);
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      return cors.isEmpty() ? answer : answer.thenApply(r -> withHeaders(r, cors));
    };
  }

  private static HttpResponse withHeaders(HttpResponse r, Map<String, String> extra) {
    HttpResponse out = r;
    for (Map.Entry<String, String> e : extra.entrySet()) {
      if (!r.headers().containsKey(e.getKey())) {
        out = out.withHeader(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static CompletableFuture<HttpResponse> done(HttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
