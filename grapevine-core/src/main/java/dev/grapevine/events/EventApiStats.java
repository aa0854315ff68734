package dev.grapevine.events;

import java.util.Map;

/**
 * A snapshot of the event API's counters (which only grow) and gauges, for metrics and {@code
 * /ws/metrics}.
 *
 * @param activeConnections clients connected now
 * @param pendingAuth of those, clients that still have to send their {@code auth} message
 * @param totalConnections clients accepted since the node started (a running total)
 * @param refusedConnections upgrades refused: origin, connection caps
 * @param messagesIn messages received from clients, by type ({@code subscribe}, {@code ping}, …,
 *     {@code invalid} for those that were not understood, {@code rate_limited} for those dropped)
 * @param messagesOut frames sent to clients, by type ({@code event}, {@code welcome}, {@code
 *     subscribed}, {@code pong}, {@code error}, …)
 * @param bytesIn payload bytes received from clients
 * @param bytesOut payload bytes sent to clients
 * @param subscriptions clients subscribed now, by topic wire name
 * @param queued events waiting in clients' queues now
 * @param dropped {@code system} events dropped from slow clients' queues (drop-oldest policy)
 * @param slowConsumerCloses clients closed (1013) because their queue was full of events that may
 *     not be dropped
 * @param rateLimited messages dropped for exceeding the per-client rate
 * @param rateLimitCloses clients closed (1008) for flooding past twice their rate
 * @param authFailures clients closed (1008) for a missing or bad token
 */
public record EventApiStats(
    int activeConnections,
    int pendingAuth,
    long totalConnections,
    long refusedConnections,
    Map<String, Long> messagesIn,
    Map<String, Long> messagesOut,
    long bytesIn,
    long bytesOut,
    Map<String, Integer> subscriptions,
    int queued,
    long dropped,
    long slowConsumerCloses,
    long rateLimited,
    long rateLimitCloses,
    long authFailures) {

  /** Copies the maps. */
  public EventApiStats {
    messagesIn = Map.copyOf(messagesIn);
    messagesOut = Map.copyOf(messagesOut);
    subscriptions = Map.copyOf(subscriptions);
  }
}
