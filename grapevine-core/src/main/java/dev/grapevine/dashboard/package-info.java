/**
 * The node's dashboard: a web page served at {@code GET /} (plain HTML, CSS and JavaScript modules
 * from the jar under {@code /dashboard/}) that shows the node, its connections, staged and
 * remembered peers, the ingest rate, the gossip queue and alerts, live through the {@code /ws}
 * event API, and acts through the REST routes. Also the routes the page needs beyond the others:
 * {@code GET /api/dashboard} (a snapshot of the node) and {@code POST /api/publish}.
 *
 * <p>{@link dev.grapevine.dashboard.Dashboard} is the entry point; everything else is internal.
 */
package dev.grapevine.dashboard;
