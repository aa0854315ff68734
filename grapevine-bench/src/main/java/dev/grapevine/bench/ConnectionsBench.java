package dev.grapevine.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Idle connections: how much memory a node spends per open WebSocket connection.
 *
 * <ol>
 *   <li>Starts the node in a JVM of its own ({@link ConnectionsNode}: a real node, in-memory store,
 *       default settings but the connection limit and the keepalive timings), so that its heap
 *       holds nothing of the clients.
 *   <li>Measures its baseline: used heap after full collections (read inside the node's JVM with
 *       the {@code MemoryMXBean}) and resident memory ({@code VmRSS} of {@code
 *       /proc/<pid>/status}).
 *   <li>Opens {@link Options#connections()} WebSocket connections to it from this JVM (Netty,
 *       {@link IdleClients}), {@link Options#perAddress()} per loopback source address from {@code
 *       127.0.0.2} on, so that ephemeral ports never run short.
 *   <li>Holds them for {@link Options#hold()}, longer than the node's ping interval: the node pings
 *       every connection and the clients answer, so every connection stays alive only through
 *       keepalive. Then checks that every connection is still open at both ends.
 *   <li>Measures again. Per connection: (heap − baseline heap) / N and (RSS − baseline RSS) / N.
 * </ol>
 *
 * <p>Both processes need a file descriptor per connection: the run checks the limits first and says
 * how to raise them. The heap figure is the one the floor ({@link Options#floorBytes()}, default 32
 * KiB) applies to; RSS also counts native buffers, thread stacks and heap the collector keeps
 * committed, so it is reported but not judged.
 */
public final class ConnectionsBench {
  private final Options options;
  private final Consumer<String> progress;

  /** A run with {@code options}, reporting progress lines to {@code progress}. */
  public ConnectionsBench(Options options, Consumer<String> progress) {
    this.options = Objects.requireNonNull(options, "options");
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /**
   * Runs the benchmark; blocks for about {@link Options#hold()} plus the time to open the
   * connections. Never throws for a failed run: the report's verdict says FAILED and why.
   */
  public ConnectionsReport run() throws IOException, InterruptedException {
    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long deadline = System.nanoTime() + options.timeout().toNanos();
    int n = options.connections();
    long needed = n + 256L;
    long ownFds = maxFds();
    ConnectionsReport.Builder report =
        ConnectionsReport.builder(date.toString(), options).fdLimitClients(ownFds);
    if (ownFds >= 0 && ownFds < needed) {
      return report.failed(fdAdvice("this process", ownFds, needed));
    }
    Process node = startNode(n);
    try (NodeProcess np = new NodeProcess(node)) {
      String[] ready = np.await("READY", deadline);
      int port = Integer.parseInt(ready[1]);
      long nodeFds = Long.parseLong(ready[2]);
      report.fdLimitNode(nodeFds);
      if (nodeFds >= 0 && nodeFds < needed) {
        return report.failed(fdAdvice("the node's process", nodeFds, needed));
      }
      progress.accept(
          "Node on 127.0.0.1:" + port + " (pid " + node.pid() + "); measuring baseline");
      Measurement base = np.measure(deadline);
      report.baseline(base.heap, rss(node.pid()));

      URI uri = URI.create("ws://127.0.0.1:" + port + "/");
      try (IdleClients clients = new IdleClients(uri)) {
        long started = System.nanoTime();
        progress.accept(
            "Opening "
                + n
                + " connections from "
                + ConnectionsReport.addresses(n, options.perAddress())
                + " source addresses");
        int opened = clients.open(n, options.perAddress(), remainingMillis(deadline));
        report.opened(opened, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        if (opened < n) {
          Throwable why = clients.failure();
          return report.failed(
              "opened "
                  + opened
                  + " of "
                  + n
                  + " connections"
                  + (why == null ? " before the timeout" : ": " + why));
        }
        progress.accept("All " + n + " open; holding them for " + options.hold());
        long holdUntil = System.nanoTime() + options.hold().toNanos();
        while (System.nanoTime() < holdUntil && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(
              Math.min(500, TimeUnit.NANOSECONDS.toMillis(holdUntil - System.nanoTime()) + 1));
          if (clients.closedByServer() > 0) {
            break;
          }
        }
        Measurement held = np.measure(deadline);
        report.held(
            held.heap,
            rss(node.pid()),
            held.links,
            held.fds - base.fds,
            clients.openCount(),
            clients.pingsAnswered(),
            clients.closedByServer(),
            clients.closeCodes().toString());
        if (System.nanoTime() > deadline) {
          return report.failed("the run passed its timeout of " + options.timeout());
        }
      }
      np.quit();
    } finally {
      node.destroyForcibly();
    }
    return report.build();
  }

  private Process startNode(int n) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + options.nodeHeapMegabytes() + "m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ConnectionsNode.class.getName());
    command.add(Integer.toString(n + 64));
    command.add(Long.toString(options.pingInterval().toMillis()));
    command.add(Long.toString(options.pingInterval().multipliedBy(3).toMillis()));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static String fdAdvice(String who, long limit, long needed) {
    return who
        + " may open "
        + limit
        + " files but needs "
        + needed
        + "; raise the limit (for example `ulimit -n "
        + needed
        + "`) or ask for fewer connections with -n";
  }

  /** Resident memory of process {@code pid} in bytes, from {@code /proc}; -1 if unknown. */
  static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] f = line.substring(6).trim().split("\\s+");
          return Long.parseLong(f[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return -1;
  }

  private static long maxFds() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof UnixOperatingSystemMXBean
        ? ((UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount()
        : -1;
  }

  private static long remainingMillis(long deadline) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  private static final class Measurement {
    final long heap;
    final int links;
    final long fds;

    Measurement(long heap, int links, long fds) {
      this.heap = heap;
      this.links = links;
      this.fds = fds;
    }
  }

  /** The node's process and the line protocol of {@link ConnectionsNode}. */
  private static final class NodeProcess implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    NodeProcess(Process process) {
      this.process = process;
      this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader = new Thread(this::pump, "bench-node-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    private void pump() {
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (line.startsWith(ConnectionsNode.PREFIX)) {
            lines.add(line.substring(ConnectionsNode.PREFIX.length()));
          }
        }
      } catch (IOException e) {
        // the process ended
      } finally {
        lines.add(EOF);
      }
    }

    String[] await(String word, long deadline) throws InterruptedException {
      String line = lines.poll(remainingMillis(deadline), TimeUnit.MILLISECONDS);
      if (line == null || line.equals(EOF) || !line.startsWith(word + " ")) {
        throw new IllegalStateException(
            "Expected '" + word + "' from the node process but got " + line);
      }
      return line.split(" ");
    }

    Measurement measure(long deadline) throws InterruptedException {
      send("MEASURE");
      String[] f = await("HEAP", deadline);
      return new Measurement(Long.parseLong(f[1]), Integer.parseInt(f[3]), Long.parseLong(f[5]));
    }

    void quit() {
      try {
        send("QUIT");
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void send(String command) {
      try {
        commands.write(command + "\n");
        commands.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("The node process is gone", e);
      }
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  /**
   * Settings of a run.
   *
   * @param connections idle connections to hold (default 10,000)
   * @param perAddress connections per loopback source address (default 1,000)
   * @param hold how long to hold them before measuring (default 25 s)
   * @param pingInterval the node's keepalive ping interval (default 10 s; its idle timeout is three
   *     times this)
   * @param timeout bound of the whole run (default 10 min)
   * @param floorBytes largest passing heap per connection (default 32 KiB)
   * @param nodeHeapMegabytes the node process's {@code -Xmx} (default 2048)
   */
  public record Options(
      int connections,
      int perAddress,
      Duration hold,
      Duration pingInterval,
      Duration timeout,
      long floorBytes,
      int nodeHeapMegabytes) {
    /** The default settings. */
    public static final Options DEFAULT = new Builder().build();

    /** Validates the settings. */
    public Options {
      if (connections < 1) {
        throw new IllegalArgumentException("Expected connections >= 1 but was " + connections);
      }
      if (perAddress < 1 || (long) connections / perAddress > 60_000) {
        throw new IllegalArgumentException(
            "Expected 1 <= perAddress and connections / perAddress <= 60,000 but was "
                + perAddress);
      }
      Objects.requireNonNull(hold, "hold");
      Objects.requireNonNull(pingInterval, "pingInterval");
      Objects.requireNonNull(timeout, "timeout");
      if (hold.isNegative() || pingInterval.isNegative() || pingInterval.isZero()) {
        throw new IllegalArgumentException("Expected hold >= 0 and pingInterval > 0");
      }
      if (timeout.compareTo(hold) <= 0) {
        throw new IllegalArgumentException(
            "Expected a timeout longer than the hold (" + hold + ") but was " + timeout);
      }
      if (floorBytes < 1 || nodeHeapMegabytes < 64) {
        throw new IllegalArgumentException("Expected floorBytes >= 1 and nodeHeapMegabytes >= 64");
      }
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
      return new Builder();
    }

    /** Builds {@link Options}; not thread-safe. */
    public static final class Builder {
      private int connections = 10_000;
      private int perAddress = 1_000;
      private Duration hold = Duration.ofSeconds(25);
      private Duration pingInterval = Duration.ofSeconds(10);
      private Duration timeout = Duration.ofMinutes(10);
      private long floorBytes = 32 * 1024;
      private int nodeHeapMegabytes = 2048;

      private Builder() {}

      /** See {@link Options#connections()}. */
      public Builder connections(int value) {
        this.connections = value;
        return this;
      }

      /** See {@link Options#perAddress()}. */
      public Builder perAddress(int value) {
        this.perAddress = value;
        return this;
      }

      /** See {@link Options#hold()}. */
      public Builder hold(Duration value) {
        this.hold = value;
        return this;
      }

      /** See {@link Options#pingInterval()}. */
      public Builder pingInterval(Duration value) {
        this.pingInterval = value;
        return this;
      }

      /** See {@link Options#timeout()}. */
      public Builder timeout(Duration value) {
        this.timeout = value;
        return this;
      }

      /** See {@link Options#floorBytes()}. */
      public Builder floorBytes(long value) {
        this.floorBytes = value;
        return this;
      }

      /** See {@link Options#nodeHeapMegabytes()}. */
      public Builder nodeHeapMegabytes(int value) {
        this.nodeHeapMegabytes = value;
        return this;
      }

      /**
       * The validated settings.
       *
       * @throws IllegalArgumentException if a setting is out of range
       */
      public Options build() {
        return new Options(
            connections, perAddress, hold, pingInterval, timeout, floorBytes, nodeHeapMegabytes);
      }
    }
  }
}
