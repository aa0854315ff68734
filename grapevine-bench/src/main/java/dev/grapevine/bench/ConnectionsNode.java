package dev.grapevine.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.grapevine.Node;
import dev.grapevine.transport.TransportConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The node process of {@link ConnectionsBench}: a real {@link Node} (in-memory store, default
 * settings except the connection limit and keepalive timings) in a JVM of its own, so that its heap
 * holds nothing of the clients. It takes commands on standard input and answers on standard output
 * with lines that start with {@link #PREFIX} (anything else there is logging):
 *
 * <ul>
 *   <li>at start: {@code READY <port> <maxFileDescriptors>};
 *   <li>{@code MEASURE}: runs the garbage collector until the heap stops shrinking, then answers
 *       {@code HEAP <usedBytes> LINKS <openLinks> FDS <openFileDescriptors>};
 *   <li>{@code QUIT} (or the end of input): closes the node and exits.
 * </ul>
 *
 * Arguments: {@code maxConnections pingIntervalMillis idleTimeoutMillis}.
 */
public final class ConnectionsNode {
  /** Marks the lines of the protocol on standard output. */
  static final String PREFIX = "@@ ";

  private ConnectionsNode() {}

  /** Runs the node until {@code QUIT}. */
  public static void main(String[] args) throws Exception {
    int maxConnections = Integer.parseInt(args[0]);
    TransportConfig transport =
        TransportConfig.builder()
            .bindHost("127.0.0.1")
            .port(0)
            .maxConnections(maxConnections)
            .pingInterval(Duration.ofMillis(Long.parseLong(args[1])))
            .idleTimeout(Duration.ofMillis(Long.parseLong(args[2])))
            .build();
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    try (Node node = Node.builder().ephemeral(true).transport(transport).start();
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      say("READY " + node.localAddress().getPort() + " " + maxFds(os));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.equals("MEASURE")) {
          long heap = heapAfterGc();
          say("HEAP " + heap + " LINKS " + node.sync().openLinks().size() + " FDS " + openFds(os));
        } else if (line.equals("QUIT")) {
          break;
        }
      }
    }
  }

  /**
   * Used heap after full collections: collects until a collection frees less than 1 MiB (at most
   * five times) and returns the smallest reading.
   */
  static long heapAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100); // lets reference processing and finalization settle
      long used = memory.getHeapMemoryUsage().getUsed();
      boolean settled = best - used < 1024 * 1024;
      best = Math.min(best, used);
      if (settled) {
        break;
      }
    }
    return best;
  }

  private static long maxFds(OperatingSystemMXBean os) {
    return os instanceof UnixOperatingSystemMXBean
        ? ((UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount()
        : -1;
  }

  private static long openFds(OperatingSystemMXBean os) {
    return os instanceof UnixOperatingSystemMXBean
        ? ((UnixOperatingSystemMXBean) os).getOpenFileDescriptorCount()
        : -1;
  }

  private static void say(String line) {
    System.out.println(PREFIX + line);
    System.out.flush();
  }
}
