package dev.grapevine.conn.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.conn.ConnAddress;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent database of known peers, on the model of ssb-conn's ConnDB: a map from address to
 * {@link PeerData}, kept in memory in insertion order and saved to {@code conn.json} in a
 * directory.
 *
 * <h2>The file</h2>
 *
 * {@code conn.json} holds one JSON object whose keys are addresses and whose values are the
 * addresses' data objects, written byte for byte as JavaScript's {@code JSON.stringify(map, null,
 * 2)} writes it (two-space indent, {@code "key": value}, no trailing newline; an empty database is
 * {@code {}}), so ssb-conn and Grapevine can read each other's files. Keys keep their insertion
 * order, an updated key keeps its position, and fields this class does not know are kept as they
 * are. Within an entry, fields keep their order, except that a change puts {@code birth} first, as
 * upstream's {@code {birth: prev.birth ?? now, ...prev, ...data}} does.
 *
 * <ul>
 *   <li><b>Loading</b> happens in {@link #open}, on the caller's thread. A missing file starts an
 *       empty database and writes {@code {}}. A file with up to 9 characters of trailing garbage is
 *       healed as ssb-conn heals it (the longest prefix that parses wins) and rewritten. A file
 *       that cannot be healed, is not a JSON object, or holds values that are not objects is copied
 *       to {@code conn.json.corrupt} (or {@code conn.json.corrupt.N} if that exists) before the
 *       database starts empty (or without the bad entries); it is never silently lost.
 *   <li><b>Writing</b> is atomic: the whole map is written to {@code conn.json~} in the same
 *       directory, forced to disk, renamed over {@code conn.json} and the directory is forced, so
 *       after a crash the file is either the old or the new version. Writes run on one writer
 *       thread ({@code grapevine-conndb-writer}), one at a time; no lock is held during file I/O.
 *   <li><b>When</b>: every change schedules a write on the injected {@link Scheduler} after {@link
 *       ConnDbConfig#writeDebounce()} of quiet, but no later than {@link
 *       ConnDbConfig#maxWriteDelay()} after the first unwritten change. {@link #flush()} writes now
 *       and {@link #close()} writes whatever is left. A failed write is logged and retried after
 *       {@code maxWriteDelay}.
 * </ul>
 *
 * <p>One {@code ConnDb} per directory: two instances on one directory overwrite each other.
 *
 * <h2>Addresses</h2>
 *
 * Addresses given to {@link #set}, {@link #replace} and the connection events are parsed with
 * {@link ConnAddress#parse} (an invalid one is an {@link IllegalArgumentException}) and stored
 * under the canonical text {@code ws://host:port~shs:<key>}. Lookups ({@link #get}, {@link #has},
 * {@link #delete}, {@link #update}) try the exact string first, so entries loaded from a file under
 * other keys (for example ssb's {@code net:} addresses) are kept, listed and can be deleted.
 *
 * <h2>Automatic fields</h2>
 *
 * The hub reports connection events; each touches only addresses already in the database (as
 * upstream's glue, which uses {@code update}), except that connection start times are remembered
 * for any address so that {@code duration} is right even for a peer stored while connected.
 *
 * <ul>
 *   <li>{@code birth} is set when an address is first stored and kept by every later change;
 *   <li>{@link #connecting}: {@code stateChange};
 *   <li>{@link #connected}: {@code stateChange}, {@code failure = 0};
 *   <li>{@link #connectFailed}: {@code stateChange}, {@code failure + 1}, and a 0 sample in {@code
 *       duration} (as upstream; ConnQuery's "only failed attempts" relies on it);
 *   <li>{@link #disconnected}: {@code stateChange}, and the connection's real lifetime ({@code
 *       connected} to {@code disconnected}) as one {@code duration} sample, exactly once per
 *       connection: a second {@code disconnected} adds none (upstream measures from the last state
 *       change and may count twice);
 *   <li>{@link #pinged}: a sample in {@code ping.rtt}; the first sample of each connection starts
 *       new statistics, as upstream does for each connection.
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * All methods are thread-safe. The in-memory map is guarded by one lock, held only for map updates
 * and scheduling (never for I/O or while calling the function given to {@link #update(String,
 * UnaryOperator)}). Reads and changes never block on I/O; {@link #open}, {@link #flush()} and
 * {@link #close()} block for file I/O. After {@code close()} every method but {@code close()}
 * throws {@link IllegalStateException}. Change listeners ({@link #listen}) are called one change at
 * a time, in order, on a thread that made a change, with no lock held.
 */
public final class ConnDb implements AutoCloseable {
  /** The file name in the database directory. */
  public static final String FILE_NAME = "conn.json";

  static final String TEMP_NAME = "conn.json~";
  static final String CORRUPT_NAME = "conn.json.corrupt";
  private static final int MAX_TRIM = 10;
  private static final Logger log = LoggerFactory.getLogger(ConnDb.class);
  private static final ObjectMapper STRICT =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Path directory;
  private final Path file;
  private final Path tempFile;
  private final Scheduler scheduler;
  private final Clock clock;
  private final ConnDbConfig config;
  private final Executor writer;
  private final ExecutorService ownedWriter; // null when the writer was given (tests)
  private final AtomicLong writes = new AtomicLong();

  private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();

  /** Changes in the order they were made (added under the lock), waiting to be delivered. */
  private final ConcurrentLinkedQueue<Change> events = new ConcurrentLinkedQueue<>();

  /** Set while one thread delivers events, so that they are delivered one at a time, in order. */
  private final AtomicBoolean delivering = new AtomicBoolean();

  private final Object lock = new Object();
  // Guarded by lock:
  private final LinkedHashMap<String, PeerData> entries = new LinkedHashMap<>();
  private final Map<String, Long> connectedSince = new HashMap<>();
  private final Set<String> freshPing = new HashSet<>();
  private long version;
  private long writtenVersion;
  private long firstDirtyMillis = -1;
  private Scheduler.Cancellable timer;
  private boolean closed;

  private ConnDb(
      Path directory,
      Scheduler scheduler,
      ConnDbConfig config,
      Executor writer,
      ExecutorService ownedWriter) {
    this.directory = directory;
    this.file = directory == null ? null : directory.resolve(FILE_NAME);
    this.tempFile = directory == null ? null : directory.resolve(TEMP_NAME);
    this.scheduler = scheduler;
    this.clock = scheduler.clock();
    this.config = config;
    this.writer = writer;
    this.ownedWriter = ownedWriter;
  }

  /** {@link #open(Path, Scheduler, ConnDbConfig)} with {@link ConnDbConfig#DEFAULT}. */
  public static ConnDb open(Path directory, Scheduler scheduler) {
    return open(directory, scheduler, ConnDbConfig.DEFAULT);
  }

  /**
   * Loads (or creates) {@code conn.json} in {@code directory}, creating the directory if needed.
   * Blocks for the file I/O. The scheduler is not closed by {@link #close()}.
   *
   * @throws UncheckedIOException if the directory cannot be created or the file cannot be read
   */
  public static ConnDb open(Path directory, Scheduler scheduler, ConnDbConfig config) {
    ExecutorService w =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "grapevine-conndb-writer");
              t.setDaemon(true);
              return t;
            });
    try {
      return open(directory, scheduler, config, w, w);
    } catch (RuntimeException e) {
      w.shutdownNow();
      throw e;
    }
  }

  /**
   * A database that lives only in memory, for ephemeral nodes: the same map, events and automatic
   * fields, with no file and no writer thread. {@link #flush()} and {@link #close()} write nothing.
   */
  public static ConnDb inMemory(Scheduler scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    return new ConnDb(null, scheduler, ConnDbConfig.DEFAULT, Runnable::run, null);
  }

  /** Whether this database is kept in a file (false for {@link #inMemory}). */
  public boolean persistent() {
    return directory != null;
  }

  /** Test seam: writes run on {@code writer} (a direct executor makes them deterministic). */
  static ConnDb open(
      Path directory,
      Scheduler scheduler,
      ConnDbConfig config,
      Executor writer,
      ExecutorService ownedWriter) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(config, "config");
    ConnDb db = new ConnDb(directory, scheduler, config, writer, ownedWriter);
    db.load();
    return db;
  }

  // ---- Loading ----

  private void load() {
    String text;
    try {
      Files.createDirectories(directory);
      text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      log.debug("No {} in {}; starting empty", FILE_NAME, directory);
      writeAtOpen();
      return;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + file, e);
    }
    if (text.isBlank()) {
      return; // upstream: empty input is {}; there is nothing to back up
    }
    ObjectNode root = null;
    boolean rewrite = false;
    for (int i = 0; i < MAX_TRIM && i <= text.length() && root == null; i++) {
      try {
        JsonNode n = STRICT.readTree(text.substring(0, text.length() - i));
        if (n == null || !n.isObject()) {
          break;
        }
        root = (ObjectNode) n;
        if (i > 0) {
          log.warn("Healed {}: cut {} trailing characters", file, i);
          rewrite = true;
        }
      } catch (JsonProcessingException e) {
        // try a shorter prefix
      }
    }
    if (root == null) {
      log.error("{} is corrupt and could not be healed; starting empty", file);
      backUpCorrupt();
      writeAtOpen();
      return;
    }
    boolean dropped = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isObject()) {
        entries.put(e.getKey(), PeerData.wrap((ObjectNode) e.getValue()));
      } else {
        log.warn("Dropping {} from {}: its data is not an object", e.getKey(), file);
        dropped = true;
      }
    }
    if (dropped) {
      backUpCorrupt();
    }
    if (rewrite || dropped) {
      writeAtOpen();
    }
  }

  /** Copies the current file to a fresh {@code conn.json.corrupt[.N]}. */
  private void backUpCorrupt() {
    try {
      Path backup = directory.resolve(CORRUPT_NAME);
      for (int n = 1; Files.exists(backup); n++) {
        backup = directory.resolve(CORRUPT_NAME + "." + n);
      }
      Files.copy(file, backup, StandardCopyOption.COPY_ATTRIBUTES);
      log.warn("Kept a copy of the corrupt {} as {}", file, backup.getFileName());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not back up the corrupt " + file, e);
    }
  }

  /** Writes the loaded state on the opening thread; a failure is logged (as upstream). */
  private void writeAtOpen() {
    try {
      atomicWrite(serialize(entries));
      writes.incrementAndGet();
    } catch (IOException e) {
      log.warn("Could not write {}", file, e);
    }
  }

  // ---- The map ----

  /**
   * Stores {@code data} for {@code address}, merged over what is stored ({@code {...prev,
   * ...data}}); a new address gets {@code birth = now} first. {@code birth} is kept unless {@code
   * data} has one.
   *
   * @return the stored data
   * @throws IllegalArgumentException if the address is not valid
   */
  public PeerData set(String address, PeerData data) {
    String key = canonical(address);
    Objects.requireNonNull(data, "data");
    try {
      synchronized (lock) {
        checkOpen();
        PeerData prev = entries.get(key);
        ObjectNode o = birthFirst(prev);
        if (prev != null) {
          putAllCopies(o, prev.node());
        }
        putAllCopies(o, data.node());
        return store(key, o);
      }
    } finally {
      deliver();
    }
  }

  /** {@link #set(String, PeerData)} for a parsed address. */
  public PeerData set(ConnAddress address, PeerData data) {
    return set(address.toString(), data);
  }

  /**
   * Stores {@code data} for {@code address} in place of what is stored, keeping only {@code birth}
   * (unless {@code data} has one).
   *
   * @return the stored data
   * @throws IllegalArgumentException if the address is not valid
   */
  public PeerData replace(String address, PeerData data) {
    String key = canonical(address);
    Objects.requireNonNull(data, "data");
    try {
      synchronized (lock) {
        checkOpen();
        ObjectNode o = birthFirst(entries.get(key));
        putAllCopies(o, data.node());
        return store(key, o);
      }
    } finally {
      deliver();
    }
  }

  /** {@link #replace(String, PeerData)} for a parsed address. */
  public PeerData replace(ConnAddress address, PeerData data) {
    return replace(address.toString(), data);
  }

  /**
   * Merges {@code patch} over the data of {@code address} if it is stored; never inserts.
   *
   * @return the stored data, or empty if the address is not in the database
   */
  public Optional<PeerData> update(String address, PeerData patch) {
    Objects.requireNonNull(patch, "patch");
    try {
      synchronized (lock) {
        checkOpen();
        String key = lookup(address);
        if (key == null) {
          return Optional.empty();
        }
        ObjectNode o = mergedCopy(entries.get(key));
        putAllCopies(o, patch.node());
        return Optional.of(store(key, o));
      }
    } finally {
      deliver();
    }
  }

  /**
   * Replaces the data of {@code address}, if it is stored, with {@code fn(current)}; never inserts.
   * Unlike upstream, the function returns the whole new value (so it can remove fields with {@link
   * PeerData#without}); {@code birth} is kept if the result lacks it. The function runs without the
   * lock held and may run more than once if the entry changes meanwhile, so it must have no side
   * effects.
   *
   * @return the stored data, or empty if the address is not in the database
   */
  public Optional<PeerData> update(String address, UnaryOperator<PeerData> fn) {
    Objects.requireNonNull(fn, "fn");
    try {
      while (true) {
        PeerData prev;
        String key;
        synchronized (lock) {
          checkOpen();
          key = lookup(address);
          if (key == null) {
            return Optional.empty();
          }
          prev = entries.get(key);
        }
        PeerData next = Objects.requireNonNull(fn.apply(prev), "update function returned null");
        synchronized (lock) {
          checkOpen();
          if (entries.get(key) != prev) {
            continue; // changed or deleted meanwhile: run the function again
          }
          ObjectNode o;
          if (next.has("birth")) {
            o = next.json();
          } else {
            o = birthFirst(prev);
            putAllCopies(o, next.node());
          }
          return Optional.of(store(key, o));
        }
      }
    } finally {
      deliver();
    }
  }

  /** The data stored for {@code address} (exact key, else its canonical form). */
  public Optional<PeerData> get(String address) {
    synchronized (lock) {
      checkOpen();
      String key = lookup(address);
      return key == null ? Optional.empty() : Optional.of(entries.get(key));
    }
  }

  /** {@link #get(String)} for a parsed address. */
  public Optional<PeerData> get(ConnAddress address) {
    return get(address.toString());
  }

  /** Whether {@code address} is stored (exact key, else its canonical form). */
  public boolean has(String address) {
    return get(address).isPresent();
  }

  /** Removes {@code address}; true if it was stored. */
  public boolean delete(String address) {
    try {
      synchronized (lock) {
        checkOpen();
        String key = lookup(address);
        if (key == null) {
          return false;
        }
        entries.remove(key);
        events.add(new Change(Change.Kind.DELETE, key));
        changed();
        return true;
      }
    } finally {
      deliver();
    }
  }

  /** {@link #delete(String)} for a parsed address. */
  public boolean delete(ConnAddress address) {
    return delete(address.toString());
  }

  /** A snapshot of every address and its data, in insertion order. */
  public List<Map.Entry<String, PeerData>> entries() {
    synchronized (lock) {
      checkOpen();
      List<Map.Entry<String, PeerData>> list = new ArrayList<>(entries.size());
      entries.forEach((k, v) -> list.add(Map.entry(k, v)));
      return List.copyOf(list);
    }
  }

  /** The number of stored addresses. */
  public int size() {
    synchronized (lock) {
      checkOpen();
      return entries.size();
    }
  }

  /** The first address, in insertion order, whose data has {@code key} equal to {@code key}. */
  public Optional<String> addressForKey(String key) {
    synchronized (lock) {
      checkOpen();
      for (Map.Entry<String, PeerData> e : entries.entrySet()) {
        if (e.getValue().key().filter(key::equals).isPresent()) {
          return Optional.of(e.getKey());
        }
      }
      return Optional.empty();
    }
  }

  // ---- Change notifications ----

  /**
   * Calls {@code listener} with every later change ({@code insert}, {@code update}, {@code
   * delete}), as upstream's {@code listen()}: no replay of earlier changes. Changes are delivered
   * one at a time, in the order they were made, on a thread that made a change, after the change
   * and with no lock held; a listener may read and change the database (its own changes are
   * delivered after it returns). Listeners must be quick; one that throws is logged and kept.
   *
   * @return closing it stops the calls
   */
  public Subscription listen(Consumer<Change> listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (lock) {
      checkOpen();
      listeners.add(listener);
    }
    return () -> listeners.remove(listener);
  }

  /** A registration made by {@link #listen}. */
  public interface Subscription extends AutoCloseable {
    /** Stops the calls to the listener; idempotent. */
    @Override
    void close();
  }

  /**
   * One change to the database.
   *
   * @param kind what happened
   * @param address the stored address
   */
  public record Change(Kind kind, String address) {
    /** What happened to an address. */
    public enum Kind {
      /** It was stored for the first time. */
      INSERT,
      /** Its data changed (or was set again). */
      UPDATE,
      /** It was deleted. */
      DELETE
    }

    /** Validates the fields. */
    public Change {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(address, "address");
    }
  }

  /** No lock held. Delivers queued changes unless another thread (or an outer call) is. */
  private void deliver() {
    while (!events.isEmpty() && delivering.compareAndSet(false, true)) {
      try {
        Change c;
        while ((c = events.poll()) != null) {
          for (Consumer<Change> l : listeners) {
            try {
              l.accept(c);
            } catch (RuntimeException e) {
              log.warn("ConnDb listener failed on {}", c, e);
            }
          }
        }
      } finally {
        delivering.set(false);
      }
    }
  }

  // ---- Connection events (called by the hub) ----

  /**
   * A connection attempt starts: {@code stateChange = clock now}. True if the address is stored.
   */
  public boolean connecting(String address) {
    long now = clock.millis();
    return updateStored(address, o -> o.put("stateChange", now));
  }

  /**
   * A connection is established at {@code nowMillis}: {@code stateChange}, {@code failure = 0}.
   * Starts measuring its lifetime, for any valid address, stored or not: the caller must report its
   * end with {@link #disconnected}, which forgets the start time. True if the address is stored.
   */
  public boolean connected(String address, long nowMillis) {
    synchronized (lock) {
      checkOpen();
      String key = trackingKey(address);
      if (key != null) {
        connectedSince.put(key, nowMillis);
        freshPing.add(key);
      }
    }
    return updateStored(
        address,
        o -> {
          o.put("stateChange", nowMillis);
          o.put("failure", 0);
        });
  }

  /**
   * A connection attempt failed at {@code nowMillis}: {@code stateChange}, {@code failure + 1}, a 0
   * sample in {@code duration}. True if the address is stored.
   */
  public boolean connectFailed(String address, long nowMillis) {
    return updateStored(
        address,
        o -> {
          long failure = PeerData.wrap(o).failure();
          Statistics d = PeerData.wrap(o).duration().orElse(Statistics.EMPTY).add(0);
          o.put("failure", failure + 1);
          o.put("stateChange", nowMillis);
          o.set("duration", d.toJson());
        });
  }

  /**
   * A connection closed at {@code nowMillis}: {@code stateChange}, and, the first time after {@link
   * #connected}, its lifetime as a {@code duration} sample. True if the address is stored.
   */
  public boolean disconnected(String address, long nowMillis) {
    Long since;
    synchronized (lock) {
      checkOpen();
      String key = trackingKey(address);
      since = key == null ? null : connectedSince.remove(key);
      if (key != null) {
        freshPing.remove(key);
      }
    }
    return updateStored(
        address,
        o -> {
          o.put("stateChange", nowMillis);
          if (since != null) {
            Statistics d = PeerData.wrap(o).duration().orElse(Statistics.EMPTY);
            o.set("duration", d.add(Math.max(0, nowMillis - since)).toJson());
          }
        });
  }

  /**
   * A ping round trip of {@code rttMillis} milliseconds: a sample in {@code ping.rtt} (other {@code
   * ping} fields, such as upstream's {@code skew}, are kept). True if the address is stored.
   *
   * @throws IllegalArgumentException if {@code rttMillis} is negative or not finite
   */
  public boolean pinged(String address, double rttMillis) {
    if (!(rttMillis >= 0) || Double.isInfinite(rttMillis)) {
      throw new IllegalArgumentException("Expected a round trip >= 0 ms but was " + rttMillis);
    }
    try {
      synchronized (lock) {
        checkOpen();
        String key = lookup(address);
        if (key == null) {
          return false;
        }
        boolean fresh = freshPing.remove(key);
        ObjectNode o = mergedCopy(entries.get(key));
        JsonNode ping = o.get("ping");
        ObjectNode p = ping != null && ping.isObject() ? (ObjectNode) ping : o.objectNode();
        Statistics rtt =
            fresh ? Statistics.EMPTY : Statistics.fromJson(p.get("rtt")).orElse(Statistics.EMPTY);
        p.set("rtt", rtt.add(rttMillis).toJson());
        o.set("ping", p);
        store(key, o);
        return true;
      }
    } finally {
      deliver();
    }
  }

  /** Applies {@code change} to a copy of the stored data of {@code address}, if stored. */
  private boolean updateStored(String address, Consumer<ObjectNode> change) {
    try {
      synchronized (lock) {
        checkOpen();
        String key = lookup(address);
        if (key == null) {
          return false;
        }
        ObjectNode o = mergedCopy(entries.get(key));
        change.accept(o);
        store(key, o);
        return true;
      }
    } finally {
      deliver();
    }
  }

  // ---- Writing ----

  /**
   * Writes every change now, if there are any, and returns when the file is durable.
   *
   * @throws UncheckedIOException if the write fails
   * @throws IllegalStateException if closed
   */
  public void flush() {
    synchronized (lock) {
      checkOpen();
    }
    writeAndWait();
  }

  /**
   * Stops timers, writes whatever is unwritten and waits for it, then stops the writer thread.
   * Idempotent; the scheduler stays open.
   *
   * @throws UncheckedIOException if the final write fails (after everything is stopped)
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      cancelTimer();
    }
    try {
      writeAndWait();
    } finally {
      if (ownedWriter != null) {
        ownedWriter.shutdown();
        try {
          if (!ownedWriter.awaitTermination(10, TimeUnit.SECONDS)) {
            log.warn("The conn.json writer did not stop within 10 s");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      listeners.clear();
      events.clear();
      synchronized (lock) {
        entries.clear();
        connectedSince.clear();
        freshPing.clear();
      }
    }
  }

  /** How many times the file has been written (test seam). */
  long writeCount() {
    return writes.get();
  }

  private void writeAndWait() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      writer.execute(
          () -> {
            try {
              writeIfChanged();
              done.complete(null);
            } catch (IOException | RuntimeException e) {
              done.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("This ConnDb is closed; open a new one", e);
    }
    try {
      done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new InterruptedIOException("Interrupted while writing"));
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException) {
        throw new UncheckedIOException("Could not write " + file, (IOException) c);
      }
      throw (RuntimeException) c;
    }
  }

  /** Scheduler thread: hands the write to the writer. */
  private void timerFired() {
    synchronized (lock) {
      timer = null;
      if (closed) {
        return;
      }
    }
    try {
      writer.execute(
          () -> {
            try {
              writeIfChanged();
            } catch (IOException | RuntimeException e) {
              log.warn("Could not write {}; retrying in {}", file, config.maxWriteDelay(), e);
            }
          });
    } catch (RejectedExecutionException e) {
      // closing: close() writes what is left
    }
  }

  /** Writer thread. */
  private void writeIfChanged() throws IOException {
    Map<String, PeerData> snapshot;
    long v;
    synchronized (lock) {
      if (directory == null) {
        writtenVersion = version;
        firstDirtyMillis = -1;
        cancelTimer();
        return;
      }
      if (version == writtenVersion) {
        return;
      }
      snapshot = new LinkedHashMap<>(entries);
      v = version;
      firstDirtyMillis = -1;
      cancelTimer();
    }
    try {
      atomicWrite(serialize(snapshot));
    } catch (IOException | RuntimeException e) {
      synchronized (lock) {
        if (firstDirtyMillis < 0) {
          firstDirtyMillis = clock.millis();
        }
        if (!closed && timer == null) {
          timer = scheduler.schedule(this::timerFired, config.maxWriteDelay());
        }
      }
      throw e;
    }
    writes.incrementAndGet();
    synchronized (lock) {
      writtenVersion = Math.max(writtenVersion, v);
    }
  }

  private static byte[] serialize(Map<String, PeerData> snapshot) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    snapshot.forEach((k, v) -> root.set(k, v.node())); // read only: the nodes are never mutated
    return JsonStringify.stringify(root).getBytes(StandardCharsets.UTF_8);
  }

  private void atomicWrite(byte[] bytes) throws IOException {
    Files.createDirectories(directory);
    try {
      try (FileChannel ch =
          FileChannel.open(
              tempFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(
          tempFile, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tempFile);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true); // makes the rename durable; not supported on every platform
    } catch (IOException e) {
      log.debug("Could not fsync directory {}", directory, e);
    }
  }

  // ---- Helpers (lock held where noted) ----

  /** Lock held. Stores {@code o}, which nobody else references, and schedules a write. */
  private PeerData store(String key, ObjectNode o) {
    PeerData d = PeerData.wrap(o);
    PeerData prev = entries.put(key, d);
    events.add(new Change(prev == null ? Change.Kind.INSERT : Change.Kind.UPDATE, key));
    changed();
    return d;
  }

  /** Lock held. */
  private void changed() {
    version++;
    if (directory == null) {
      return; // nothing to write
    }
    long now = clock.millis();
    if (firstDirtyMillis < 0) {
      firstDirtyMillis = now;
    }
    long untilMax = firstDirtyMillis + config.maxWriteDelay().toMillis() - now;
    long delay = Math.max(0, Math.min(config.writeDebounce().toMillis(), untilMax));
    cancelTimer();
    timer = scheduler.schedule(this::timerFired, Duration.ofMillis(delay));
  }

  /** Lock held. */
  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  /** Lock held. */
  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("This ConnDb is closed; open a new one");
    }
  }

  /** Lock held. A new object whose first field is {@code prev}'s birth, or now. */
  private ObjectNode birthFirst(PeerData prev) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    JsonNode birth = prev == null ? null : prev.node().get("birth");
    if (birth != null && birth.isNumber()) {
      o.set("birth", birth.deepCopy());
    } else {
      o.put("birth", clock.millis());
    }
    return o;
  }

  /**
   * Lock held. A copy of {@code prev} with {@code birth} first, as upstream's {@code {birth:
   * prev.birth ?? now, ...prev}} that every change (and so every automatic field) goes through.
   */
  private ObjectNode mergedCopy(PeerData prev) {
    ObjectNode o = birthFirst(prev);
    putAllCopies(o, prev.node());
    return o;
  }

  /** Copies every field of {@code from} into {@code to}; a non-numeric birth is not copied. */
  private static void putAllCopies(ObjectNode to, ObjectNode from) {
    for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("birth") && !e.getValue().isNumber()) {
        continue;
      }
      to.set(e.getKey(), e.getValue().deepCopy());
    }
  }

  /** Lock held. The stored key for {@code address}: exact, else canonical, else null. */
  private String lookup(String address) {
    Objects.requireNonNull(address, "address");
    if (entries.containsKey(address)) {
      return address;
    }
    String canonical = tryCanonical(address);
    return canonical != null && entries.containsKey(canonical) ? canonical : null;
  }

  /** Lock held. The key a connection is tracked under: the stored key, else canonical. */
  private String trackingKey(String address) {
    String key = lookup(address);
    return key != null ? key : tryCanonical(address);
  }

  private static String tryCanonical(String address) {
    try {
      return ConnAddress.parse(address).toString();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String canonical(String address) {
    Objects.requireNonNull(address, "address");
    try {
      return ConnAddress.parse(address).toString();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Not a valid peer address: " + e.getMessage(), e);
    }
  }
}
