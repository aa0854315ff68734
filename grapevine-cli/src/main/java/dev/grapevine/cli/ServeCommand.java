package dev.grapevine.cli;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.Version;
import java.io.PrintWriter;
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

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  NodeConfig config() {
    return NodeConfig.builder().dataDir(dataDir.resolve()).ephemeral(ephemeral).build();
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Thread hook = new Thread(this::stopAndAwait, "grapevine-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (Node node = Node.start(config())) {
      out.println("Grapevine " + Version.get());
      out.println("node id:  " + node.publicKey());
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
