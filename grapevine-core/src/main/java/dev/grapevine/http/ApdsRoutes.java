package dev.grapevine.http;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import dev.grapevine.store.StoreException;
import dev.grapevine.transport.HttpHandler;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of the reference APDS pub ({@code serve.js}), which Wiredove uses as a fallback when
 * it has no WebSocket and to confirm that a post was published. Built with {@link #builder()}.
 *
 * <h2>Routes</h2>
 *
 * <pre>
 * GET     /gossip/poll?since=&amp;limit=    200 {"messages":[sig,text?,…],"nextSince":n}
 *                                     400 since or limit not a non-negative integer
 * POST    /gossip                     200 {"messages":[…]} from the {@link GossipEndpoint}
 *                                     400 empty body, 413 body over maxFrameChars,
 *                                     500 {"error":"internal_error"} if the endpoint fails
 * OPTIONS /gossip, /gossip/…          204
 * any     other /gossip/…             404 {"error":"not_found"}
 * GET     /all?limit=&amp;offset=&amp;search= 200 [entry,…] by signed timestamp, then arrival
 * GET     /                           200 the same as /all (a Node routes / to its dashboard)
 * GET     /latest?limit=&amp;offset=        200 [entry,…] signed less than latestWindow ago
 * GET     /&lt;key&gt;?limit=&amp;offset=         key = the raw path after "/" (not percent-decoded):
 *                                     a public key: 200 [entry,…], the author's entries
 *                                     a msgHash: 200 [entry]
 *                                     a stored blob: 200 the raw blob (application/json)
 *                                     a name in the directory: 200 ["pubkey",…]
 *                                     otherwise 404 {"error":"not_found"}
 * OPTIONS any other path              204
 * other methods                       405 {"error":"method_not_allowed"} with Allow
 * any     when the executor or store  503 {"error":"unavailable"} with Retry-After: 1
 *         is full or closed
 * </pre>
 *
 * <p>Every response has {@code Access-Control-Allow-Origin: *} (and no credentials); the {@code
 * /gossip} routes also {@code Access-Control-Allow-Headers: content-type} and {@code
 * Access-Control-Allow-Methods: GET,POST,OPTIONS}, like the reference. Entries are {@link
 * LogEntry#toJson()} byte for byte and arrays have no spaces, as {@code JSON.stringify} writes
 * them. Bad parameters get 400 {@code {"error":"bad_request","message":…}}.
 *
 * <p><b>The poll cursor never skips a message.</b> The reference returns the largest signed
 * timestamp it saw as {@code nextSince}, which skips messages that arrive late with older
 * timestamps. Here {@code nextSince} is always a cursor over the store's arrival order, 10<sup>
 * 13</sup> + the arrival sequence number: above every 13-digit timestamp, because clients keep
 * {@code max(since, nextSince)}. A {@code since} below 10<sup>12</sup> is a bare sequence number
 * (0, the default, is the start), one from 10<sup>12</sup> to 10<sup>13</sup> a millisecond
 * timestamp with the reference's meaning (entries signed after it, by timestamp), and a larger one
 * a cursor. The cursor only moves over entries actually returned, so neither the limit (which
 * counts entries, never splitting a sig from its text) nor the size bound hides anything; the next
 * poll may repeat a few entries, which clients dedupe by hash.
 *
 * <p><b>Differences from the reference, on purpose.</b> Reserved routes ({@code /}, {@code /all},
 * {@code /latest}) come first and a name never shadows a key: in the reference a {@code db.json}
 * alias is looked up before everything, which was safe for its hand-written file, but our directory
 * is filled from anyone's {@code name:} front matter, so a post named "all" or named after someone
 * else's public key must not hijack those paths. Apart from that the order is the reference's:
 * directory alias, then the author/msgHash query, then the blob. Names are looked up raw and, if
 * that finds nothing and the path has {@code %} escapes, percent-decoded. {@code /all?search=text}
 * reaches the text search the reference's {@code query('?text')} offers but its HTTP route never
 * could. Entry arrays are pages: at most {@link ApdsLimits#maxEntries()} entries (default 10,000,
 * so normal logs come back whole) and about {@link ApdsLimits#maxResponseChars()} characters; a cut
 * page carries {@code X-Next-Offset}, the {@code offset} to ask for next. Offsets count positions
 * in a live log, so a message arriving between pages with an old timestamp shifts them; use {@code
 * /gossip/poll} for a gap-free feed. Blobs are served as {@code application/json} like the
 * reference, although they are YAML, text or data URLs: clients only read the text, and a type a
 * browser never renders (with {@code X-Content-Type-Options: nosniff}) keeps stored user content
 * from running as a page of this origin. Blobs may be cached for good ({@code Cache-Control:
 * immutable}): a hash names one content forever. {@code 204} answers have no body and a null
 * content type.
 *
 * <p><b>Threads.</b> {@link #handle} is called on an I/O thread and never blocks: it parses and
 * checks the request there, answers what needs no store at once, and runs store reads and the
 * {@link GossipEndpoint} on the executor given to the builder, whose thread completes the returned
 * future. The future never fails: every error, including a rejected executor (503) and a store
 * failure, becomes a JSON error response. Thread-safe; holds no mutable state.
 */
public final class ApdsRoutes implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(ApdsRoutes.class);

  /** The {@code Content-Type} of every body, blobs included. */
  static final String JSON_TYPE = "application/json; charset=utf-8";

  /** Longest {@code search} text of {@code /all}, in characters. */
  static final int MAX_SEARCH_CHARS = 1_024;

  private static final String GOSSIP_ALLOW_METHODS = "GET,POST,OPTIONS";
  private static final String DIRECTORY_ALLOW = "GET, OPTIONS";

  private final MessageStore store;
  private final GossipEndpoint gossip;
  private final Clock clock;
  private final Executor executor;
  private final ApdsLimits limits;

  private ApdsRoutes(Builder b) {
    this.store = Objects.requireNonNull(b.store, "store");
    this.gossip = Objects.requireNonNull(b.gossip, "gossip");
    this.executor = Objects.requireNonNull(b.executor, "executor");
    this.clock = b.clock;
    this.limits = b.limits;
  }

  /** A builder; {@code store}, {@code gossip} and {@code executor} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The limits in force. */
  public ApdsLimits limits() {
    return limits;
  }

  /**
   * Answers one request; see the class documentation for the routes. Returns at once; the future
   * completes on the calling thread or on the executor, and always with a response.
   */
  @Override
  public CompletableFuture<HttpResponse> handle(HttpRequest request) {
    boolean gossipPath = false;
    CompletableFuture<HttpResponse> answer;
    try {
      gossipPath = isGossipPath(request.path());
      answer = route(request, gossipPath);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    boolean cors = gossipPath;
    return answer.handle(
        (response, error) -> {
          HttpResponse r = response;
          if (error != null || r == null) {
            r = failure(request, error);
          }
          return withCors(r, cors);
        });
  }

  // ---- routing ----

  private static boolean isGossipPath(String path) {
    return path.equals("/gossip") || path.startsWith("/gossip/");
  }

  private CompletableFuture<HttpResponse> route(HttpRequest request, boolean gossipPath) {
    String method = request.method();
    String path = request.path();
    if (gossipPath) {
      String allowed =
          switch (path) {
            case "/gossip" -> "POST";
            case "/gossip/poll" -> "GET";
            default -> null;
          };
      if (method.equals("OPTIONS")) {
        return done(noContent(allowed == null ? "OPTIONS" : allowed + ", OPTIONS"));
      }
      if (allowed == null) {
        throw HttpError.notFound();
      }
      if (!method.equals(allowed)) {
        throw HttpError.methodNotAllowed(allowed + ", OPTIONS");
      }
      return allowed.equals("POST") ? postGossip(request) : poll(request);
    }
    if (method.equals("OPTIONS")) {
      return done(noContent(DIRECTORY_ALLOW));
    }
    if (!method.equals("GET")) {
      throw HttpError.methodNotAllowed(DIRECTORY_ALLOW);
    }
    return directory(request);
  }

  private CompletableFuture<HttpResponse> directory(HttpRequest request) {
    String path = request.path();
    String key = path.startsWith("/") ? path.substring(1) : path;
    if (key.isEmpty()) {
      return root(request);
    }
    if (key.equals("all")) {
      return all(request);
    }
    if (key.equals("latest")) {
      return latest(request);
    }
    if (Hash.isValid(key)) {
      Page page = Page.of(request, limits);
      return read(() -> byKey(key, page));
    }
    return read(() -> byName(key));
  }

  /**
   * {@code GET /}: the whole log, when these routes answer {@code /} (a Node serves its dashboard).
   */
  private CompletableFuture<HttpResponse> root(HttpRequest request) {
    return all(request);
  }

  // ---- /gossip ----

  private CompletableFuture<HttpResponse> postGossip(HttpRequest request) {
    String frame = request.body() == null ? "" : request.body();
    if (frame.isEmpty()) {
      throw HttpError.badRequest("Expected one frame in the body but it was empty");
    }
    if (frame.length() > limits.maxFrameChars()) {
      throw HttpError.payloadTooLarge(
          "Expected a frame of at most "
              + limits.maxFrameChars()
              + " chars but was "
              + frame.length());
    }
    return CompletableFuture.supplyAsync(() -> gossip.handleFrame(frame), executor)
        .thenCompose(f -> Objects.requireNonNull(f, "GossipEndpoint returned a null future"))
        .thenApply(
            frames -> {
              for (String f : Objects.requireNonNull(frames, "GossipEndpoint returned null")) {
                Objects.requireNonNull(f, "GossipEndpoint returned a null frame");
              }
              return HttpResponse.json(200, JsonBodies.messages(frames));
            });
  }

  private CompletableFuture<HttpResponse> poll(HttpRequest request) {
    long since = nonNegativeLong(request, "since").orElse(0L);
    long limit = nonNegativeLong(request, "limit").orElse((long) limits.defaultPollLimit());
    if (limit < 1) {
      throw HttpError.badRequest("Expected limit >= 1 but was " + limit);
    }
    int clamped = (int) Math.min(limit, limits.maxPollLimit());
    return read(
        () ->
            HttpResponse.json(
                200, GossipPoll.answer(store, since, clamped, limits.maxResponseChars())));
  }

  // ---- directory ----

  private CompletableFuture<HttpResponse> all(HttpRequest request) {
    Page page = Page.of(request, limits);
    Optional<String> search = request.queryParam("search");
    if (search.isPresent()) {
      String text = search.get();
      if (text.isEmpty() || text.length() > MAX_SEARCH_CHARS) {
        throw HttpError.badRequest(
            "Expected search text of 1 to "
                + MAX_SEARCH_CHARS
                + " chars but was "
                + text.length()
                + " chars");
      }
      return read(() -> entries(page, store.search(text)));
    }
    return read(() -> window(page, Long.MIN_VALUE));
  }

  private CompletableFuture<HttpResponse> latest(HttpRequest request) {
    Page page = Page.of(request, limits);
    long after = clock.millis() - limits.latestWindow().toMillis();
    return read(() -> window(page, after));
  }

  private HttpResponse byKey(String key, Page page) {
    List<LogEntry> entries = store.query(key);
    if (!entries.isEmpty()) {
      return entries(page, entries);
    }
    Optional<String> blob = store.get(Hash.parse(key));
    if (blob.isPresent()) {
      return new HttpResponse(
          200,
          JSON_TYPE,
          Map.of(
              "X-Content-Type-Options", "nosniff",
              "Cache-Control", "public, max-age=31536000, immutable"),
          blob.get());
    }
    throw HttpError.notFound();
  }

  private HttpResponse byName(String key) {
    List<PublicKey> keys = store.lookupName(key);
    if (keys.isEmpty() && key.indexOf('%') >= 0) {
      Optional<String> decoded = percentDecode(key);
      if (decoded.isPresent()) {
        keys = store.lookupName(decoded.get());
      }
    }
    if (keys.isEmpty()) {
      throw HttpError.notFound();
    }
    List<String> values = new ArrayList<>(keys.size());
    for (PublicKey k : keys) {
      values.add(k.value());
    }
    return HttpResponse.json(200, JsonBodies.strings(values));
  }

  /** A page of the entries with signed timestamp after {@code afterMillis}, in timestamp order. */
  private HttpResponse window(Page page, long afterMillis) {
    LogReads.Window w = LogReads.newerThan(store, afterMillis, (long) page.offset + page.limit);
    List<LogEntry> all = w.entries();
    List<LogEntry> slice = all.subList(Math.min(page.offset, all.size()), all.size());
    return entryPage(page, slice, w.skippedAny());
  }

  /** A page of {@code entries}, which are all the matches in order. */
  private HttpResponse entries(Page page, List<LogEntry> entries) {
    int from = Math.min(page.offset, entries.size());
    int to = (int) Math.min((long) from + page.limit, entries.size());
    return entryPage(page, entries.subList(from, to), to < entries.size());
  }

  private HttpResponse entryPage(Page page, List<LogEntry> slice, boolean moreAfter) {
    JsonBodies.Page body = JsonBodies.entryArray(slice, limits.maxResponseChars());
    HttpResponse response = HttpResponse.json(200, body.json());
    if (moreAfter || body.written() < slice.size()) {
      response =
          response
              .withHeader("X-Next-Offset", Long.toString((long) page.offset + body.written()))
              .withHeader("Access-Control-Expose-Headers", "X-Next-Offset");
    }
    return response;
  }

  // ---- helpers ----

  /** The {@code limit} and {@code offset} of an entry array. */
  private static final class Page {
    final int offset;
    final int limit;

    private Page(int offset, int limit) {
      this.offset = offset;
      this.limit = limit;
    }

    static Page of(HttpRequest request, ApdsLimits limits) {
      long limit = nonNegativeLong(request, "limit").orElse((long) limits.maxEntries());
      if (limit < 1) {
        throw HttpError.badRequest("Expected limit >= 1 but was " + limit);
      }
      long offset = nonNegativeLong(request, "offset").orElse(0L);
      if (offset > Integer.MAX_VALUE) {
        throw HttpError.badRequest(
            "Expected offset <= " + Integer.MAX_VALUE + " but was " + offset);
      }
      return new Page((int) offset, (int) Math.min(limit, limits.maxEntries()));
    }
  }

  /**
   * Query parameter {@code name} as a non-negative decimal integer; empty if missing or blank.
   *
   * @throws HttpError 400 if it is anything else
   */
  private static Optional<Long> nonNegativeLong(HttpRequest request, String name) {
    Optional<String> raw = request.queryParam(name);
    if (raw.isEmpty() || raw.get().isEmpty()) {
      return Optional.empty();
    }
    String s = raw.get();
    boolean digits = s.length() <= 18;
    for (int i = 0; i < s.length() && digits; i++) {
      digits = s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }
    if (!digits) {
      throw HttpError.badRequest(
          "Expected "
              + name
              + " to be a non-negative integer of at most 18 digits but was '"
              + (s.length() > 40 ? s.substring(0, 40) + "…" : s)
              + "'");
    }
    return Optional.of(Long.parseLong(s));
  }

  /** Decodes {@code %XX} escapes as UTF-8 ({@code +} stays {@code +}); empty if malformed. */
  static Optional<String> percentDecode(String s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (lo < 0) {
          return Optional.empty();
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          utf8 = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.write(utf8, 0, utf8.length);
      }
    }
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes.toByteArray()))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  private CompletableFuture<HttpResponse> read(Supplier<HttpResponse> task) {
    return CompletableFuture.supplyAsync(task, executor);
  }

  private static CompletableFuture<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  private static HttpResponse noContent(String allow) {
    return new HttpResponse(204, null, Map.of("Allow", allow), "");
  }

  private static HttpResponse error(int status, String code, String message) {
    return HttpResponse.json(status, JsonBodies.error(code, message));
  }

  /** The response for a failure; logs the unexpected ones. */
  private static HttpResponse failure(HttpRequest request, Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof HttpError) {
      HttpError h = (HttpError) e;
      HttpResponse r = error(h.status(), h.code(), h.getMessage());
      for (Map.Entry<String, String> header : h.headers().entrySet()) {
        r = r.withHeader(header.getKey(), header.getValue());
      }
      return r;
    }
    if (e instanceof RejectedExecutionException
        || (e instanceof StoreException
            && (((StoreException) e).reason() == StoreException.Reason.BUSY
                || ((StoreException) e).reason() == StoreException.Reason.CLOSED))) {
      log.debug("{} {} unavailable: {}", request.method(), request.path(), e.toString());
      return error(503, "unavailable", null).withHeader("Retry-After", "1");
    }
    log.warn("{} {} failed", request.method(), request.path(), e);
    return error(500, "internal_error", null);
  }

  private static HttpResponse withCors(HttpResponse response, boolean gossipPath) {
    HttpResponse r = response.withHeader("Access-Control-Allow-Origin", "*");
    if (gossipPath) {
      r =
          r.withHeader("Access-Control-Allow-Headers", "content-type")
              .withHeader("Access-Control-Allow-Methods", GOSSIP_ALLOW_METHODS);
    }
    return r;
  }

  /** Builds {@link ApdsRoutes}; not thread-safe. */
  public static final class Builder {
    private MessageStore store;
    private GossipEndpoint gossip;
    private Executor executor;
    private Clock clock = Clock.systemUTC();
    private ApdsLimits limits = ApdsLimits.DEFAULT;

    private Builder() {}

    /** The store the routes read (required). */
    public Builder store(MessageStore value) {
      this.store = Objects.requireNonNull(value, "store");
      return this;
    }

    /** Handles {@code POST /gossip} frames (required). */
    public Builder gossip(GossipEndpoint value) {
      this.gossip = Objects.requireNonNull(value, "gossip");
      return this;
    }

    /**
     * Runs store reads and the {@link GossipEndpoint} off the I/O thread (required). It may be
     * bounded: a rejected task answers 503 {@code {"error":"unavailable"}} with {@code Retry-After:
     * 1}. The routes never shut it down.
     */
    public Builder executor(Executor value) {
      this.executor = Objects.requireNonNull(value, "executor");
      return this;
    }

    /** The time source of {@code /latest} (default the system clock, UTC). */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /** The limits (default {@link ApdsLimits#DEFAULT}). */
    public Builder limits(ApdsLimits value) {
      this.limits = Objects.requireNonNull(value, "limits");
      return this;
    }

    /**
     * The routes.
     *
     * @throws NullPointerException if the store, the gossip endpoint or the executor is missing
     */
    public ApdsRoutes build() {
      return new ApdsRoutes(this);
    }
  }
}
