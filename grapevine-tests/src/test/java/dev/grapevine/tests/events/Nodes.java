package dev.grapevine.tests.events;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.api.ApiConfig;
import dev.grapevine.events.EventsConfig;
import dev.grapevine.testing.ManualScheduler;
import dev.grapevine.transport.TransportConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts ephemeral nodes on 127.0.0.1:0 with a manual scheduler and closes them after a test. */
final class Nodes implements AutoCloseable {
  final ManualScheduler scheduler = ManualScheduler.at(Instant.parse("2025-01-01T00:00:00Z"));
  private final List<Node> started = new ArrayList<>();

  static TransportConfig.Builder transport() {
    return TransportConfig.builder()
        .bindHost("127.0.0.1")
        .port(0)
        .ioThreads(2)
        .closeGracePeriod(Duration.ofMillis(500));
  }

  Node start(EventsConfig events, ApiConfig api) {
    return start(events, api, transport().build());
  }

  Node start(EventsConfig events, ApiConfig api, TransportConfig transport) {
    try {
      Node n =
          NodeConfig.builder()
              .ephemeral(true)
              .transport(transport)
              .scheduler(scheduler)
              .events(events)
              .api(api)
              .start();
      started.add(n);
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Node start() {
    return start(EventsConfig.DEFAULT, ApiConfig.DEFAULT);
  }

  static URI ws(Node node) {
    return ws(node, "");
  }

  static URI ws(Node node, String query) {
    return URI.create(
        "ws://127.0.0.1:"
            + node.localAddress().getPort()
            + "/ws"
            + (query.isEmpty() ? "" : "?" + query));
  }

  static URI http(Node node, String path) {
    return URI.create("http://127.0.0.1:" + node.localAddress().getPort() + path);
  }

  static HttpResponse<String> get(Node node, String path, Map<String, String> headers) {
    return send(node, "GET", path, headers);
  }

  static HttpResponse<String> send(
      Node node, String method, String path, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(http(node, path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(b::header);
    try {
      return EventClient.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    for (Node n : started) {
      n.close();
    }
    scheduler.close();
  }
}
