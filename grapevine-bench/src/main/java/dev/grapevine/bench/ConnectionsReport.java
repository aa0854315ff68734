package dev.grapevine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The result of {@link ConnectionsBench}. Byte figures are -1 when unknown (no {@code /proc}).
 *
 * @param benchmark always {@code "connections"}
 * @param date when the run started (ISO-8601, UTC)
 * @param machine where it ran
 * @param connections connections asked for
 * @param sourceAddresses loopback source addresses they came from
 * @param opened connections that completed the WebSocket handshake
 * @param openMillis time to open them all
 * @param holdSeconds how long they were held before the measurement
 * @param pingIntervalSeconds the node's keepalive ping interval
 * @param pingsAnswered pings from the node the clients answered while held
 * @param openAtClients connections still open at the clients when measured
 * @param linksAtNode links the node's protocol had open when measured
 * @param closedByNode connections the node closed while held
 * @param closeCodes how many it closed with each close code, for example {@code {1001=2}}
 * @param fileDescriptorsAtNode file descriptors the node opened for them
 * @param fdLimitClients this process's file descriptor limit
 * @param fdLimitNode the node process's file descriptor limit
 * @param heapBaselineBytes the node's used heap after GC before any connection
 * @param heapBytes the node's used heap after GC with every connection held
 * @param heapPerConnectionBytes {@code (heapBytes - heapBaselineBytes) / opened}
 * @param rssBaselineBytes the node's resident memory before any connection
 * @param rssBytes the node's resident memory with every connection held
 * @param rssPerConnectionBytes {@code (rssBytes - rssBaselineBytes) / opened}
 * @param floorBytes largest passing heap per connection
 * @param verdict PASS, BELOW FLOOR (more heap than the floor) or FAILED
 * @param failure why the run failed, or null
 */
