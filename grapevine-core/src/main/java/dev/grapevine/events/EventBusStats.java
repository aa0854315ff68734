package dev.grapevine.events;

/**
 * A snapshot of the bus's counters, for metrics.
 *
 * @param published events accepted onto the bus
 * @param dropped events dropped because the bus was full or closed
 * @param queued events waiting for the event thread now
 * @param listenerFailures listener calls that threw
 * @param alertsSuppressed alerts not published because one of the same kind was recent
 */
public record EventBusStats(
    long published, long dropped, int queued, long listenerFailures, long alertsSuppressed) {}
