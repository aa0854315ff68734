/**
 * Grapevine's public API: {@link dev.grapevine.Node}, a peer-to-peer node for Ed25519-signed,
 * content-addressed messages, and its immutable {@link dev.grapevine.NodeConfig}.
 */
package dev.grapevine;
