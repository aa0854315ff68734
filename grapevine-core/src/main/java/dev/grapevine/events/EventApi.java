package dev.grapevine.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.api.ApiAuth;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.transport.Admission;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.HttpHandler;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event API: the {@code /ws} WebSocket surface, on which clients subscribe to topics of the
 * node's {@link NodeEvents}, and its {@code /ws/health}, {@code /ws/metrics} and {@code /ws/status}
 * routes. The protocol, limits and slow-consumer policy are described in {@code package-info.java}
 * and the README.
 *
 * <p><b>Threads.</b> Upgrades, incoming messages (parsing, rate limit, authentication) and
 * connection counts are handled on each client's I/O thread. Everything a client is sent, and its
 * subscriptions and queue, are owned by the bus's event thread: replies are handed to it, so a
 * client sees its {@code welcome} first and a {@code subscribed} before the first event of that
 * topic. The authentication deadline runs on the node's {@link Scheduler}.
 */
public final class EventApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The event API's WebSocket path. */
  public static final String PATH = "/ws";

  /** The operations routes, in PeerVault's {@code endpoints} order. */
  static final String[] ENDPOINTS = {"/ws", "/ws/health", "/ws/metrics", "/ws/status"};

  private final NodeEvents bus;
  private final EventsConfig config;
  private final ApiAuth auth;
  private final Scheduler scheduler;
  private final Clock clock;
  private final String version;
  private final Instant started;
  private final Supplier<Map<String, Boolean>> checks;
  private final Surface surface = new Surface();

  // ---- connection accounting: any thread ----
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger pendingAuth = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final LongAdder total = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> messagesIn = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> messagesOut = new ConcurrentHashMap<>();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder slowConsumerCloses = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder rateLimitCloses = new LongAdder();
  private final LongAdder authFailures = new LongAdder();
  private final AtomicInteger queued = new AtomicInteger();
  private final EnumMap<Topic, AtomicInteger> subscriptionCounts = new EnumMap<>(Topic.class);

  // ---- event thread only ----
  private final EnumMap<Topic, Set<Client>> subscribers = new EnumMap<>(Topic.class);

  private final AtomicBoolean closed = new AtomicBoolean();

  private EventApi(Builder b) {
    this.bus = Objects.requireNonNull(b.bus, "bus");
    this.config = bus.config();
    this.auth = Objects.requireNonNull(b.auth, "auth");
    this.scheduler = Objects.requireNonNull(b.scheduler, "scheduler");
    this.clock = bus.clock();
    this.version = Objects.requireNonNull(b.version, "version");
    this.checks = b.checks;
    this.started = clock.instant();
    for (Topic t : Topic.values()) {
      subscribers.put(t, new LinkedHashSet<>());
      subscriptionCounts.put(t, new AtomicInteger());
    }
    bus.attach(this::fanOut);
  }

  /** A builder; {@code bus}, {@code auth}, {@code scheduler} and {@code version} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The handler to register at {@link #PATH} in the transport's surfaces. */
  public LinkHandler surface() {
    return surface;
  }

  /**
   * The handler of {@code /ws/health} (open to all) and {@code /ws/metrics} and {@code /ws/status}
   * (token required when tokens are configured), already wrapped in the access rules; register it
   * for the prefix {@code /ws/}.
   */
  public HttpHandler routes() {
    HttpHandler guarded = auth.wrap(this::operations);
    HttpHandler open = auth.wrapPublic(this::operations);
    return request ->
        request.path().equals("/ws/health") ? open.handle(request) : guarded.handle(request);
  }

  /** Counters and gauges. */
  public EventApiStats stats() {
    Map<String, Integer> subs = new LinkedHashMap<>();
    subscriptionCounts.forEach((t, n) -> subs.put(t.wireName(), n.get()));
    return new EventApiStats(
        active.get(),
        pendingAuth.get(),
        total.sum(),
        refused.sum(),
        sums(messagesIn),
        sums(messagesOut),
        bytesIn.sum(),
        bytesOut.sum(),
        subs,
        queued.get(),
        dropped.sum(),
        slowConsumerCloses.sum(),
        rateLimited.sum(),
        rateLimitCloses.sum(),
        authFailures.sum());
  }

  /**
   * Refuses new clients from now on. The transport's close sends every client 1001; this does not
   * close links itself. Idempotent.
   */
  @Override
  public void close() {
    closed.set(true);
  }

  private static Map<String, Long> sums(Map<String, LongAdder> counters) {
    Map<String, Long> out = new LinkedHashMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private void countIn(String type) {
    messagesIn.computeIfAbsent(type, k -> new LongAdder()).increment();
  }

  private void countOut(String type, int frames) {
    messagesOut.computeIfAbsent(type, k -> new LongAdder()).add(frames);
  }

  // ---- the event thread: fan-out ----

  private void fanOut(Event event) {
    Set<Client> targets = subscribers.get(event.topic());
    if (targets.isEmpty()) {
      return;
    }
    String frame;
    try {
      ObjectNode node = JSON.createObjectNode();
      node.put("type", event.type());
      node.put("topic", event.topic().wireName());
      node.set("data", JSON.valueToTree(event.data()));
      node.put("timestamp", event.timestamp().toString());
      frame = JSON.writeValueAsString(node);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      log.error("Event {} cannot be written as JSON; not sent", event.type(), e);
      return;
    }
    boolean droppable = event.topic() == Topic.SYSTEM;
    for (Client c : targets.toArray(new Client[0])) {
      c.deliver(frame, "event", droppable);
    }
  }

  // ---- /ws/health, /ws/metrics, /ws/status ----

  private java.util.concurrent.CompletableFuture<dev.grapevine.transport.HttpResponse> operations(
      HttpRequest request) {
    String path = request.path();
    boolean known =
        path.equals("/ws/health") || path.equals("/ws/metrics") || path.equals("/ws/status");
    if (!known) {
      return answer(404, "{\"error\":\"not_found\"}");
    }
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      return java.util.concurrent.CompletableFuture.completedFuture(
          dev.grapevine.transport.HttpResponse.json(405, "{\"error\":\"method_not_allowed\"}")
              .withHeader("Allow", "GET, HEAD, OPTIONS"));
    }
    Instant now = clock.instant();
    String uptime = GoDuration.format(java.time.Duration.between(started, now));
    Map<String, Boolean> deps = checks.get();
    boolean healthy = !closed.get() && deps.values().stream().allMatch(Boolean::booleanValue);
    ObjectNode body = JSON.createObjectNode();
    switch (path) {
      case "/ws/health" -> {
        body.put("status", healthy ? "healthy" : "unhealthy");
        ObjectNode c = body.putObject("checks");
        deps.forEach((k, v) -> c.put(k, v ? "ok" : "failing"));
        body.put("timestamp", now.toString());
        body.put("uptime", uptime);
        body.put("version", version);
        return answer(healthy ? 200 : 503, body);
      }
      case "/ws/metrics" -> {
        EventApiStats s = stats();
        body.putObject("fileserver").put("status", healthy ? "running" : "degraded");
        body.put("timestamp", now.toString());
        ObjectNode ws = body.putObject("websocket");
        ws.put("active_connections", s.activeConnections());
        ws.put("total_connections", s.totalConnections());
        ws.put("uptime", uptime);
        ws.put("pending_auth", s.pendingAuth());
        ws.put("refused_connections", s.refusedConnections());
        ws.set("messages_in", JSON.valueToTree(new java.util.TreeMap<>(s.messagesIn())));
        ws.set("messages_out", JSON.valueToTree(new java.util.TreeMap<>(s.messagesOut())));
        ws.put("bytes_in", s.bytesIn());
        ws.put("bytes_out", s.bytesOut());
        ws.set("subscriptions", JSON.valueToTree(s.subscriptions()));
        ws.put("queued_events", s.queued());
        ws.put("dropped_events", s.dropped());
        ws.put("slow_consumer_closes", s.slowConsumerCloses());
        ws.put("rate_limited", s.rateLimited());
        ws.put("rate_limit_closes", s.rateLimitCloses());
        ws.put("auth_failures", s.authFailures());
        EventBusStats b = bus.stats();
        ws.put("events_published", b.published());
        ws.put("events_dropped_bus_full", b.dropped());
        return answer(200, body);
      }
      default -> {
        ObjectNode server = body.putObject("server");
        server.put("name", "Grapevine WebSocket API");
        server.put("status", healthy ? "running" : "degraded");
        server.put("uptime", uptime);
        server.put("version", version);
        body.put("timestamp", now.toString());
        ObjectNode ws = body.putObject("websocket");
        ws.put("active_connections", active.get());
        var endpoints = ws.putArray("endpoints");
        for (String e : ENDPOINTS) {
          endpoints.add(e);
        }
        var topics = ws.putArray("topics");
        for (Topic t : Topic.values()) {
          topics.add(t.wireName());
        }
        ws.put("auth_required", auth.tokenRequired());
        return answer(200, body);
      }
    }
  }

  private static java.util.concurrent.CompletableFuture<dev.grapevine.transport.HttpResponse>
      answer(int status, Object body) {
    try {
      String json = body instanceof String ? (String) body : JSON.writeValueAsString(body);
      return java.util.concurrent.CompletableFuture.completedFuture(
          dev.grapevine.transport.HttpResponse.json(status, json));
    } catch (JsonProcessingException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }

  // ---- the /ws surface ----

  /** Admits upgrades and gives each accepted one its own {@link Client}. */
  private final class Surface implements LinkHandler {
    @Override
    public Admission admit(HttpRequest upgrade) {
      String address = upgrade.remoteAddress();
      if (closed.get()) {
        refused.increment();
        return Admission.refuse(503, "{\"error\":\"shutting_down\"}");
      }
      if (!auth.originAllowed(upgrade)) {
        refused.increment();
        auth.refused(ApiAuth.Refusal.ORIGIN, address, upgrade.header("Origin").orElse(""));
        return Admission.refuse(403, "{\"error\":\"origin_not_allowed\"}");
      }
      if (active.get() >= config.maxConnections()) {
        refused.increment();
        return Admission.refuse(503, "{\"error\":\"too_many_connections\"}");
      }
      AtomicInteger fromHere = perAddress.get(address);
      if (fromHere != null && fromHere.get() >= config.maxConnectionsPerIp()) {
        refused.increment();
        return Admission.refuse(429, "{\"error\":\"too_many_connections_from_address\"}");
      }
      Optional<String> token = auth.presentedToken(upgrade);
      Auth state;
      if (!auth.tokenRequired()) {
        state = Auth.NOT_REQUIRED;
      } else if (token.isEmpty()) {
        state = Auth.PENDING;
      } else {
        state = auth.isValidToken(token.get()) ? Auth.AUTHENTICATED : Auth.FAILED;
      }
      return Admission.accept(new Client(address, state), config.linkSettings());
    }

    @Override
    public void onOpen(PeerLink link) {
      link.close(CloseReason.INTERNAL_ERROR, "the event API admits links one by one");
    }

    @Override
    public void onFrame(PeerLink link, String text) {}

    @Override
    public void onClose(PeerLink link, CloseReason reason, String detail) {}
  }

  private enum Auth {
    NOT_REQUIRED,
    PENDING,
    AUTHENTICATED,
    FAILED
  }

  /** A frame waiting in a client's queue. */
  private record Outgoing(String frame, String kind, boolean droppable) {}

  /**
   * One event API client. Fields are owned as marked: "I/O" by the link's I/O thread, "event" by
   * the bus's event thread.
   */
  private final class Client implements LinkHandler {
    private final String id = HexFormat.of().formatHex(randomBytes());
    private final String address;

    /** I/O. */
    private PeerLink link;

    /** I/O (and the auth timer, which hands over to the I/O-safe close). */
    private volatile Auth auth;

    /** I/O. */
    private dev.grapevine.internal.TokenBucket rate;

    /** I/O: flooding allowance; empty means close. */
    private dev.grapevine.internal.TokenBucket violations;

    /** I/O: an error was sent for the current run of rate-limited messages. */
    private boolean rateErrorSent;

    /** I/O and scheduler. */
    private volatile Scheduler.Cancellable authDeadline;

    /** Event: registered in the fan-out, and not closing. */
    private boolean live;

    /** Event. */
    private final Set<Topic> topics = java.util.EnumSet.noneOf(Topic.class);

    /** Event. */
    private final ArrayDeque<Outgoing> pending = new ArrayDeque<>();

    /** Any thread: a drain is queued on the event thread. */
    private final AtomicBoolean drainQueued = new AtomicBoolean();

    /** Any thread: tasks queued on the event thread for this client and not yet run. */
    private final AtomicInteger inFlight = new AtomicInteger();

    Client(String address, Auth auth) {
      this.address = address;
      this.auth = auth;
    }

    private static byte[] randomBytes() {
      byte[] b = new byte[16];
      RANDOM.nextBytes(b);
      return b;
    }

    // -- I/O thread --

    @Override
    public void onOpen(PeerLink link) {
      this.link = link;
      long now = nanos();
      this.rate =
          new dev.grapevine.internal.TokenBucket(
              config.messagesPerSecond(), config.messagesPerSecond(), now);
      this.violations =
          new dev.grapevine.internal.TokenBucket(
              config.messagesPerSecond(), config.messagesPerSecond(), now);
      total.increment();
      perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
      int count = active.incrementAndGet();
      log.debug("Event client {} connected from {} ({})", id, address, link.id());
      if (closed.get()) {
        link.close(CloseReason.SHUTDOWN, "node shutting down");
        return;
      }
      if (count > config.maxConnections()) {
        // Two upgrades raced past the admission check; the later one goes.
        link.close(CloseReason.TRY_AGAIN_LATER, "too many connections");
        return;
      }
      if (auth == Auth.FAILED) {
        authFailed(ApiAuth.Refusal.BAD_TOKEN, "the token is not valid");
        return;
      }
      onEventThread(this::register);
      if (auth == Auth.PENDING) {
        pendingAuth.incrementAndGet();
        authDeadline =
            scheduler.schedule(
                () -> {
                  if (auth == Auth.PENDING) {
                    authFailed(
                        ApiAuth.Refusal.MISSING_TOKEN,
                        "no auth message within " + config.readTimeout());
                  }
                },
                config.readTimeout());
      }
    }

    @Override
    public void onFrame(PeerLink link, String text) {
      bytesIn.add(text.length());
      long wait = rate.tryTake(nanos());
      if (wait > 0) {
        rateLimitedMessage(wait);
        return;
      }
      rateErrorSent = false;
      JsonNode message;
      try {
        message = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        countIn("invalid");
        reply(
            error("INVALID_MESSAGE", "Expected one JSON object but the message is not JSON", null));
        return;
      }
      if (message == null || !message.isObject() || !message.path("type").isTextual()) {
        countIn("invalid");
        reply(error("INVALID_MESSAGE", "Expected a JSON object with a string \"type\"", null));
        return;
      }
      String type = message.get("type").asText();
      JsonNode requestId = message.get("id");
      if (auth == Auth.PENDING) {
        countIn(type.equals("auth") ? "auth" : "invalid");
        if (!type.equals("auth")) {
          authFailed(ApiAuth.Refusal.MISSING_TOKEN, "authenticate first with an auth message");
          return;
        }
        String token = textField(message, "token").orElse(textField(message, "data").orElse(""));
        if (!EventApi.this.auth.isValidToken(token)) {
          authFailed(ApiAuth.Refusal.BAD_TOKEN, "the token is not valid");
          return;
        }
        auth = Auth.AUTHENTICATED;
        pendingAuth.decrementAndGet();
        cancelDeadline();
        reply(ack("authenticated", null, requestId));
        return;
      }
      switch (type) {
        case "subscribe", "unsubscribe" -> {
          countIn(type);
          Optional<String> name =
              textField(message, "topic")
                  .or(() -> textField(message, "data"))
                  .or(() -> textField(message.path("data"), "topic"));
          if (name.isEmpty()) {
            reply(
                error(
                    "INVALID_MESSAGE",
                    "Expected the topic in \"topic\" or \"data\" of the " + type,
                    requestId));
            return;
          }
          Optional<Topic> topic = Topic.fromWire(name.get());
          if (topic.isEmpty()) {
            reply(
                error(
                    "UNKNOWN_TOPIC",
                    "Unknown topic \""
                        + abbreviate(name.get())
                        + "\"; topics are file_operations, peer_network, system, alerts",
                    requestId));
            return;
          }
          boolean add = type.equals("subscribe");
          String ack = ack(add ? "subscribed" : "unsubscribed", topic.get(), requestId);
          onEventThread(() -> changeSubscription(topic.get(), add, ack));
        }
        case "ping" -> {
          countIn("ping");
          ObjectNode pong = JSON.createObjectNode();
          pong.put("type", "pong");
          pong.put("timestamp", clock.instant().toString());
          pong.put("clientId", id);
          if (requestId != null) {
            pong.set("id", requestId);
          }
          reply(write(pong));
        }
        case "auth" -> {
          countIn("auth");
          reply(ack("authenticated", null, requestId));
        }
        default -> {
          countIn("invalid");
          reply(
              error(
                  "INVALID_MESSAGE",
                  "Unknown message type \""
                      + abbreviate(type)
                      + "\"; expected subscribe, unsubscribe, ping or auth",
                  requestId));
        }
      }
    }

    @Override
    public void onClose(PeerLink link, CloseReason reason, String detail) {
      cancelDeadline();
      if (auth == Auth.PENDING) {
        pendingAuth.decrementAndGet();
      }
      active.decrementAndGet();
      perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
      log.debug("Event client {} closed: {} {}", id, reason, detail);
      if (!bus.execute(this::unregister)) {
        unregister(); // the event thread has stopped; nothing else touches this client now
      }
    }

    @Override
    public void onWritable(PeerLink link) {
      if (drainQueued.compareAndSet(false, true)) {
        onEventThread(
            () -> {
              drainQueued.set(false);
              drain();
            });
      }
    }

    private void rateLimitedMessage(long waitNanos) {
      rateLimited.increment();
      countIn("rate_limited");
      if (violations.tryTake(nanos()) > 0) {
        rateLimitCloses.increment();
        EventApi.this.auth.refused(
            ApiAuth.Refusal.RATE_LIMIT, address, "event client " + id + " flooded");
        link.close(CloseReason.POLICY_VIOLATION, "rate limit exceeded");
        return;
      }
      if (!rateErrorSent) {
        rateErrorSent = true;
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999));
        ObjectNode e =
            errorNode(
                "RATE_LIMIT_EXCEEDED",
                "More than "
                    + config.messagesPerSecond()
                    + " messages per second; this message was dropped",
                null);
        ObjectNode data = (ObjectNode) e.get("data");
        data.put("retryAfter", Math.max(1, (millis + 999) / 1000));
        data.put("retryAfterMs", millis);
        reply(write(e));
      }
    }

    private void authFailed(ApiAuth.Refusal why, String detail) {
      if (auth == Auth.PENDING) {
        pendingAuth.decrementAndGet();
      }
      auth = Auth.FAILED;
      cancelDeadline();
      authFailures.increment();
      EventApi.this.auth.refused(why, address, "event API: " + detail);
      String error = error("AUTH_FAILED", "Authentication failed: " + detail, null);
      // The error goes out through the event thread, then the close, in that order.
      if (!onEventThread(
          () -> {
            send(error, "error");
            link.close(CloseReason.POLICY_VIOLATION, "authentication failed");
          })) {
        link.close(CloseReason.POLICY_VIOLATION, "authentication failed");
      }
    }

    private void cancelDeadline() {
      Scheduler.Cancellable d = authDeadline;
      if (d != null) {
        d.cancel();
      }
    }

    /** Hands a reply to the event thread, where it joins the client's ordered output. */
    private void reply(String frame) {
      String kind = kindOf(frame);
      onEventThread(() -> deliver(frame, kind, false));
    }

    /**
     * Runs {@code task} for this client on the event thread. A client with too many tasks queued
     * (the event thread is far behind) is closed rather than queued without bound.
     */
    private boolean onEventThread(Runnable task) {
      if (inFlight.incrementAndGet() > config.queueSize()) {
        inFlight.decrementAndGet();
        link.close(CloseReason.TRY_AGAIN_LATER, "server busy");
        return false;
      }
      boolean queuedNow =
          bus.execute(
              () -> {
                inFlight.decrementAndGet();
                task.run();
              });
      if (!queuedNow) {
        inFlight.decrementAndGet();
      }
      return queuedNow;
    }

    private String ack(String type, Topic topic, JsonNode id) {
      ObjectNode n = JSON.createObjectNode();
      n.put("type", type);
      if (topic != null) {
        n.put("topic", topic.wireName());
      }
      ObjectNode data = n.putObject("data");
      if (topic != null) {
        data.put("topic", topic.wireName());
      }
      if (id != null) {
        data.set("id", id);
      }
      n.put("timestamp", clock.instant().toString());
      n.put("clientId", this.id);
      return write(n);
    }

    private String error(String code, String message, JsonNode id) {
      return write(errorNode(code, message, id));
    }

    private ObjectNode errorNode(String code, String message, JsonNode id) {
      ObjectNode n = JSON.createObjectNode();
      n.put("type", "error");
      ObjectNode data = n.putObject("data");
      data.put("code", code);
      data.put("message", message);
      if (id != null) {
        data.set("id", id);
      }
      n.put("timestamp", clock.instant().toString());
      n.put("clientId", this.id);
      return n;
    }

    // -- event thread --

    private void register() {
      live = true;
      ObjectNode w = JSON.createObjectNode();
      w.put("type", "welcome");
      ObjectNode data = w.putObject("data");
      data.put("clientId", id);
      data.put("serverVersion", version);
      data.put("authRequired", EventApi.this.auth.tokenRequired());
      data.put("authenticated", auth == Auth.AUTHENTICATED);
      var topicList = data.putArray("topics");
      for (Topic t : Topic.values()) {
        topicList.add(t.wireName());
      }
      ObjectNode limits = data.putObject("limits");
      limits.put("maxMessageBytes", config.maxMessageBytes());
      limits.put("messagesPerSecond", config.messagesPerSecond());
      limits.put("queueSize", config.queueSize());
      limits.put("pingPeriodSeconds", config.pingPeriod().toSeconds());
      limits.put("pongWaitSeconds", config.pongWait().toSeconds());
      w.put("timestamp", clock.instant().toString());
      w.put("clientId", id);
      deliver(write(w), "welcome", false);
    }

    private void unregister() {
      live = false;
      for (Topic t : topics) {
        subscribers.get(t).remove(this);
        subscriptionCounts.get(t).decrementAndGet();
      }
      topics.clear();
      queued.addAndGet(-pending.size());
      pending.clear();
    }

    private void changeSubscription(Topic topic, boolean add, String ack) {
      if (!live) {
        return;
      }
      if (add && topics.add(topic)) {
        subscribers.get(topic).add(this);
        subscriptionCounts.get(topic).incrementAndGet();
      } else if (!add && topics.remove(topic)) {
        subscribers.get(topic).remove(this);
        subscriptionCounts.get(topic).decrementAndGet();
      }
      deliver(ack, add ? "subscribed" : "unsubscribed", false);
    }

    /** Sends now if the connection takes it, else queues by the slow-consumer policy. */
    void deliver(String frame, String kind, boolean droppable) {
      if (!live) {
        return;
      }
      if (pending.isEmpty() && link.isWritable()) {
        send(frame, kind);
        return;
      }
      if (pending.size() >= config.queueSize()) {
        if (dropOldestDroppable()) {
          dropped.increment();
        } else if (droppable) {
          dropped.increment();
          return;
        } else {
          live = false;
          slowConsumerCloses.increment();
          int waiting = pending.size();
          queued.addAndGet(-waiting);
          pending.clear();
          bus.alert(
              EventType.NETWORK_ALERT,
              AlertLevel.WARNING,
              "events.slow_consumer_closes",
              slowConsumerCloses.sum(),
              0,
              "Event client " + id + " from " + address + " fell " + waiting + " events behind");
          link.close(CloseReason.TRY_AGAIN_LATER, "slow consumer: " + waiting + " events waiting");
          return;
        }
      }
      pending.add(new Outgoing(frame, kind, droppable));
      queued.incrementAndGet();
    }

    private boolean dropOldestDroppable() {
      for (Iterator<Outgoing> it = pending.iterator(); it.hasNext(); ) {
        if (it.next().droppable()) {
          it.remove();
          queued.decrementAndGet();
          return true;
        }
      }
      return false;
    }

    private void drain() {
      while (live && !pending.isEmpty() && link.isWritable()) {
        Outgoing o = pending.poll();
        queued.decrementAndGet();
        send(o.frame(), o.kind());
      }
    }

    private void send(String frame, String kind) {
      if (link.send(frame)) {
        countOut(kind, 1);
        bytesOut.add(frame.length());
      }
    }
  }

  private long nanos() {
    return TimeUnit.MILLISECONDS.toNanos(clock.millis());
  }

  private static String write(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a control frame", e);
    }
  }

  /** The {@code type} of a control frame we wrote, for the per-type counters. */
  private static String kindOf(String frame) {
    int start = frame.indexOf("\"type\":\"") + 8;
    int end = frame.indexOf('"', start);
    return start >= 8 && end > start ? frame.substring(start, end) : "other";
  }

  private static Optional<String> textField(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
  }

  private static String abbreviate(String s) {
    String printable = dev.grapevine.internal.Checks.printable(s);
    return printable.length() > 64 ? printable.substring(0, 64) + "…" : printable;
  }

  /** Builds an {@link EventApi}. */
  public static final class Builder {
    private NodeEvents bus;
    private ApiAuth auth;
    private Scheduler scheduler;
    private String version;
    private Supplier<Map<String, Boolean>> checks = Map::of;

    private Builder() {}

    /** The bus whose events are served (and whose settings apply). */
    public Builder bus(NodeEvents value) {
      this.bus = value;
      return this;
    }

    /** The access rules (tokens, origins). */
    public Builder auth(ApiAuth value) {
      this.auth = value;
      return this;
    }

    /** Runs the authentication deadline. */
    public Builder scheduler(Scheduler value) {
      this.scheduler = value;
      return this;
    }

    /** The server version in {@code welcome} and the routes. */
    public Builder version(String value) {
      this.version = value;
      return this;
    }

    /**
     * The node's dependencies for {@code /ws/health} (name to healthy), read on each request on the
     * I/O thread: must be cheap.
     */
    public Builder checks(Supplier<Map<String, Boolean>> value) {
      this.checks = Objects.requireNonNull(value, "checks");
      return this;
    }

    /** The event API, attached to the bus. Call once per bus. */
    public EventApi build() {
      return new EventApi(this);
    }
  }
}
