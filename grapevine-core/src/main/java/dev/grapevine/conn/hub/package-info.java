/**
 * The hub of live connections, on the ssb-conn-hub model: {@link dev.grapevine.conn.hub.ConnHub}
 * dials peers through a {@link dev.grapevine.transport.Dialer}, registers inbound links, keeps one
 * link per remote key, and reports connecting, connected, disconnecting and disconnected events to
 * {@link dev.grapevine.conn.hub.HubListener}s. Snapshots are immutable {@link
 * dev.grapevine.conn.hub.HubEntry} records.
 *
 * <p>Threads: all hub state belongs to one hub thread ({@code grapevine-conn-N}); public methods
 * queue work on it and answer with futures, and listeners run on it with no lock held. Nothing in
 * this package is null unless its Javadoc says so; absent values are {@link java.util.Optional}.
 */
package dev.grapevine.conn.hub;
