/**
 * The persistent peer database of the connection manager ({@link dev.grapevine.conn.db.ConnDb}):
 * known addresses and what is known about them ({@link dev.grapevine.conn.db.PeerData}), saved
 * atomically to {@code conn.json} in ssb-conn's format. Every type is thread-safe; nothing here
 * returns or accepts null.
 */
package dev.grapevine.conn.db;
