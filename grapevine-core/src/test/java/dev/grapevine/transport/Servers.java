package dev.grapevine.transport;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Starts transports on 127.0.0.1 port 0 for a test and closes them all afterwards. */
final class Servers implements AutoCloseable {
  /** Answers every HTTP request with 200 "ok". */
  static final HttpHandler OK_HTTP =
      request -> CompletableFuture.completedFuture(HttpResponse.json(200, "\"ok\""));

  private final List<Transport> started = new ArrayList<>();

  /** A quick configuration for tests: loopback, ephemeral port, two threads, short grace. */
  static TransportConfig.Builder config() {
    return TransportConfig.builder()
        .bindHost("127.0.0.1")
        .port(0)
        .ioThreads(2)
        .closeGracePeriod(Duration.ofMillis(500));
  }

  Transport start(TransportConfig config, LinkHandler anproto) {
    return start(config, anproto, Map.of(), OK_HTTP);
  }

  Transport start(
      TransportConfig config,
      LinkHandler anproto,
      Map<String, LinkHandler> surfaces,
      HttpHandler http) {
    Transport t = Transport.start(config, anproto, surfaces, http);
    started.add(t);
    return t;
  }

  static URI ws(Transport t, String path) {
    return URI.create("ws://127.0.0.1:" + t.localAddress().getPort() + path);
  }

  static URI http(Transport t, String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + t.localAddress().getPort() + pathAndQuery);
  }

  @Override
  public void close() {
    for (Transport t : started) {
      t.close();
    }
  }
}
