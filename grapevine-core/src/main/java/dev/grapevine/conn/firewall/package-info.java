/**
 * The inbound admission policy of the connection manager, on the ssb-conn-firewall model: {@link
 * dev.grapevine.conn.firewall.Firewall} decides whether a peer that dialled us may stay connected,
 * from a set of blocked keys and a set of known keys ({@link dev.grapevine.conn.firewall.KeySet},
 * fed by the peer database through {@link dev.grapevine.conn.firewall.ConnDbKeys} or by an explicit
 * {@link dev.grapevine.conn.firewall.BlockList}), and keeps a bounded log of the attempts it
 * rejected.
 *
 * <p>Every type is thread-safe and immutable unless its Javadoc says otherwise. Nothing in this
 * package returns or accepts null.
 */
package dev.grapevine.conn.firewall;
