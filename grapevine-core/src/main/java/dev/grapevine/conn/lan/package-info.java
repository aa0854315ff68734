/**
 * LAN discovery: {@link dev.grapevine.conn.lan.LanDiscovery} announces this node's address over UDP
 * broadcast and reports the beacons of other nodes on the same network ({@link
 * dev.grapevine.conn.lan.LanBeacon}), which the node stages with {@code type: "lan"} (ssb-conn's
 * {@code ssb.lan} discovery). Off unless the node starts it. The beacon format is described in
 * {@link dev.grapevine.conn.lan.LanDiscovery}.
 *
 * <p>Each discovery owns one named daemon thread, {@code grapevine-lan-N}, which sends and receives
 * and calls the listener; {@code close()} stops it and waits for it. Configs and beacons are
 * immutable. Nothing in this package returns or accepts null.
 */
package dev.grapevine.conn.lan;
