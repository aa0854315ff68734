/**
 * The connection manager, on the ssb-conn model: peer addresses ({@link
 * dev.grapevine.conn.ConnAddress}), and (in subpackages) the persistent peer database, the hub of
 * live connections, staging of suggested peers, queries, the scheduler, the inbound firewall and
 * LAN discovery.
 */
package dev.grapevine.conn;
