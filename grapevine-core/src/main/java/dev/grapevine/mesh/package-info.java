/**
 * The mesh among Grapevine nodes on {@code /mesh}: MiniLedger's JSON envelope and message names
 * ({@code HANDSHAKE}, {@code HANDSHAKE_ACK}, {@code PEER_LIST}, {@code PING}/{@code PONG}, {@code
 * SYNC_REQUEST}/{@code SYNC_RESPONSE}), hardened with a signed challenge in the handshake, and with
 * whole-store catch-up by set reconciliation ({@link dev.grapevine.mesh.reconcile}) and live
 * propagation along a spanning tree with lazy announcements on the other links.
 *
 * <p>{@link dev.grapevine.mesh.Mesh} is the entry point; the connection manager ({@link
 * dev.grapevine.conn.Conn}) decides whom it dials and admits. The mesh and the ANProto frame
 * protocol share one store.
 */
package dev.grapevine.mesh;
