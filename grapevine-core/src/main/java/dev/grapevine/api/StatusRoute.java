package dev.grapevine.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.store.StoreStats;
import dev.grapevine.transport.HttpHandler;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /api/status}: who the node is and how it is doing, in MiniLedger's {@code /status}
 * shape plus Grapevine's own fields:
 *
 * <pre>
 * {"nodeId":"&lt;16 hex&gt;","publicKey":"&lt;44-char base64&gt;","uptime":ms,"version":"0.1.0",
 *  "startedAt":"RFC 3339","peerCount":n,
 *  "store":{"messages":n,"authors":n,"blobs":n,"blobBytes":n,"queuedWrites":n}}
 * </pre>
 *
 * <p>{@code nodeId} is the first 16 hex characters of the public key's bytes, as MiniLedger names
 * nodes; {@code peerCount} counts open peer links (event API clients are not peers). Other methods
 * than GET and HEAD get 405. Answers on the calling (I/O) thread: every value is a counter read.
 */
public final class StatusRoute implements HttpHandler {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PublicKey publicKey;
  private final String version;
  private final Clock clock;
  private final Instant started;
  private final Supplier<StoreStats> store;
  private final IntSupplier peerCount;

  /**
   * The route.
   *
   * @param publicKey the node's key
   * @param version the build's version
   * @param clock gives the uptime
   * @param store the store's counters
   * @param peerCount open peer links now
   */
  public StatusRoute(
      PublicKey publicKey,
      String version,
      Clock clock,
      Supplier<StoreStats> store,
      IntSupplier peerCount) {
    this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
    this.version = Objects.requireNonNull(version, "version");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.started = clock.instant();
    this.store = Objects.requireNonNull(store, "store");
    this.peerCount = Objects.requireNonNull(peerCount, "peerCount");
  }

  /** MiniLedger's node id: the first 16 hex characters of the public key's 32 bytes. */
  public static String nodeId(PublicKey key) {
    byte[] raw = Base64.getDecoder().decode(key.value());
    StringBuilder hex = new StringBuilder(16);
    for (int i = 0; i < 8; i++) {
      hex.append(Character.forDigit((raw[i] >> 4) & 0xf, 16));
      hex.append(Character.forDigit(raw[i] & 0xf, 16));
    }
    return hex.toString();
  }

  @Override
  public CompletableFuture<HttpResponse> handle(HttpRequest request) {
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      return CompletableFuture.completedFuture(
          HttpResponse.json(405, "{\"error\":\"method_not_allowed\"}")
              .withHeader("Allow", "GET, HEAD, OPTIONS"));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("nodeId", nodeId(publicKey));
    body.put("publicKey", publicKey.value());
    body.put("uptime", Math.max(0, clock.millis() - started.toEpochMilli()));
    body.put("version", version);
    body.put("startedAt", started.toString());
    body.put("peerCount", peerCount.getAsInt());
    StoreStats s = store.get();
    Map<String, Object> st = new LinkedHashMap<>();
    st.put("messages", s.messages());
    st.put("authors", s.authors());
    st.put("blobs", s.blobs());
    st.put("blobBytes", s.blobBytes());
    st.put("queuedWrites", s.queued());
    body.put("store", st);
    try {
      return CompletableFuture.completedFuture(
          HttpResponse.json(200, JSON.writeValueAsString(body)));
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
