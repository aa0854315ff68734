package dev.grapevine.transport;

/**
 * A snapshot of a {@link Transport}'s counters (which only grow) and gauges, for metrics.
 *
 * @param connections inbound TCP connections open now, HTTP and WebSocket
 * @param inboundLinks WebSocket links we accepted, open or closing
 * @param outboundLinks WebSocket links we dialled, open or closing
 * @param bytesIn payload bytes of text messages received on every link
 * @param bytesOut payload bytes of text messages sent on every link
 * @param refusedConnections connections refused for the connection limit (503)
 * @param refusedUpgrades WebSocket upgrades a surface refused (for example 403 or 503)
 */
public record TransportStats(
    int connections,
    int inboundLinks,
    int outboundLinks,
    long bytesIn,
    long bytesOut,
    long refusedConnections,
    long refusedUpgrades) {}
