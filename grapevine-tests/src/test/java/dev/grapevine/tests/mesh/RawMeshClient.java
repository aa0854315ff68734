package dev.grapevine.tests.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.anproto.KeyPair;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A mesh peer written from the protocol description alone, on the JDK's WebSocket client: it builds
 * envelopes and handshake proofs by hand, so the tests check the wire format rather than the node's
 * own codec.
 */
final class RawMeshClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  final KeyPair keys;
  final String nodeId;
  final String orgId;
  private final WebSocket ws;
  private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  String nonce;

  private RawMeshClient(KeyPair keys, String nodeIdOverride, String orgId, URI uri) {
    this.keys = keys;
    this.nodeId = nodeIdOverride != null ? nodeIdOverride : hex(keys).substring(0, 16);
    this.orgId = orgId;
    this.ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(uri, new Listener())
            .join();
  }

  static RawMeshClient open(URI meshUrl, KeyPair keys) {
    return new RawMeshClient(keys, null, "grapevine", meshUrl);
  }

  static RawMeshClient open(URI meshUrl, KeyPair keys, String nodeIdOverride, String orgId) {
    return new RawMeshClient(keys, nodeIdOverride, orgId, meshUrl);
  }

  static String hex(KeyPair keys) {
    return HEX.formatHex(keys.publicKey().bytes());
  }

  /** Signs the other side's challenge as the protocol description says. */
  String proof(String purpose, String theirNonce, String theirNodeId) {
    String text =
        "grapevine-mesh/1|"
            + purpose
            + "|"
            + orgId
            + "|"
            + nodeId
            + "|"
            + theirNodeId
            + "|"
            + theirNonce;
    return HEX.formatHex(keys.sign(text.getBytes(StandardCharsets.UTF_8)));
  }

  static boolean verifies(String publicKeyHex, String signature, String text) {
    return dev.grapevine.anproto.Ed25519.verify(
        HEX.parseHex(publicKeyHex),
        HEX.parseHex(signature),
        0,
        text.getBytes(StandardCharsets.UTF_8),
        0,
        text.getBytes(StandardCharsets.UTF_8).length);
  }

  void sendEnvelope(String type, ObjectNode payload) {
    ObjectNode e = JSON.createObjectNode();
    e.put("version", 1);
    e.put("type", type);
    e.put("from", nodeId);
    e.put("timestamp", System.currentTimeMillis());
    e.set("payload", payload);
    sendText(e.toString());
  }

  void sendText(String text) {
    ws.sendText(text, true).join();
  }

  /** Sends HANDSHAKE with a fresh nonce. */
  void handshake() {
    byte[] n = new byte[32];
    new SecureRandom().nextBytes(n);
    nonce = HEX.formatHex(n);
    ObjectNode p = JSON.createObjectNode();
    p.put("nodeId", nodeId);
    p.put("publicKey", hex(keys));
    p.put("orgId", orgId);
    p.put("chainHeight", 0);
    p.put("listenPort", 0);
    p.put("nonce", nonce);
    sendEnvelope("HANDSHAKE", p);
  }

  /** Answers the listener's ACK with our proof. */
  void confirm(JsonNode ack) {
    ObjectNode p = JSON.createObjectNode();
    p.put("nodeId", nodeId);
    p.put("publicKey", hex(keys));
    p.put("orgId", orgId);
    p.put("chainHeight", 0);
    p.put("accepted", true);
    p.put(
        "signature",
        proof(
            "confirm",
            ack.get("payload").get("nonce").asText(),
            ack.get("payload").get("nodeId").asText()));
    sendEnvelope("HANDSHAKE_ACK", p);
  }

  /** The next frame, or null after {@code timeout}. */
  JsonNode next(Duration timeout) throws InterruptedException {
    return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next frame of {@code type}, skipping others, or null after {@code timeout}. */
  JsonNode next(String type, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      JsonNode f =
          frames.poll(Math.max(1, (end - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
      if (f != null && type.equals(f.get("type").asText())) {
        return f;
      }
    }
    return null;
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    ws.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          frames.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          frames.add(JSON.createObjectNode().put("type", "NOT_JSON"));
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closeCode.complete(-1);
    }
  }
}
