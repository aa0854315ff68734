/**
 * The node's identity: its Ed25519 key pair, kept in the data directory with owner-only permissions
 * and created on first start. The key types themselves live in {@link dev.grapevine.anproto}, since
 * they are part of the wire format.
 */
package dev.grapevine.identity;
