package dev.grapevine.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time of this JVM's threads between two points, grouped by thread name with numbers removed
 * ({@code grapevine-sync-3-1} and {@code grapevine-sync-3-2} count as {@code grapevine-sync}), plus
 * the whole process's CPU time. Tells where an end-to-end run spent its CPU, and how much of the
 * machine the run actually got on a shared host. Threads that end between the two points are not
 * counted in the groups (they are in the process total).
 */
final class CpuTimes {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Map<Long, Long> threadNanos;
  private final long processNanos;
  private final long wallNanos;
  private final long jitMillis;
  private final long gcMillis;

  private CpuTimes(
      Map<Long, Long> threadNanos,
      long processNanos,
      long wallNanos,
      long jitMillis,
      long gcMillis) {
    this.threadNanos = threadNanos;
    this.processNanos = processNanos;
    this.wallNanos = wallNanos;
    this.jitMillis = jitMillis;
    this.gcMillis = gcMillis;
  }

  /** Whether this JVM can measure thread CPU time. */
  static boolean supported() {
    return THREADS.isThreadCpuTimeSupported();
  }

  /** A snapshot now. */
  static CpuTimes now() {
    Map<Long, Long> times = new HashMap<>();
    if (supported()) {
      for (long id : THREADS.getAllThreadIds()) {
        long t = THREADS.getThreadCpuTime(id);
        if (t >= 0) {
          times.put(id, t);
        }
      }
    }
    return new CpuTimes(times, processCpuNanos(), System.nanoTime(), jitMillis(), gcMillis());
  }

  /**
   * The CPU used from {@code start} to this snapshot: milliseconds per thread group, largest first,
   * and the process total.
   */
  Usage since(CpuTimes start) {
    Map<String, Long> groups = new HashMap<>();
    for (Map.Entry<Long, Long> e : threadNanos.entrySet()) {
      long before = start.threadNanos.getOrDefault(e.getKey(), 0L);
      long used = e.getValue() - before;
      if (used <= 0) {
        continue;
      }
      ThreadInfo info = THREADS.getThreadInfo(e.getKey());
      String name = info == null ? "(ended)" : group(info.getThreadName());
      groups.merge(name, used, Long::sum);
    }
    List<Map.Entry<String, Long>> sorted =
        groups.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .collect(Collectors.toList());
    Map<String, Long> millis = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : sorted) {
      millis.put(e.getKey(), e.getValue() / 1_000_000);
    }
    long process =
        processNanos >= 0 && start.processNanos >= 0 ? processNanos - start.processNanos : -1;
    return new Usage(
        millis,
        process / 1_000_000,
        (wallNanos - start.wallNanos) / 1_000_000,
        jitMillis < 0 || start.jitMillis < 0 ? -1 : jitMillis - start.jitMillis,
        gcMillis < 0 || start.gcMillis < 0 ? -1 : gcMillis - start.gcMillis);
  }

  /**
   * CPU used in a window.
   *
   * @param threadMillis CPU milliseconds per thread group, largest first
   * @param processMillis CPU milliseconds of the whole process (-1 if unknown)
   * @param wallMillis the window's length
   * @param jitMillis time the JIT compiler threads spent compiling (-1 if unknown); these threads,
   *     like the GC's, are not among {@code threadMillis}
   * @param gcMillis time the garbage collectors report spent collecting (-1 if unknown)
   */
  record Usage(
      Map<String, Long> threadMillis,
      long processMillis,
      long wallMillis,
      long jitMillis,
      long gcMillis) {
    /** Share of the machine's cores the process used: process CPU / (wall × cores). */
    double machineShare() {
      int cores = Runtime.getRuntime().availableProcessors();
      return processMillis < 0 || wallMillis == 0
          ? -1
          : processMillis / (double) (wallMillis * cores);
    }
  }

  /**
   * {@code grapevine-sync-3-1} → {@code grapevine-sync}; {@code HttpClient-1-SelectorManager} kept.
   */
  static String group(String name) {
    String g = name.replaceAll("-\\d+(?=-|$)", "");
    return g.isEmpty() ? name : g;
  }

  private static long jitMillis() {
    java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : -1;
  }

  private static long gcMillis() {
    long total = 0;
    for (java.lang.management.GarbageCollectorMXBean gc :
        ManagementFactory.getGarbageCollectorMXBeans()) {
      long t = gc.getCollectionTime();
      if (t < 0) {
        return -1;
      }
      total += t;
    }
    return total;
  }

  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
    }
    return -1;
  }
}
