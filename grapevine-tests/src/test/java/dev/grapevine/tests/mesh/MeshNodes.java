package dev.grapevine.tests.mesh;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.conn.ConnConfig;
import dev.grapevine.conn.scheduler.SchedulerConfig;
import dev.grapevine.mesh.MeshConfig;
import dev.grapevine.transport.TransportConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Starts ephemeral nodes with the mesh on 127.0.0.1:0 and closes them after a test. */
final class MeshNodes implements AutoCloseable {
  private final List<Node> started = new ArrayList<>();

  static TransportConfig transport() {
    return TransportConfig.builder()
        .bindHost("127.0.0.1")
        .port(0)
        .ioThreads(1)
        .closeGracePeriod(Duration.ofMillis(300))
        .build();
  }

  /** A scheduler that plans often, so tests need not wait for ssb-conn's 2 s ticks. */
  static ConnConfig conn(int peerQuota) {
    return ConnConfig.builder()
        .scheduler(
            SchedulerConfig.builder()
                .peerQuota(peerQuota)
                .tickInterval(Duration.ofMillis(200))
                .updateDelay(Duration.ofMillis(50))
                .retryBase(Duration.ofMillis(200))
                .retryStep(Duration.ofMillis(200))
                .build())
        .build();
  }

  Node start(UnaryOperator<MeshConfig.Builder> mesh) {
    return start(mesh, 8);
  }

  Node start(UnaryOperator<MeshConfig.Builder> mesh, int peerQuota) {
    try {
      Node n =
          NodeConfig.builder()
              .ephemeral(true)
              .transport(transport())
              .conn(conn(peerQuota))
              .mesh(mesh.apply(MeshConfig.builder().verifyThreads(2)).build())
              .start();
      started.add(n);
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Node start() {
    return start(m -> m);
  }

  Node startJoining(Node... seeds) {
    List<URI> urls = new ArrayList<>();
    for (Node s : seeds) {
      urls.add(s.meshUrl());
    }
    return start(m -> m.seeds(urls));
  }

  static HttpResponse<String> get(Node node, String path) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(node.httpUrl().resolve(path)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (Node n : started) {
      n.close();
    }
  }
}
