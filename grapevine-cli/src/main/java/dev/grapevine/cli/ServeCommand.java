package dev.grapevine.cli;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.Version;
import dev.grapevine.transport.TransportConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Starts a node and runs it until Ctrl-C (or {@link #stop()}). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Start a node on an embedded store and run it until interrupted (Ctrl-C).")
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption dataDir = new DataDirOption();

  @Option(
      names = "--ephemeral",
      description = "Keep the store and a fresh identity in memory only; nothing is written.")
  boolean ephemeral;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "Port for WebSocket and HTTP (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = 9000;

  @Option(
      names = "--bind",
      paramLabel = "HOST",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
  String bind = "127.0.0.1";

  @Option(
      names = "--public",
      description = "Listen on every interface (0.0.0.0), so other machines can connect.")
  boolean listenOnAll;

  @Option(
      names = {"-c", "--connect"},
      paramLabel = "URL",
      description = "A pub to keep connected (ws:// or wss://); repeatable.")
  List<URI> connect = new ArrayList<>();

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  NodeConfig config() {
    NodeConfig.Builder b =
        NodeConfig.builder()
            .dataDir(dataDir.resolve())
            .ephemeral(ephemeral)
            .transport(
                TransportConfig.DEFAULT.toBuilder()
                    .bindHost(listenOnAll ? "0.0.0.0" : bind)
                    .port(port)
                    .build());
    connect.forEach(b::connect);
    return b.build();
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Thread hook = new Thread(this::stopAndAwait, "grapevine-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (Node node = Node.start(config())) {
      out.println("Grapevine " + Version.get());
      out.println("node id:  " + node.publicKey());
      out.println("ws:       " + node.url());
      out.println("http:     " + node.httpUrl());
      if (listenOnAll) {
        out.println(
            "          (listening on every interface, port " + node.localAddress().getPort() + ")");
      }
      for (URI pub : node.config().connect()) {
        out.println("pub:      " + pub);
      }
      out.println(
          "data dir: "
              + (node.config().ephemeral() ? "(ephemeral, in memory)" : node.config().dataDir()));
      out.println("store:    " + node.store().stats());
      out.println("Press Ctrl-C to stop.");
      out.flush();
      stopRequested.await();
    } finally {
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is already running the hook; it is waiting for us.
      }
    }
    out.println("stopped");
    out.flush();
    return 0;
  }

  /** Asks a running {@link #call()} to close the node and return. */
  void stop() {
    stopRequested.countDown();
  }

  private void stopAndAwait() {
    stop();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
