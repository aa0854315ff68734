/**
 * The node's metrics: {@link dev.grapevine.metrics.NodeMetrics} registers Micrometer meters over
 * the counters the node's parts keep (connections by surface, messages and bytes, verify failures,
 * store size and commit time, queue depths, drops, rate limits, JVM) and serves them in the
 * Prometheus text format at {@code GET /metrics}.
 */
package dev.grapevine.metrics;
