package dev.grapevine.mesh;

import dev.grapevine.anproto.Ed25519;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.PublicKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Identities and proofs of the handshake. A nodeId is the first 16 hex characters of the public key
 * (MiniLedger). Each side proves its key by signing the other side's fresh 32-byte nonce together
 * with both nodeIds, the network and what the signature is for, so a signature cannot be replayed
 * on another link, to another node, or as the other half of the handshake.
 */
final class Handshakes {
  static final String SELF = "self";
  static final String DUPLICATE = "duplicate";
  static final String FULL = "full";
  static final String NETWORK = "network";
  static final String VERSION = "version";
  static final String BAD_IDENTITY = "bad_identity";
  static final String BAD_SIGNATURE = "bad_signature";
  static final String UNEXPECTED_KEY = "unexpected_key";
  static final String BLOCKED = "blocked";
  static final String TIMEOUT = "timeout";
  static final String CLOSED = "closed";

  static final int NONCE_BYTES = 32;
  static final int NODE_ID_LENGTH = 16;

  private static final HexFormat HEX = HexFormat.of();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshakes() {}

  static String hex(PublicKey key) {
    return HEX.formatHex(key.bytes());
  }

  static String nodeId(PublicKey key) {
    return hex(key).substring(0, NODE_ID_LENGTH);
  }

  static String newNonce() {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return HEX.formatHex(nonce);
  }

  /**
   * The key whose lower-case hex is {@code hex}, if {@code nodeId} is its first 16 characters;
   * empty when the key is not 64 hex characters or the nodeId does not match it.
   */
  static Optional<PublicKey> identity(String nodeId, String hex) {
    if (nodeId == null || hex == null || hex.length() != 64 || !isLowerHex(hex)) {
      return Optional.empty();
    }
    if (!hex.startsWith(nodeId) || nodeId.length() != NODE_ID_LENGTH) {
      return Optional.empty();
    }
    try {
      return Optional.of(PublicKey.of(HEX.parseHex(hex)));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static boolean isNonce(String nonce) {
    return nonce != null && nonce.length() == 2 * NONCE_BYTES && isLowerHex(nonce);
  }

  /**
   * Signs the challenge {@code nonce} that {@code verifier} sent, for {@code purpose} ({@code
   * "ack"} for the listener, {@code "confirm"} for the dialer).
   */
  static String sign(
      KeyPair keys, String purpose, String nonce, String verifierNodeId, String orgId) {
    byte[] message = context(purpose, nonce, nodeId(keys.publicKey()), verifierNodeId, orgId);
    return HEX.formatHex(keys.sign(message));
  }

  /** Whether {@code signature} is {@code signer}'s signature of our challenge {@code nonce}. */
  static boolean verify(
      PublicKey signer,
      String signature,
      String purpose,
      String nonce,
      String verifierNodeId,
      String orgId) {
    if (signature == null
        || signature.length() != 2 * Ed25519.SIGNATURE_BYTES
        || !isLowerHex(signature)) {
      return false;
    }
    byte[] message = context(purpose, nonce, nodeId(signer), verifierNodeId, orgId);
    return Ed25519.verify(signer.bytes(), HEX.parseHex(signature), 0, message, 0, message.length);
  }

  private static byte[] context(
      String purpose, String nonce, String signerNodeId, String verifierNodeId, String orgId) {
    String text =
        "grapevine-mesh/"
            + Mesh.PROTOCOL_VERSION
            + "|"
            + purpose
            + "|"
            + orgId
            + "|"
            + signerNodeId
            + "|"
            + verifierNodeId
            + "|"
            + nonce;
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