public record ConnectionsReport(
    String benchmark,
    String date,
    Machine machine,
    int connections,
    int sourceAddresses,
    int opened,
    long openMillis,
    long holdSeconds,
    long pingIntervalSeconds,
    long pingsAnswered,
    int openAtClients,
    int linksAtNode,
    int closedByNode,
    String closeCodes,
    long fileDescriptorsAtNode,
    long fdLimitClients,
    long fdLimitNode,
    long heapBaselineBytes,
    long heapBytes,
    long heapPerConnectionBytes,
    long rssBaselineBytes,
    long rssBytes,
    long rssPerConnectionBytes,
    long floorBytes,
    Verdict verdict,
    String failure) {

  /** Source addresses {@code connections} clients use at {@code perAddress} each. */
  static int addresses(int connections, int perAddress) {
    return (connections + perAddress - 1) / perAddress;
  }

  static Builder builder(String date, ConnectionsBench.Options options) {
    return new Builder(date, options);
  }

  /** The report as a Markdown table (with a heading line). */
  public String toMarkdown() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"Verdict", verdict + (failure == null ? "" : ": " + failure)});
    rows.add(
        new String[] {
          "Heap per connection (floor " + kib(floorBytes) + ")", kib(heapPerConnectionBytes)
        });
    rows.add(new String[] {"RSS per connection", kib(rssPerConnectionBytes)});
    rows.add(
        new String[] {
          "Connections",
          Reports.count(opened)
              + " of "
              + Reports.count(connections)
              + " opened in "
              + Reports.seconds(openMillis)
              + ", from "
              + sourceAddresses
              + " source addresses (127.0.0.2 on)"
        });
    rows.add(
        new String[] {
          "Held",
          holdSeconds
              + " s with keepalive (ping every "
              + pingIntervalSeconds
              + " s): "
              + Reports.count(pingsAnswered)
              + " pings answered, "
              + Reports.count(openAtClients)
              + " open at the clients, "
              + Reports.count(linksAtNode)
              + " links at the node, "
              + closedByNode
              + " closed by the node"
              + (closedByNode == 0 ? "" : " " + closeCodes)
        });
    rows.add(
        new String[] {
          "Node heap after GC", mib(heapBaselineBytes) + " → " + mib(heapBytes) + " (MemoryMXBean)"
        });
    rows.add(new String[] {"Node RSS", mib(rssBaselineBytes) + " → " + mib(rssBytes) + " (VmRSS)"});
    rows.add(
        new String[] {
          "File descriptors",
          Reports.count(fileDescriptorsAtNode)
              + " more at the node; limits "
              + Reports.count(fdLimitNode)
              + " (node), "
              + Reports.count(fdLimitClients)
              + " (clients)"
        });
    rows.add(new String[] {"Machine", machine.describe()});
    rows.add(new String[] {"Date", date});
    return "### grapevine bench connections\n\n" + Reports.table(rows);
  }

  private static String kib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }

  /** Collects the figures of a run as it goes. Not thread-safe. */
  static final class Builder {
    private final String date;
    private final ConnectionsBench.Options options;
    private int opened;
    private long openMillis;
    private long pingsAnswered;
    private int openAtClients;
    private int linksAtNode;
    private int closedByNode;
    private String closeCodes = "{}";
    private long fds;
    private long fdLimitClients = -1;
    private long fdLimitNode = -1;
    private long heapBaseline = -1;
    private long heap = -1;
    private long rssBaseline = -1;
    private long rss = -1;

    private Builder(String date, ConnectionsBench.Options options) {
      this.date = date;
      this.options = options;
    }

    Builder fdLimitClients(long limit) {
      this.fdLimitClients = limit;
      return this;
    }

    Builder fdLimitNode(long limit) {
      this.fdLimitNode = limit;
      return this;
    }

    Builder baseline(long heapBytes, long rssBytes) {
      this.heapBaseline = heapBytes;
      this.rssBaseline = rssBytes;
      return this;
    }

    Builder opened(int count, long millis) {
      this.opened = count;
      this.openMillis = millis;
      return this;
    }

    Builder held(
        long heapBytes,
        long rssBytes,
        int links,
        long fds,
        int openAtClients,
        long pings,
        int closedByNode,
        String closeCodes) {
      this.heap = heapBytes;
      this.rss = rssBytes;
      this.linksAtNode = links;
      this.fds = fds;
      this.openAtClients = openAtClients;
      this.pingsAnswered = pings;
      this.closedByNode = closedByNode;
      this.closeCodes = closeCodes;
      return this;
    }

    ConnectionsReport failed(String why) {
      return make(Verdict.FAILED, why);
    }

    ConnectionsReport build() {
      int n = options.connections();
      if (openAtClients != n || linksAtNode != n || closedByNode != 0) {
        return failed(
            "expected all "
                + n
                + " connections open at both ends after the hold but the clients had "
                + openAtClients
                + ", the node "
                + linksAtNode
                + " ("
                + closedByNode
                + " closed by the node: "
                + closeCodes
                + ")");
      }
      if (options.hold().compareTo(options.pingInterval()) > 0 && pingsAnswered < n) {
        return failed(
            "expected every connection to be pinged at least once while held but only "
                + pingsAnswered
                + " pings were answered");
      }
      return make(
          perConnection(heap, heapBaseline) <= options.floorBytes()
              ? Verdict.PASS
              : Verdict.BELOW_FLOOR,
          null);
    }

    private long perConnection(long after, long before) {
      return after < 0 || before < 0 || opened == 0 ? -1 : (after - before) / opened;
    }

    private ConnectionsReport make(Verdict verdict, String failure) {
      return new ConnectionsReport(
          "connections",
          date,
          Machine.current(),
          options.connections(),
          addresses(options.connections(), options.perAddress()),
          opened,
          openMillis,
          options.hold().toSeconds(),
          options.pingInterval().toSeconds(),
          pingsAnswered,
          openAtClients,
          linksAtNode,
          closedByNode,
          closeCodes,
          fds,
          fdLimitClients,
          fdLimitNode,
          heapBaseline,
          heap,
          perConnection(heap, heapBaseline),
          rssBaseline,
          rss,
          perConnection(rss, rssBaseline),
          options.floorBytes(),
          verdict,
          failure);
    }
  }
}
