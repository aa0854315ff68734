package dev.grapevine.conn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.db.PeerData;
import dev.grapevine.conn.hub.HubEntry;
import dev.grapevine.conn.staging.StagedEntry;
import dev.grapevine.transport.HttpHandler;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The connection manager's REST routes:
 *
 * <pre>
 * GET  /api/peers            {peers:[{nodeId, publicKey, address, orgId, status, chainHeight,
 *                            lastSeen, state, direction, isClient, type, inferredType, hubBirth,
 *                            hubUpdated}], count}  (MiniLedger's shape, our fields added)
 * GET  /api/conn/db          {entries:[{address, data, nextAttempt?}], count}  (conn.json, and
 *                            when the scheduler reckons it may dial the peer next, epoch ms)
 * GET  /api/conn/staged      {entries:[{address, data}], count}
 * GET  /api/conn/firewall    {rejected, counts, recent:[{time, key, address, reason}]}
 * POST /api/conn/connect     {address, data?} → {address, connected:true} once the link is open
 * POST /api/conn/disconnect  {address}        → {address, disconnected:bool}
 * POST /api/conn/remember    {address, data?} → {address, data}
 * POST /api/conn/forget      {address}        → {address, forgotten:bool}
 * POST /api/conn/stage       {address, data?} → {address, staged:bool}
 * POST /api/conn/unstage     {address}        → {address, unstaged:bool}
 * </pre>
 *
 * Errors are JSON {@code {error, message}}: 400 for a body that is not JSON or an invalid address,
 * 404 for an unknown route, 405 for a wrong method, 415 for a POST whose {@code Content-Type} is
 * not {@code application/json}, 502 when a connect fails and 504 when it does not finish within the
 * connect timeout.
 *
 * <p>Why JSON only: another site's page can make a browser send a form or {@code text/plain} POST
 * to this node without asking first; a JSON POST needs a CORS preflight, which the node grants only
 * to allowed origins. Without tokens configured, this is what keeps a web page the operator happens
 * to visit from dialling, forgetting or disconnecting peers.
 *
 * <p>Thread-safe. Answers on the calling (I/O) thread except connect and disconnect, whose futures
 * complete on the hub thread.
 */
public final class ConnRoutes implements HttpHandler {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Conn conn;
  private final Duration connectTimeout;
  private final Function<PublicKey, PeerStatus> status;

  /**
   * Routes for {@code conn}.
   *
   * @param connectTimeout how long {@code POST /api/conn/connect} waits for the link
   * @param status what the node knows of a connected peer besides the hub (its store height and
   *     when it was last heard from); may return null for "nothing"
   */
  public ConnRoutes(Conn conn, Duration connectTimeout, Function<PublicKey, PeerStatus> status) {
    this.conn = Objects.requireNonNull(conn, "conn");
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    this.status = Objects.requireNonNull(status, "status");
  }

  /**
   * What the node knows of a peer beyond the hub.
   *
   * @param chainHeight how many messages the peer reported holding (0 if unknown)
   * @param lastSeen when a frame last arrived from it, epoch ms (0 if unknown)
   * @param address the URL the peer listens on (MiniLedger's {@code address}), or null to show the
   *     connection manager's address
   * @param orgId the peer's network, or null if unknown
   * @param nodeId the peer's nodeId as it announced it, or null to derive it from the key
   * @param rttMillis the last ping round trip, or -1 if unknown
   */
  public record PeerStatus(
      long chainHeight,
      long lastSeen,
      String address,
      String orgId,
      String nodeId,
      double rttMillis) {
    /** A status with only the chain height and last-seen time. */
    public PeerStatus(long chainHeight, long lastSeen) {
      this(chainHeight, lastSeen, null, null, null, -1);
    }
  }

  @Override
  public CompletableFuture<HttpResponse> handle(HttpRequest request) {
    try {
      return route(request);
    } catch (BadRequest e) {
      return done(error(400, "bad_request", e.getMessage()));
    }
  }

  private CompletableFuture<HttpResponse> route(HttpRequest request) {
    String path = request.path();
    String method = request.method();
    switch (path) {
      case "/api/peers":
        return get(method, this::peers);
      case "/api/conn/db":
        return get(method, this::dbEntries);
      case "/api/conn/staged":
        return get(method, this::staged);
      case "/api/conn/firewall":
        return get(method, this::firewall);
      default:
        break;
    }
    if (!path.startsWith("/api/conn/")) {
      return done(error(404, "not_found", "No route " + path));
    }
    String action = path.substring("/api/conn/".length());
    if (!List.of("connect", "disconnect", "remember", "forget", "stage", "unstage")
        .contains(action)) {
      return done(error(404, "not_found", "No route " + path));
    }
    if (!method.equals("POST")) {
      return done(error(405, "method_not_allowed", "Use POST").withHeader("Allow", "POST"));
    }
    if (!isJson(request)) {
      return done(error(415, "unsupported_media_type", "Expected Content-Type: application/json"));
    }
    JsonNode body = parse(request.body());
    ConnAddress address = address(body);
    Map<String, Object> data = data(body);
    ObjectNode out = JSON.createObjectNode().put("address", address.toString());
    switch (action) {
      case "connect":
        return connect(address, data, out);
      case "disconnect":
        return conn.disconnect(address)
            .thenApply(b -> ok(out.put("disconnected", b)))
            .exceptionally(e -> error(500, "internal_error", cause(e).getMessage()));
      case "remember":
        out.set("data", conn.remember(address, data).json());
        return done(ok(out));
      case "forget":
        return done(ok(out.put("forgotten", conn.forget(address))));
      case "stage":
        return done(
            ok(
                out.put(
                    "staged",
                    conn.stage(address, data.isEmpty() ? Map.of("type", "internet") : data))));
      default:
        return done(ok(out.put("unstaged", conn.unstage(address))));
    }
  }

  private CompletableFuture<HttpResponse> connect(
      ConnAddress address, Map<String, Object> data, ObjectNode out) {
    return conn.connect(address, data)
        .orTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (link, e) -> {
              if (e == null) {
                return ok(out.put("connected", true));
              }
              Throwable c = cause(e);
              if (c instanceof TimeoutException) {
                return error(
                    504, "connect_timeout", "No link to " + address + " within " + connectTimeout);
              }
              return error(502, "connect_failed", String.valueOf(c.getMessage()));
            });
  }

  private static CompletableFuture<HttpResponse> get(
      String method, java.util.function.Supplier<JsonNode> body) {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return done(error(405, "method_not_allowed", "Use GET").withHeader("Allow", "GET, HEAD"));
    }
    return done(ok(body.get()));
  }

  private JsonNode peers() {
    ArrayNode peers = JSON.createArrayNode();
    for (HubEntry e : conn.peers()) {
      PeerStatus s = status.apply(e.key());
      ObjectNode p = peers.addObject();
      p.put("nodeId", s != null && s.nodeId() != null ? s.nodeId() : nodeId(e.key()));
      p.put("publicKey", e.key().value());
      p.put("address", s != null && s.address() != null ? s.address() : e.address().toString());
      p.put("orgId", s != null && s.orgId() != null ? s.orgId() : "");
      p.put("status", e.state().wireName());
      p.put("chainHeight", s == null ? 0 : s.chainHeight());
      p.put("lastSeen", s == null || s.lastSeen() == 0 ? e.hubUpdated() : s.lastSeen());
      p.put("state", e.state().wireName());
      p.put("multiserverAddress", e.address().toString());
      if (s != null && s.rttMillis() >= 0) {
        p.put("rttMillis", s.rttMillis());
      }
      p.put("direction", e.direction().name().toLowerCase(java.util.Locale.ROOT));
      p.put("isClient", e.isClient());
      p.put("inferredType", e.inferredType());
      p.set("data", JSON.valueToTree(e.data()));
      p.put("hubBirth", e.hubBirth());
      p.put("hubUpdated", e.hubUpdated());
    }
    ObjectNode out = JSON.createObjectNode();
    out.set("peers", peers);
    out.put("count", peers.size());
    return out;
  }

  private JsonNode dbEntries() {
    ArrayNode entries = JSON.createArrayNode();
    Map<String, Long> next = conn.scheduler().nextAttempts();
    for (Map.Entry<String, PeerData> e : conn.dbPeers()) {
      ObjectNode o = entries.addObject().put("address", e.getKey());
      o.set("data", e.getValue().json());
      Long at = next.get(e.getKey());
      if (at != null) {
        o.put("nextAttempt", at);
      }
    }
    return list(entries);
  }

  private JsonNode staged() {
    ArrayNode entries = JSON.createArrayNode();
    for (StagedEntry e : conn.stagedPeers()) {
      ObjectNode o = entries.addObject().put("address", e.address().toString());
      o.set("data", JSON.valueToTree(e.toData()));
    }
    return list(entries);
  }

  private JsonNode firewall() {
    var r = conn.firewall().rejected();
    ObjectNode out = JSON.createObjectNode().put("rejected", r.total());
    ObjectNode counts = out.putObject("counts");
    r.counts()
        .forEach((reason, n) -> counts.put(reason.name().toLowerCase(java.util.Locale.ROOT), n));
    ArrayNode recent = out.putArray("recent");
    for (var a : r.recent()) {
      recent
          .addObject()
          .put("time", a.time().toEpochMilli())
          .put("key", a.key().value())
          .put("address", a.address())
          .put("reason", a.reason().name().toLowerCase(java.util.Locale.ROOT));
    }
    return out;
  }

  private static JsonNode list(ArrayNode entries) {
    ObjectNode out = JSON.createObjectNode();
    out.set("entries", entries);
    out.put("count", entries.size());
    return out;
  }

  /** MiniLedger's node id: the first 16 hex characters of the public key's bytes. */
  static String nodeId(PublicKey key) {
    return HexFormat.of().formatHex(key.bytes(), 0, 8);
  }

  private static boolean isJson(HttpRequest request) {
    return request
        .header("Content-Type")
        .map(v -> v.split(";", 2)[0].strip().equalsIgnoreCase("application/json"))
        .orElse(false);
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode n = JSON.readTree(body.isBlank() ? "{}" : body);
      if (n == null || !n.isObject()) {
        throw new BadRequest("Expected a JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new BadRequest("Expected a JSON object: " + e.getOriginalMessage());
    }
  }

  private static ConnAddress address(JsonNode body) {
    JsonNode a = body.get("address");
    if (a == null || !a.isTextual()) {
      throw new BadRequest("Expected \"address\": \"ws://host:port~shs:<key>\"");
    }
    try {
      return ConnAddress.parse(a.textValue());
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage());
    }
  }

  private static Map<String, Object> data(JsonNode body) {
    JsonNode d = body.get("data");
    if (d == null || d.isNull()) {
      return Map.of();
    }
    if (!d.isObject()) {
      throw new BadRequest("Expected \"data\" to be a JSON object");
    }
    return JSON.convertValue(d, new com.fasterxml.jackson.core.type.TypeReference<>() {});
  }

  private static Throwable cause(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private static HttpResponse ok(JsonNode body) {
    return HttpResponse.json(200, body.toString());
  }

  private static HttpResponse error(int status, String code, String message) {
    ObjectNode o = JSON.createObjectNode().put("error", code);
    if (message != null) {
      o.put("message", message);
    }
    return HttpResponse.json(status, o.toString());
  }

  private static CompletableFuture<HttpResponse> done(HttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  /** A request whose body or address is malformed: answered with 400. */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message, null, false, false);
    }
  }
}
