package dev.grapevine.cli;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.Version;
import java.io.PrintWriter;
import java.net.URI;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Starts a node and runs it until Ctrl-C (or {@link #stop()}). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Start a node on an embedded store and run it until interrupted (Ctrl-C).")
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin NodeOptions options = new NodeOptions();

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  NodeConfig config() {
    return options.load(System.getenv()).config();
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    options.applyLogging();
    NodeConfig config = config();
    Thread hook = new Thread(this::stopAndAwait, "grapevine-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (Node node = Node.start(config)) {
      out.println("Grapevine " + Version.get());
      out.println("node id:  " + node.publicKey());
      out.println("ws:       " + node.url());
      out.println("http:     " + node.httpUrl());
      if (config.transport().bindHost().equals("0.0.0.0")) {
        out.println(
            "          (listening on every interface, port " + node.localAddress().getPort() + ")");
      }
      out.println(
          "events:   "
              + eventsUrl(node)
              + (config.api().authRequired() ? " (token required)" : ""));
      if (config.mesh().enabled()) {
        out.println("mesh:     " + node.meshUrl() + " (node " + node.mesh().nodeId() + ")");
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

  private static String eventsUrl(Node node) {
    if (!node.config().events().enabled()) {
      return "(disabled)";
    }
    String ws = node.url().toString();
    return ws.substring(0, ws.length() - 1) + "/ws";
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
