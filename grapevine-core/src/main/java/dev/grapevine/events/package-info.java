/**
 * The node's events: an in-process bus ({@link dev.grapevine.events.NodeEvents}) that the node's
 * parts publish to, and the event API ({@link dev.grapevine.events.EventApi}) that serves them to
 * WebSocket clients on {@code /ws}, PeerVault's protocol implemented for real.
 *
 * <h2>Publishing from a part of the node</h2>
 *
 * Take the node's bus ({@code Node.events()}, or the {@code events} field inside {@code Node}) and
 * call, from any thread, without blocking:
 *
 * <pre>{@code
 * events.peerConnected(nodeId, URI.create("ws://10.0.0.2:9000/mesh"), "mesh", inbound);
 * events.peerDisconnected(nodeId, address, "mesh", "idle_timeout", 1001, "no pong for 15 s");
 * events.peerHealthChanged(nodeId, "degraded", Duration.ofMillis(850), 2);
 * events.topologyChanged(List.of(idA, idB), "peer list from " + idA);
 * events.alert(EventType.NETWORK_ALERT, AlertLevel.WARNING, "mesh.handshake_failures", n, 0,
 *     "handshake refused: bad signature");
 * events.publish(EventType.FILE_DELETED, Map.of("key", hash, "node", me));   // any type's data
 * events.publish(Topic.PEER_NETWORK, "my_event", Map.of(...));              // a type of your own
 * }</pre>
 *
 * A protocol's link openings and closings can be published without touching its code by wrapping
 * its {@link dev.grapevine.transport.LinkHandler} with {@link
 * dev.grapevine.events.LinkEvents#observe}, as the node does for ANProto links.
 *
 * <h2>Topics and data</h2>
 *
 * <table>
 *   <caption>event types</caption>
 *   <tr><th>topic</th><th>type</th><th>data</th></tr>
 *   <tr><td>file_operations</td><td>file_uploaded</td><td>key, kind (message|blob), size, author
 *       (messages), node, origin, signedAt (messages)</td></tr>
 *   <tr><td>file_operations</td><td>file_replicated</td><td>key, kind, author (messages), node,
 *       peers</td></tr>
 *   <tr><td>peer_network</td><td>peer_connected</td><td>id, address, port, protocol,
 *       direction</td></tr>
 *   <tr><td>peer_network</td><td>peer_disconnected</td><td>id, address, protocol, reason, code,
 *       detail</td></tr>
 *   <tr><td>peer_network</td><td>peer_health_changed</td><td>id, health, rttMillis,
 *       missedPongs</td></tr>
 *   <tr><td>peer_network</td><td>network_topology_changed</td><td>peerCount, peers,
 *       detail</td></tr>
 *   <tr><td>system</td><td>system_metrics</td><td>storage {totalSpace, usedSpace, availableSpace,
 *       messages, …}, network {activeConnections, totalBytesTransferred, …}, performance
 *       {framesPerSecond, averageCommitMillis, …}</td></tr>
 *   <tr><td>alerts</td><td>performance_alert, security_alert, storage_alert,
 *       network_alert</td><td>level, message, metric, value, threshold, count</td></tr>
 * </table>
 *
 * <h2>The {@code /ws} protocol</h2>
 *
 * One JSON object per text frame, both ways. On connect the server sends {@code welcome} with the
 * client's id (32 hex characters), the server version, the topics and the limits. A client sends
 * {@code subscribe}/{@code unsubscribe} with the topic in {@code topic} or (PeerVault's form) in
 * {@code data}, acknowledged with {@code subscribed}/{@code unsubscribed}; {@code ping} gets {@code
 * pong}; {@code auth} carries a token. Errors are {@code {"type":"error","data":{"code",
 * "message"}}} with codes {@code INVALID_MESSAGE} (the connection stays open), {@code
 * UNKNOWN_TOPIC}, {@code RATE_LIMIT_EXCEEDED} (with {@code retryAfter} seconds) and {@code
 * AUTH_FAILED} (then close 1008). Events arrive as {@code {"type":<event
 * name>,"topic","data","timestamp"}}.
 *
 * <h2>Slow consumers</h2>
 *
 * Events go straight to a client's connection while it takes them (up to {@link
 * dev.grapevine.events.EventsConfig#maxOutboundBytes()} unsent). Beyond that they wait in the
 * client's queue of {@link dev.grapevine.events.EventsConfig#queueSize()} frames. When the queue is
 * full, the oldest {@code system} event in it is dropped to make room (a newer measurement replaces
 * it); if there is none and the new event is a {@code system} event, the new one is dropped;
 * otherwise the client is closed with 1013 ("try again later") rather than silently losing file,
 * peer or alert events. Drops and closes are counted in the metrics, and no other client waits for
 * a slow one.
 */
package dev.grapevine.events;
