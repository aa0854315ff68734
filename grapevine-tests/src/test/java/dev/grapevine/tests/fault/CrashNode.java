package dev.grapevine.tests.fault;

import dev.grapevine.Node;
import dev.grapevine.transport.TransportConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link NodeCrashTest} kills: a node with a durable store in the data directory {@code
 * args[0]}, listening on 127.0.0.1 port {@code args[1]}. Prints {@code READY <port>} (flushed) once
 * it serves, then runs until its standard input closes (a clean stop) or it is killed; it stops by
 * itself after two minutes in case nobody does either.
 */
public final class CrashNode {
  static final String READY = "READY ";

  private CrashNode() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int port = Integer.parseInt(args[1]);
    try (Node node =
        Node.builder()
            .dataDir(dir)
            .transport(TransportConfig.builder().port(port).build())
            .start()) {
      System.out.println(READY + node.localAddress().getPort());
      System.out.flush();
      CountDownLatch stdinClosed = new CountDownLatch(1);
      Thread reader =
          new Thread(
              () -> {
                try (InputStream in = System.in) {
                  while (in.read() >= 0) {
                    // only the end of input matters
                  }
                } catch (IOException e) {
                  // treated as closed
                } finally {
                  stdinClosed.countDown();
                }
              },
              "crash-node-stdin");
      reader.setDaemon(true);
      reader.start();
      stdinClosed.await(2, TimeUnit.MINUTES);
    }
  }
}
