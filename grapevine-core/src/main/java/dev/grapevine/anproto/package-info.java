/**
 * The ANProto message format, byte-compatible with the reference implementation: hashes, public
 * keys and key pairs, signed messages (208 chars), opened payloads, content with YAML front matter,
 * and strict verification (canonical base64 only, S &lt; L, valid signature).
 *
 * <p>Everything here is immutable and thread-safe. Ed25519 is BouncyCastle's low-level
 * implementation.
 */
package dev.grapevine.anproto;
