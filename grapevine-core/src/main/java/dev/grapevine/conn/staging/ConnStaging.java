package dev.grapevine.conn.staging;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.hub.Subscription;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Peers staged for connection, on the ssb-conn-staging model, keyed by address, with {@code
 * stagingBirth} (first staged) and {@code stagingUpdated} (last staged) in epoch milliseconds of
 * the injected clock.
 *
 * <ul>
 *   <li>{@link #stage}: a new address is stored as {@code {stagingBirth: now, stagingUpdated: now,
 *       ...data}}, emits {@link StagingEvent.Type#STAGED} and returns true; an address already
 *       staged becomes {@code {...previous, stagingUpdated: now, ...data}}, emits no event and
 *       returns false. {@code data} may override both timestamps (as numbers). A peer the hub has,
 *       by address or by key, is refused: nothing changes and it returns false (ssb-conn's {@code
 *       conn.stage} check, done here).
 *   <li>{@link #unstage}: removes the address and emits {@link StagingEvent.Type#UNSTAGED}; false
 *       if it was not staged.
 *   <li>{@link #liveEntries}: the current entries first, then a fresh snapshot after every change,
 *       updates included.
 * </ul>
 *
 * <p>Thread-safe: state is guarded by a lock that is never held while listeners run. Listeners run
 * on the thread that made the change; for events in a single order, make changes from one thread
 * (the connection manager's). After {@link #close()} every method throws {@link
 * IllegalStateException}.
 */
public final class ConnStaging implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnStaging.class);

  private final Clock clock;
  private final HubLookup hub;
  private final Object lock = new Object();

  /** Guarded by lock. */
  private final Map<ConnAddress, StagedEntry> entries = new LinkedHashMap<>();

  /** Guarded by lock. */
  private boolean closed;

  /** Written under lock, read anywhere. */
  private volatile List<StagedEntry> snapshot = List.of();

  private final List<Consumer<StagingEvent>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<List<StagedEntry>>> entryListeners = new CopyOnWriteArrayList<>();

  /**
   * Staging that refuses the peers {@code hub} has.
   *
   * @param clock the time of {@code stagingBirth} and {@code stagingUpdated}
   * @param hub asked on every {@link #stage}; {@link HubLookup#NONE} for none
   */
  public ConnStaging(Clock clock, HubLookup hub) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.hub = Objects.requireNonNull(hub, "hub");
  }

  /**
   * Stages {@code address} with {@code data} (see the class comment).
   *
   * @return true if the address was newly staged; false if it was already staged (and is updated)
   *     or the hub has the peer (and nothing changed)
   */
  public boolean stage(ConnAddress address, Map<String, ?> data) {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(data, "data");
    checkOpen();
    if (hub.hasAddress(address) || hub.hasKey(address.key())) {
      return false;
    }
    boolean added;
    List<StagedEntry> now;
    synchronized (lock) {
      checkOpenLocked();
      long t = clock.millis();
      StagedEntry prev = entries.get(address);
      Map<String, Object> merged = new LinkedHashMap<>(prev == null ? Map.of() : prev.data());
      data.forEach(
          (k, v) -> {
            if (v == null) {
              merged.remove(k);
            } else {
              merged.put(k, v);
            }
          });
      long birth = prev == null ? t : prev.stagingBirth();
      long updated = t;
      if (merged.remove("stagingBirth") instanceof Number n) {
        birth = n.longValue();
      }
      if (merged.remove("stagingUpdated") instanceof Number n) {
        updated = n.longValue();
      }
      entries.put(address, new StagedEntry(address, birth, updated, merged));
      added = prev == null;
      now = publishLocked();
    }
    if (added) {
      emit(new StagingEvent(StagingEvent.Type.STAGED, address));
    }
    deliver(now);
    return added;
  }

  /**
   * Removes {@code address}.
   *
   * @return true if it was staged
   */
  public boolean unstage(ConnAddress address) {
    Objects.requireNonNull(address, "address");
    List<StagedEntry> now;
    synchronized (lock) {
      checkOpenLocked();
      if (entries.remove(address) == null) {
        return false;
      }
      now = publishLocked();
    }
    emit(new StagingEvent(StagingEvent.Type.UNSTAGED, address));
    deliver(now);
    return true;
  }

  /**
   * Removes every staged address of the peer with {@code key} (what the glue does when the hub
   * connects to that peer under any address).
   *
   * @return the addresses removed
   */
  public List<ConnAddress> unstageKey(PublicKey key) {
    Objects.requireNonNull(key, "key");
    List<ConnAddress> removed = new ArrayList<>();
    for (StagedEntry e : entries()) {
      if (e.key().equals(key) && unstage(e.address())) {
        removed.add(e.address());
      }
    }
    return removed;
  }

  /** The entry of {@code address}, if staged. */
  public Optional<StagedEntry> get(ConnAddress address) {
    Objects.requireNonNull(address, "address");
    checkOpen();
    synchronized (lock) {
      return Optional.ofNullable(entries.get(address));
    }
  }

  /** The staged entries as of the last change, in staging order. */
  public List<StagedEntry> entries() {
    checkOpen();
    return snapshot;
  }

  /** Adds a listener for staged and unstaged events (not replayed). */
  public Subscription listen(Consumer<StagingEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    checkOpen();
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Calls {@code subscriber} with the current entries at once, then with a fresh snapshot after
   * every change. When several threads change staging at once, snapshots may arrive out of order.
   */
  public Subscription liveEntries(Consumer<List<StagedEntry>> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    checkOpen();
    entryListeners.add(subscriber);
    call(subscriber, snapshot);
    return () -> entryListeners.remove(subscriber);
  }

  /**
   * Clears the entries and ends event delivery; later calls throw. Live-entries subscribers get a
   * last, empty snapshot. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      entries.clear();
      snapshot = List.of();
    }
    listeners.clear();
    deliver(List.of());
    entryListeners.clear();
  }

  private List<StagedEntry> publishLocked() {
    List<StagedEntry> now = List.copyOf(entries.values());
    snapshot = now;
    return now;
  }

  private void emit(StagingEvent event) {
    for (Consumer<StagingEvent> l : listeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        log.warn("staging listener failed on {}", event, e);
      }
    }
  }

  private void deliver(List<StagedEntry> now) {
    for (Consumer<List<StagedEntry>> s : entryListeners) {
      call(s, now);
    }
  }

  private static void call(Consumer<List<StagedEntry>> s, List<StagedEntry> now) {
    try {
      s.accept(now);
    } catch (RuntimeException e) {
      log.warn("staging live-entries subscriber failed", e);
    }
  }

  private void checkOpen() {
    synchronized (lock) {
      checkOpenLocked();
    }
  }

  private void checkOpenLocked() {
    if (closed) {
      throw new IllegalStateException("This ConnStaging instance is closed, create a new one.");
    }
  }
}
