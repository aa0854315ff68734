package dev.grapevine.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.Version;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.conn.hub.HubEntry;
import dev.grapevine.store.StoreException;
import dev.grapevine.store.StoreStats;
import dev.grapevine.sync.SyncStats;
import dev.grapevine.transport.HttpHandler;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.HttpResponse;
import java.net.URI;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/dashboard}, a snapshot of what the page shows besides the connection manager's
 * routes, and {@code POST /api/publish {text, name?}}, which publishes a post as this node.
 *
 * <p>Thread-safe. {@link #handle} runs on an I/O thread and only parses there: the snapshot (store
 * statistics may read the database) runs on the read executor and the publish (which waits for its
 * commit) on the publish executor, whose threads complete the future. The future never fails; a
 * full executor answers 503 with {@code Retry-After: 1}.
 */
final class NodeApi implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(NodeApi.class);

  static final String SNAPSHOT = "/api/dashboard";
  static final String PUBLISH = "/api/publish";

  private final Dashboard node;
  private final DashboardConfig config;
  private final IngestHistory ingest;
  private final Executor publishes;
  private final long startedAt;

  NodeApi(Dashboard node, IngestHistory ingest, Executor publishes) {
    this.node = node;
    this.config = node.config;
    this.ingest = ingest;
    this.publishes = publishes;
    this.startedAt = node.clock.millis();
  }

  @Override
  public CompletableFuture<HttpResponse> handle(HttpRequest request) {
    String method = request.method();
    switch (request.path()) {
      case SNAPSHOT:
        if (!method.equals("GET") && !method.equals("HEAD")) {
          return Responses.done(Responses.methodNotAllowed("GET, HEAD"));
        }
        return run(node.reads, () -> Responses.ok(snapshot()), request);
      case PUBLISH:
        if (!method.equals("POST")) {
          return Responses.done(Responses.methodNotAllowed("POST"));
        }
        if (!isJson(request)) {
          // Only JSON: another site's page can send a form or text/plain to this node without the
          // browser asking first, but a JSON body needs a CORS preflight, which the node grants
          // only
          // to allowed origins.
          return Responses.done(
              Responses.error(
                  415, "unsupported_media_type", "Expected Content-Type: application/json"));
        }
        Post post;
        try {
          post = parse(request.body());
        } catch (BadPost e) {
          return Responses.done(Responses.error(e.status, e.code, e.getMessage()));
        }
        return run(publishes, () -> publish(post), request);
      default:
        return Responses.done(Responses.notFound(request.path()));
    }
  }

  // ---- GET /api/dashboard ----

  ObjectNode snapshot() {
    long now = node.clock.millis();
    ObjectNode out = Responses.JSON.createObjectNode();
    ObjectNode n = out.putObject("node");
    n.put("publicKey", node.publicKey.value());
    n.put("nodeId", HexFormat.of().formatHex(node.publicKey.bytes(), 0, 8));
    n.put("version", Version.get());
    ArrayNode urls = n.putArray("urls");
    for (URI u : node.urls.get()) {
      urls.add(u.toString());
    }
    n.put("dataDir", node.dataDir == null ? null : node.dataDir.toString());
    n.put("ephemeral", node.dataDir == null);
    n.put("startedAt", startedAt);
    n.put("uptimeMs", Math.max(0, now - startedAt));
    n.put("now", now);

    StoreStats st = node.store.stats();
    out.putObject("store")
        .put("messages", st.messages())
        .put("authors", st.authors())
        .put("blobs", st.blobs())
        .put("blobBytes", st.blobBytes())
        .put("queued", st.queued());

    SyncStats sy = node.sync.stats();
    out.set("sync", Responses.JSON.valueToTree(sy));

    ObjectNode gossip = out.putObject("gossip");
    gossip.put("missingCount", sy.missingHashes());
    ArrayNode missing = gossip.putArray("missing");
    for (Hash h : node.sync.gossip().missing(config.missingShown())) {
      missing.add(h.value());
    }

    IngestHistory.Snapshot in = ingest.snapshot(now);
    ObjectNode ing = out.putObject("ingest");
    ing.put("bucketMillis", in.bucketMillis()).put("endMillis", in.endMillis());
    ArrayNode counts = ing.putArray("counts");
    for (long c : in.counts()) {
      counts.add(c);
    }

    ArrayNode links = out.putArray("links");
    for (HubEntry e : node.conn.peers()) {
      ObjectNode l = links.addObject();
      l.put("publicKey", e.key().value());
      l.put("address", e.address().toString());
      l.put("state", e.state().wireName());
      l.put("since", e.hubBirth());
      e.link()
          .flatMap(node.traffic)
          .ifPresentOrElse(
              t -> l.put("framesIn", t.framesIn()).put("framesOut", t.framesOut()),
              () -> l.putNull("framesIn").putNull("framesOut"));
      e.link().ifPresentOrElse(k -> l.put("linkId", k.id()), () -> l.putNull("linkId"));
      node.conn
          .db()
          .get(e.address())
          .flatMap(d -> d.pingRtt())
          .filter(s -> s.count() > 0)
          .ifPresentOrElse(s -> l.put("rttMs", s.mean()), () -> l.putNull("rttMs"));
    }
    return out;
  }

  // ---- POST /api/publish ----

  private record Post(String text, Map<String, String> meta) {}

  private static boolean isJson(HttpRequest request) {
    return request
        .header("Content-Type")
        .map(v -> v.split(";", 2)[0].strip().equalsIgnoreCase("application/json"))
        .orElse(false);
  }

  private Post parse(String body) {
    JsonNode json;
    try {
      json = Responses.JSON.readTree(body == null || body.isBlank() ? "" : body);
    } catch (JsonProcessingException e) {
      throw BadPost.badRequest("Expected a JSON object {text, name?}: " + e.getOriginalMessage());
    }
    if (json == null || !json.isObject()) {
      throw BadPost.badRequest("Expected a JSON object {text, name?}");
    }
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("text") && !f.equals("name")) {
        throw BadPost.badRequest("Unknown field \"" + f + "\"; expected {text, name?}");
      }
    }
    JsonNode t = json.get("text");
    if (t == null || !t.isTextual() || t.textValue().isBlank()) {
      throw BadPost.badRequest("Expected \"text\" to be a non-empty string");
    }
    String text = t.textValue();
    if (text.length() > config.maxPostChars()) {
      throw new BadPost(
          413,
          "payload_too_large",
          "Expected a text of at most "
              + config.maxPostChars()
              + " characters but it has "
              + text.length());
    }
    Map<String, String> meta = new LinkedHashMap<>();
    JsonNode name = json.get("name");
    if (name != null && !name.isNull()) {
      if (!name.isTextual() || name.textValue().isBlank()) {
        throw BadPost.badRequest("Expected \"name\" to be a non-empty string");
      }
      String v = name.textValue().strip();
      if (v.length() > config.maxNameChars() || v.chars().anyMatch(Character::isISOControl)) {
        throw BadPost.badRequest(
            "Expected \"name\" to be one line of at most " + config.maxNameChars() + " characters");
      }
      meta.put("name", v);
    }
    return new Post(text, meta);
  }

  private HttpResponse publish(Post post) {
    VerifiedMessage m;
    try {
      m = node.publisher.publish(post.text(), post.meta());
    } catch (IllegalArgumentException e) {
      return Responses.error(400, "bad_request", e.getMessage());
    }
    ObjectNode out =
        Responses.JSON
            .createObjectNode()
            .put("hash", m.hash().value())
            .put("contentHash", m.contentHash().value())
            .put("timestamp", m.timestampMillis());
    return Responses.ok(out);
  }

  // ---- threads and failures ----

  private static CompletableFuture<HttpResponse> run(
      Executor executor, Supplier<HttpResponse> work, HttpRequest request) {
    CompletableFuture<HttpResponse> f;
    try {
      f = CompletableFuture.supplyAsync(work, executor);
    } catch (RejectedExecutionException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle((r, e) -> e == null ? r : failure(request, e));
  }

  /** The one place a failure becomes an answer. */
  private static HttpResponse failure(HttpRequest request, Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof RejectedExecutionException) {
      return Responses.error(503, "unavailable", "The node is busy or closing; retry")
          .withHeader("Retry-After", "1");
    }
    if (e instanceof StoreException s) {
      switch (s.reason()) {
        case BUSY, CLOSED:
          return Responses.error(503, "unavailable", s.getMessage()).withHeader("Retry-After", "1");
        case TOO_LARGE:
          return Responses.error(413, "payload_too_large", s.getMessage());
        default:
          break;
      }
    }
    log.warn("{} {} failed", request.method(), request.path(), e);
    return Responses.error(500, "internal_error", e.getClass().getSimpleName());
  }

  /** A publish body that is not acceptable; answered with its status. */
  private static final class BadPost extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    BadPost(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }

    static BadPost badRequest(String message) {
      return new BadPost(400, "bad_request", message);
    }
  }
}
