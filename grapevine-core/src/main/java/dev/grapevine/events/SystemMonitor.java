package dev.grapevine.events;

import dev.grapevine.clock.Scheduler;
import dev.grapevine.store.CommitStats;
import dev.grapevine.store.StoreStats;
import dev.grapevine.sync.SyncStats;
import dev.grapevine.transport.TransportStats;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@code system_metrics} (and its parts {@code storage_metrics}, {@code network_metrics},
 * {@code performance_metrics}) every {@link EventsConfig#systemMetricsInterval()}, and raises
 * {@code storage_alert} while the data directory's disk is nearly full and {@code
 * performance_alert} when work was dropped since the last round. Runs on the node's {@link
 * Scheduler}, so tests drive it with a manual clock; each round reads counters and one file-store
 * query, nothing that blocks for long.
 */
public final class SystemMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SystemMonitor.class);

  /** What the monitor measures; each call returns a fresh snapshot. */
  public interface Probe {
    /** The store's sizes. */
    StoreStats store();

    /** The store's commit timings. */
    CommitStats commits();

    /** The ANProto protocol's counters. */
    SyncStats sync();

    /** The transport's counters. */
    TransportStats transport();
  }

  private final NodeEvents bus;
  private final Probe probe;
  private final Path storage;
  private final double freeRatioAlert;
  private final Scheduler.Cancellable task;

  /** Scheduler thread: the previous round's counters, for rates. */
  private Previous previous;

  private record Previous(
      long millis,
      long framesIn,
      long stored,
      long commits,
      long commitNanos,
      long dropped,
      long busDropped) {}

  private SystemMonitor(NodeEvents bus, Scheduler scheduler, Path storage, Probe probe) {
    this.bus = Objects.requireNonNull(bus, "bus");
    this.probe = Objects.requireNonNull(probe, "probe");
    this.storage = storage;
    this.freeRatioAlert = bus.config().storageAlertFreeRatio();
    Duration interval = bus.config().systemMetricsInterval();
    this.task = interval.isZero() ? () -> {} : scheduler.scheduleAtFixedRate(this::round, interval);
  }

  /**
   * Starts publishing every {@link EventsConfig#systemMetricsInterval()} of {@code bus}'s settings;
   * an interval of zero publishes nothing.
   *
   * @param storage a path on the disk to measure (the data directory; its nearest existing ancestor
   *     is used)
   */
  public static SystemMonitor start(
      NodeEvents bus, Scheduler scheduler, Path storage, Probe probe) {
    return new SystemMonitor(bus, Objects.requireNonNull(scheduler, "scheduler"), storage, probe);
  }

  /** Takes one round now (the timer calls this). */
  public void round() {
    try {
      publishRound();
    } catch (RuntimeException e) {
      log.warn("System metrics round failed", e);
    }
  }

  private void publishRound() {
    long now = bus.clock().millis();
    StoreStats store = probe.store();
    CommitStats commits = probe.commits();
    SyncStats sync = probe.sync();
    TransportStats transport = probe.transport();
    EventBusStats events = bus.stats();

    Map<String, Object> storageData = new LinkedHashMap<>();
    FileStore fs = fileStore();
    long total = 0;
    long free = 0;
    if (fs != null) {
      try {
        total = fs.getTotalSpace();
        free = fs.getUsableSpace();
      } catch (IOException e) {
        log.debug("Cannot read the disk space of {}: {}", storage, e.toString());
      }
    }
    storageData.put("totalSpace", total);
    storageData.put("usedSpace", Math.max(0, total - free));
    storageData.put("availableSpace", free);
    storageData.put("messages", store.messages());
    storageData.put("authors", store.authors());
    storageData.put("blobs", store.blobs());
    storageData.put("blobBytes", store.blobBytes());
    storageData.put("queuedWrites", store.queued());

    Map<String, Object> network = new LinkedHashMap<>();
    network.put("activeConnections", transport.connections());
    network.put("peerLinks", transport.inboundLinks() + transport.outboundLinks());
    network.put("inboundLinks", transport.inboundLinks());
    network.put("outboundLinks", transport.outboundLinks());
    network.put("totalBytesTransferred", transport.bytesIn() + transport.bytesOut());
    network.put("bytesIn", transport.bytesIn());
    network.put("bytesOut", transport.bytesOut());

    Map<String, Object> performance = new LinkedHashMap<>();
    Previous p = previous;
    double seconds = p == null ? 0 : (now - p.millis()) / 1000.0;
    performance.put(
        "framesPerSecond", seconds > 0 ? round2((sync.framesIn() - p.framesIn()) / seconds) : 0);
    performance.put(
        "messagesStoredPerSecond",
        seconds > 0 ? round2((sync.messagesStored() - p.stored()) / seconds) : 0);
    long dc = p == null ? commits.commits() : commits.commits() - p.commits();
    long dn = p == null ? commits.totalNanos() : commits.totalNanos() - p.commitNanos();
    performance.put("averageCommitMillis", dc > 0 ? round2(dn / 1e6 / dc) : 0);
    performance.put("pendingVerifications", sync.pendingFrames());
    performance.put("pausedLinks", sync.pausedLinks());
    performance.put("missingHashes", sync.missingHashes());
    Runtime rt = Runtime.getRuntime();
    performance.put("heapUsedBytes", rt.totalMemory() - rt.freeMemory());
    performance.put("heapMaxBytes", rt.maxMemory());
    performance.put("eventsQueued", events.queued());

    Map<String, Object> all = new LinkedHashMap<>();
    all.put("storage", storageData);
    all.put("network", network);
    all.put("performance", performance);
    bus.publish(EventType.SYSTEM_METRICS, all);
    bus.publish(EventType.STORAGE_METRICS, storageData);
    bus.publish(EventType.NETWORK_METRICS, network);
    bus.publish(EventType.PERFORMANCE_METRICS, performance);

    if (total > 0) {
      double freeRatio = (double) free / total;
      if (freeRatio < freeRatioAlert) {
        bus.alert(
            EventType.STORAGE_ALERT,
            freeRatio < freeRatioAlert / 5 ? AlertLevel.CRITICAL : AlertLevel.WARNING,
            "storage.free_ratio",
            round2(freeRatio),
            freeRatioAlert,
            String.format(
                "Only %.1f%% of the disk holding %s is free (%d of %d bytes)",
                freeRatio * 100, storage, free, total));
      }
    }
    if (p != null && sync.dropped() > p.dropped()) {
      bus.alert(
          EventType.PERFORMANCE_ALERT,
          AlertLevel.WARNING,
          "sync.dropped_frames_per_round",
          sync.dropped() - p.dropped(),
          0,
          (sync.dropped() - p.dropped()) + " frames dropped for overload since the last round");
    }
    if (p != null && events.dropped() > p.busDropped()) {
      bus.alert(
          EventType.PERFORMANCE_ALERT,
          AlertLevel.WARNING,
          "events.dropped_per_round",
          events.dropped() - p.busDropped(),
          0,
          (events.dropped() - p.busDropped()) + " events dropped because the event bus was full");
    }
    previous =
        new Previous(
            now,
            sync.framesIn(),
            sync.messagesStored(),
            commits.commits(),
            commits.totalNanos(),
            sync.dropped(),
            events.dropped());
  }

  private FileStore fileStore() {
    Path p = storage == null ? null : storage.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null) {
      return null;
    }
    try {
      return Files.getFileStore(p);
    } catch (IOException e) {
      return null;
    }
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** Stops the rounds. Idempotent. */
  @Override
  public void close() {
    task.cancel();
  }
}
