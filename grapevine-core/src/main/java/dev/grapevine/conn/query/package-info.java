/**
 * Queries over the connection manager's three pools, on the ssb-conn-query model: {@link
 * dev.grapevine.conn.query.ConnQuery} combines the peer database, the hub and staging into
 * immutable {@link dev.grapevine.conn.query.Peer} results, and offers the scheduler's selection
 * helpers (attempt history, ping, exponential backoff, group debounce, ordering) with upstream's
 * exact formulas.
 *
 * <p>Queries read snapshots and hold no locks; every call returns fresh copies. Nothing in this
 * package is null unless its Javadoc says so.
 */
package dev.grapevine.conn.query;
