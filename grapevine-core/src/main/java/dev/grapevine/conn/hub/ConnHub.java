package dev.grapevine.conn.hub;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Dialer;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live connections of a node, on the ssb-conn-hub model: at most one entry per address and at
 * most one per remote key, each {@link ConnState#CONNECTING connecting}, {@link ConnState#CONNECTED
 * connected} or {@link ConnState#DISCONNECTING disconnecting}; a peer that is not connected has no
 * entry.
 *
 * <p><b>Links.</b> The hub dials with {@link Dialer} and forwards the life of every link it dials
 * ({@code onOpen}, {@code onFrame}, {@code onClose}) to the {@code surface} handler given at
 * construction. Links accepted by the server are registered with {@link #inbound}, and the server
 * side must report their close with {@link #linkClosed}.
 *
 * <p><b>Duplicates</b> (ssb-conn §2.3, with its recommended fixes). {@code connect} of an address,
 * or of any address with the same key, that is
 *
 * <ul>
 *   <li>connected: returns the existing link;
 *   <li>connecting: settles with the first attempt's outcome (link, failure or cancellation);
 *   <li>disconnecting: dials again once the disconnect finished, and settles with that attempt.
 * </ul>
 *
 * <p><b>One link per key.</b> When both sides dial at once, each hub ends up with an outbound and
 * an inbound link to the same key. Both hubs keep the link dialled by the node with the smaller key
 * ({@link PublicKey#compareTo}) and close the other with {@link CloseReason#NORMAL} and the detail
 * {@value #DUPLICATE}, so both ends keep the same link. A second inbound link from a key that is
 * already connected inbound is refused (the existing link is kept); so is an inbound link while
 * that key is disconnecting, and one that claims our own key.
 *
 * <p><b>Events.</b> Every entry begins with {@code CONNECTING} (dialled) or {@code CONNECTED}
 * (accepted) and ends with exactly one terminal event: {@code CONNECTING_FAILED} when the dial
 * failed, otherwise {@code DISCONNECTED}, whether the link closed by itself, by {@link #disconnect}
 * (which also cancels an in-flight dial), by the tie-break or by {@link #close}. Unlike upstream,
 * {@code disconnected} is never emitted twice.
 *
 * <p><b>Threads.</b> All state is owned by one hub thread (a single-thread executor named {@code
 * grapevine-conn-N}, or an injected serial executor). Public methods may be called from any thread:
 * they queue their work on the hub thread (Netty's {@code execute}) and answer with a future, which
 * completes on the hub thread. {@link #entries()} reads a snapshot published after every change.
 * Listeners run on the hub thread with no lock held. The queue is bounded ({@value #QUEUE_CAPACITY}
 * tasks); a call that does not fit fails its future with {@link RejectedExecutionException}.
 *
 * <p>Closing the hub closes every link with {@link CloseReason#SHUTDOWN}, cancels every dial, emits
 * {@code DISCONNECTED} for every entry and stops the hub thread. Afterwards calls fail with {@link
 * IllegalStateException}.
 */
public final class ConnHub implements AutoCloseable {
  /** The close detail of a link dropped by the one-link-per-key rule. */
  public static final String DUPLICATE =
      "duplicate connection: keeping the link dialled by the smaller key";

  private static final int QUEUE_CAPACITY = 10_000;
  private static final Logger log = LoggerFactory.getLogger(ConnHub.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final PublicKey self;
  private final ConnDialer dialer;
  private final LinkHandler surface;
  private final Clock clock;
  private final Executor executor;

  /** Our own executor, shut down by close; null when the executor was injected. */
  private final ThreadPoolExecutor ownExecutor;

  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<HubListener> listeners = new CopyOnWriteArrayList<>();

  /** Hub thread. */
  private final Map<ConnAddress, Conn> byAddress = new LinkedHashMap<>();

  /** Hub thread. */
  private final Map<PublicKey, Conn> byKey = new HashMap<>();

  /** Hub thread: the entry of each registered link. */
  private final Map<PeerLink, Conn> byLink = new IdentityHashMap<>();

  /** Hub thread: live-entries subscribers. */
  private final List<Consumer<List<HubEntry>>> entryListeners = new ArrayList<>();

  /** Written on the hub thread, read anywhere. */
  private volatile List<HubEntry> snapshot = List.of();

  /** The thread of {@link #ownExecutor}, once started. */
  private volatile Thread ownThread;

  /** Hub thread: set by close. */
  private boolean shutDown;

  /**
   * A hub with its own thread {@code grapevine-conn-N}.
   *
   * @param self this node's key, for the tie-break and to refuse links to ourselves
   * @param dialer opens outbound links
   * @param surface receives the life of every link the hub dials
   * @param clock the time of {@code hubBirth}/{@code hubUpdated}
   */
  public ConnHub(PublicKey self, Dialer dialer, LinkHandler surface, Clock clock) {
    this(self, ConnDialer.of(dialer), surface, clock, null);
  }

  /**
   * A hub that runs its work on {@code executor}, which must run tasks one at a time in order (a
   * test may pass a queue it drains itself). The executor is not shut down by {@link #close()}.
   */
  public ConnHub(
      PublicKey self, Dialer dialer, LinkHandler surface, Clock clock, Executor executor) {
    this(self, ConnDialer.of(dialer), surface, clock, executor);
  }

  /**
   * A hub that opens links with {@code dialer}, which sees the whole address (for example the
   * mesh's authenticated dial), and runs its work on {@code executor}, or on its own thread when
   * {@code executor} is null.
   */
  public ConnHub(
      PublicKey self, ConnDialer dialer, LinkHandler surface, Clock clock, Executor executor) {
    this.self = Objects.requireNonNull(self, "self");
    this.dialer = Objects.requireNonNull(dialer, "dialer");
    this.surface = Objects.requireNonNull(surface, "surface");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (executor == null) {
      String name = "grapevine-conn-" + INSTANCES.incrementAndGet();
      ownExecutor =
          new ThreadPoolExecutor(
              1,
              1,
              0,
              TimeUnit.SECONDS,
              new ArrayBlockingQueue<>(QUEUE_CAPACITY),
              r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                ownThread = t;
                return t;
              });
      this.executor = ownExecutor;
    } else {
      ownExecutor = null;
      this.executor = executor;
    }
  }

  // ---------------------------------------------------------------- public API

  /** Same as {@code connect(address, Map.of())}. */
  public CompletableFuture<PeerLink> connect(ConnAddress address) {
    return connect(address, Map.of());
  }

  /**
   * Connects to {@code address} unless the hub already has an entry for it or for its key (see the
   * class comment for duplicates).
   *
   * @param data extra data stored in the entry (ssb-conn's connect metadata)
   * @return the open link; fails with the dial's error, with {@link CancellationException} if
   *     {@link #disconnect} cancelled the dial, with {@link IllegalArgumentException} for our own
   *     key and with {@link IllegalStateException} once the hub is closed
   */
  public CompletableFuture<PeerLink> connect(ConnAddress address, Map<String, ?> data) {
    Objects.requireNonNull(address, "address");
    Map<String, Object> copy = copyData(data);
    CompletableFuture<PeerLink> result = new CompletableFuture<>();
    submit(result, () -> doConnect(address, copy, result));
    return result;
  }

  /**
   * Disconnects the entry of {@code address} (or, if there is none, the entry with its key): closes
   * its link with {@link CloseReason#NORMAL}, or cancels its dial.
   *
   * @return true when the entry is gone, false if there was none; fails if closing the link threw
   */
  public CompletableFuture<Boolean> disconnect(ConnAddress address) {
    Objects.requireNonNull(address, "address");
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    submit(result, () -> doDisconnect(address, result));
    return result;
  }

  /**
   * Merges {@code data} into the entry's data: a key mapped to null is removed (ssb-conn deletes
   * {@code undefined} values). No event; live-entries subscribers get a new snapshot.
   *
   * @return true if the entry exists
   */
  public CompletableFuture<Boolean> update(ConnAddress address, Map<String, ?> data) {
    Objects.requireNonNull(address, "address");
    Map<String, Object> copy = new HashMap<>(data);
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    submit(
        result,
        () -> {
          Conn c = byAddress.get(address);
          if (c == null) {
            result.complete(false);
            return;
          }
          copy.forEach(
              (k, v) -> {
                if (v == null) {
                  c.data.remove(k);
                } else {
                  c.data.put(k, v);
                }
              });
          c.updated = clock.millis();
          publish();
          deliverSnapshot();
          result.complete(true);
        });
    return result;
  }

  /**
   * Registers a link the server accepted from the peer with {@code key}. The server side must
   * report the link's close with {@link #linkClosed}.
   *
   * @return true if the link is now the peer's connection; false if it was refused and closed with
   *     {@link CloseReason#NORMAL} (a duplicate, our own key, or a closed hub)
   */
  public CompletableFuture<Boolean> inbound(PeerLink link, PublicKey key) {
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(key, "key");
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Runnable task =
        () -> {
          try {
            doInbound(link, key, result);
          } catch (RuntimeException e) {
            log.error("cannot register inbound link {}", link.id(), e);
            refuse(link, "internal error", result);
          }
        };
    if (!execute(task)) {
      link.close(CloseReason.NORMAL, "the connection hub is closed or busy");
      result.complete(false);
    }
    return result;
  }

  /**
   * Reports that an inbound link registered with {@link #inbound} closed. Links the hub dialled are
   * tracked by the hub itself. Unknown links are ignored.
   */
  public void linkClosed(PeerLink link, CloseReason reason, String detail) {
    Objects.requireNonNull(link, "link");
    if (!execute(() -> onLinkClosed(link, reason, detail))) {
      log.debug("close of {} reported after the hub closed", link.id());
    }
  }

  /**
   * Disconnects every connected entry (ssb-conn's {@code reset}, used after a network change or a
   * wake-up); connecting entries are left alone.
   *
   * @return completes when those entries are gone
   */
  public CompletableFuture<Void> reset() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    submit(
        result,
        () -> {
          List<CompletableFuture<Boolean>> all = new ArrayList<>();
          for (Conn c : List.copyOf(byAddress.values())) {
            if (c.state != ConnState.CONNECTING) {
              CompletableFuture<Boolean> f = new CompletableFuture<>();
              all.add(f);
              doDisconnect(c.address, f);
            }
          }
          CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
              .whenComplete((v, e) -> result.complete(null));
        });
    return result;
  }

  /**
   * The entries as of the last change, in insertion order.
   *
   * @throws IllegalStateException once the hub is closed
   */
  public List<HubEntry> entries() {
    checkOpen();
    return snapshot;
  }

  /** The entry of {@code address} in {@link #entries()}. */
  public Optional<HubEntry> entry(ConnAddress address) {
    return entries().stream().filter(e -> e.address().equals(address)).findFirst();
  }

  /** The entry of the peer with {@code key} in {@link #entries()}. */
  public Optional<HubEntry> entryByKey(PublicKey key) {
    return entries().stream().filter(e -> e.key().equals(key)).findFirst();
  }

  /** The state of {@code address} in {@link #entries()}, empty if it has no entry. */
  public Optional<ConnState> state(ConnAddress address) {
    return entry(address).map(HubEntry::state);
  }

  /** Adds an event listener (see {@link HubListener}). Events are not replayed. */
  public Subscription listen(HubListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Calls {@code subscriber} on the hub thread with the current entries, then with a fresh snapshot
   * after every change (ssb-conn's {@code liveEntries}).
   */
  public Subscription liveEntries(Consumer<List<HubEntry>> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    AtomicBoolean cancelled = new AtomicBoolean();
    Consumer<List<HubEntry>> guarded =
        list -> {
          if (!cancelled.get()) {
            subscriber.accept(list);
          }
        };
    CompletableFuture<Void> added = new CompletableFuture<>();
    submit(
        added,
        () -> {
          entryListeners.add(guarded);
          deliver(guarded, snapshot);
          added.complete(null);
        });
    return () -> {
      cancelled.set(true);
      execute(() -> entryListeners.remove(guarded));
    };
  }

  /** True once {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Closes every link with {@link CloseReason#SHUTDOWN}, cancels dials, emits {@code DISCONNECTED}
   * for every entry, and stops the hub's own thread, waiting for it (unless called on it).
   * Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(this::shutDownState);
    } catch (RejectedExecutionException e) {
      log.warn("hub queue full while closing; links are closed by the transport");
    }
    if (ownExecutor != null) {
      ownExecutor.shutdown();
      if (Thread.currentThread() != ownThread) {
        try {
          if (!ownExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
            log.warn("hub thread did not stop within 10 s");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  // ---------------------------------------------------------------- hub thread

  private void doConnect(
      ConnAddress address, Map<String, Object> data, CompletableFuture<PeerLink> result) {
    if (address.key().equals(self)) {
      result.completeExceptionally(
          new IllegalArgumentException("Expected a peer's address but " + address + " is ours"));
      return;
    }
    Conn c = byAddress.get(address);
    if (c == null) {
      c = byKey.get(address.key());
    }
    if (c != null) {
      switch (c.state) {
        case CONNECTED:
          result.complete(c.link);
          return;
        case CONNECTING:
          c.waiters.add(result);
          return;
        case DISCONNECTING:
          c.retries.add(new Retry(address, data, result));
          return;
      }
    }
    Conn conn = new Conn(address, Direction.OUTBOUND, ConnState.CONNECTING, data, clock.millis());
    conn.waiters.add(result);
    add(conn);
    Attempt attempt = new Attempt(conn);
    conn.attempt = attempt;
    emit(conn, HubEvent.Type.CONNECTING, null, "", null);
    CompletableFuture<PeerLink> dial;
    try {
      dial = dialer.dial(address, attempt);
    } catch (RuntimeException e) {
      dial = CompletableFuture.failedFuture(e);
    }
    attempt.dial = dial;
    dial.whenComplete(
        (link, error) -> {
          if (!execute(() -> dialed(attempt, link, error)) && link != null) {
            link.close(CloseReason.SHUTDOWN, "the connection hub is closed");
          }
        });
  }

  private void dialed(Attempt attempt, PeerLink link, Throwable error) {
    Conn c = attempt.conn;
    if (shutDown || attempt.abandoned || c.attempt != attempt) {
      if (link != null) {
        link.close(CloseReason.NORMAL, shutDown ? "the connection hub is closed" : attempt.why);
      }
      return;
    }
    c.attempt = null;
    if (error == null && attempt.closedEarly != null) {
      error =
          new IllegalStateException(
              "the link closed before it was registered: " + attempt.closedEarly);
    }
    if (error != null) {
      Throwable cause = unwrap(error);
      remove(c);
      emit(c, HubEvent.Type.CONNECTING_FAILED, null, String.valueOf(cause.getMessage()), cause);
      c.waiters.forEach(w -> w.completeExceptionally(cause));
      c.waiters.clear();
      return;
    }
    c.state = ConnState.CONNECTED;
    c.link = link;
    c.updated = clock.millis();
    byLink.put(link, c);
    emit(c, HubEvent.Type.CONNECTED, null, "", null);
    c.waiters.forEach(w -> w.complete(link));
    c.waiters.clear();
  }

  private void doInbound(PeerLink link, PublicKey key, CompletableFuture<Boolean> result) {
    if (shutDown) {
      refuse(link, "the connection hub is closed", result);
      return;
    }
    if (key.equals(self)) {
      refuse(link, "a link from our own key", result);
      return;
    }
    if (!link.isOpen()) {
      result.complete(false);
      return;
    }
    boolean keepOutbound = self.compareTo(key) < 0;
    Conn c = byKey.get(key);
    if (c == null) {
      ConnAddress address = ConnAddress.of(link.remote(), key);
      Conn conn =
          new Conn(address, Direction.INBOUND, ConnState.CONNECTED, Map.of(), clock.millis());
      conn.link = link;
      add(conn);
      byLink.put(link, conn);
      emit(conn, HubEvent.Type.CONNECTED, null, "", null);
      result.complete(true);
      return;
    }
    if (c.state == ConnState.DISCONNECTING) {
      refuse(link, "disconnecting from this peer", result);
    } else if (c.direction == Direction.INBOUND) {
      refuse(link, "already connected to this peer", result);
    } else if (keepOutbound) {
      refuse(link, DUPLICATE, result);
    } else if (c.state == ConnState.CONNECTING) {
      // The peer's link wins over our dial in flight: adopt it in the same entry.
      Attempt attempt = c.attempt;
      c.attempt = null;
      attempt.abandon(DUPLICATE);
      c.state = ConnState.CONNECTED;
      c.direction = Direction.INBOUND;
      c.link = link;
      c.updated = clock.millis();
      byLink.put(link, c);
      emit(c, HubEvent.Type.CONNECTED, null, "", null);
      c.waiters.forEach(w -> w.complete(link));
      c.waiters.clear();
      result.complete(true);
    } else {
      // Connected outbound, and the peer's link wins: replace ours, keeping the address.
      PeerLink old = c.link;
      byLink.remove(old);
      remove(c);
      emit(c, HubEvent.Type.DISCONNECTED, CloseReason.NORMAL, DUPLICATE, null);
      old.close(CloseReason.NORMAL, DUPLICATE);
      Conn conn =
          new Conn(c.address, Direction.INBOUND, ConnState.CONNECTED, c.data, clock.millis());
      conn.link = link;
      add(conn);
      byLink.put(link, conn);
      emit(conn, HubEvent.Type.CONNECTED, null, "", null);
      result.complete(true);
    }
  }

  private void refuse(PeerLink link, String why, CompletableFuture<Boolean> result) {
    log.debug("refusing inbound link {}: {}", link.id(), why);
    link.close(CloseReason.NORMAL, why);
    result.complete(false);
  }

  private void doDisconnect(ConnAddress address, CompletableFuture<Boolean> result) {
    Conn c = byAddress.get(address);
    if (c == null) {
      c = byKey.get(address.key());
    }
    if (c == null) {
      result.complete(false);
      return;
    }
    switch (c.state) {
      case DISCONNECTING:
        c.disconnectWaiters.add(result);
        return;
      case CONNECTING:
        {
          c.state = ConnState.DISCONNECTING;
          c.updated = clock.millis();
          emit(c, HubEvent.Type.DISCONNECTING, null, "", null);
          Attempt attempt = c.attempt;
          c.attempt = null;
          attempt.abandon("connect cancelled by disconnect");
          remove(c);
          emit(c, HubEvent.Type.DISCONNECTED, null, "connect cancelled by disconnect", null);
          CancellationException cancelled =
              new CancellationException("disconnect cancelled the connect to " + c.address);
          c.waiters.forEach(w -> w.completeExceptionally(cancelled));
          c.waiters.clear();
          result.complete(true);
          startRetries(c);
          return;
        }
      case CONNECTED:
        c.state = ConnState.DISCONNECTING;
        c.updated = clock.millis();
        c.disconnectWaiters.add(result);
        emit(c, HubEvent.Type.DISCONNECTING, null, "", null);
        try {
          c.link.close(CloseReason.NORMAL, "disconnect requested");
        } catch (RuntimeException e) {
          c.state = ConnState.CONNECTED;
          c.updated = clock.millis();
          emit(c, HubEvent.Type.DISCONNECTING_FAILED, null, String.valueOf(e.getMessage()), e);
          c.disconnectWaiters.forEach(w -> w.completeExceptionally(e));
          c.disconnectWaiters.clear();
        }
        return;
    }
  }

  private void onLinkClosed(PeerLink link, CloseReason reason, String detail) {
    Conn c = byLink.remove(link);
    if (c == null || c.link != link) {
      return;
    }
    remove(c);
    emit(c, HubEvent.Type.DISCONNECTED, reason, detail == null ? "" : detail, null);
    c.disconnectWaiters.forEach(w -> w.complete(true));
    c.disconnectWaiters.clear();
    startRetries(c);
  }

  private void attemptLinkClosed(
      Attempt attempt, PeerLink link, CloseReason reason, String detail) {
    if (byLink.containsKey(link)) {
      onLinkClosed(link, reason, detail);
    } else if (attempt.conn.attempt == attempt) {
      // Closed before its dial completion reached us; dialed() turns it into a failure.
      attempt.closedEarly =
          reason + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
  }

  private void startRetries(Conn c) {
    List<Retry> retries = List.copyOf(c.retries);
    c.retries.clear();
    for (Retry r : retries) {
      doConnect(r.address, r.data, r.result);
    }
  }

  private void shutDownState() {
    shutDown = true;
    for (Conn c : List.copyOf(byAddress.values())) {
      remove(c);
      if (c.attempt != null) {
        c.attempt.abandon("the connection hub is closed");
      }
      if (c.link != null) {
        byLink.remove(c.link);
        c.link.close(CloseReason.SHUTDOWN, "the connection hub is closed");
      }
      emit(
          c,
          HubEvent.Type.DISCONNECTED,
          c.link == null ? null : CloseReason.SHUTDOWN,
          "the connection hub is closed",
          null);
      IllegalStateException e = new IllegalStateException("This ConnHub is closed");
      c.waiters.forEach(w -> w.completeExceptionally(e));
      c.disconnectWaiters.forEach(w -> w.complete(true));
      c.retries.forEach(r -> r.result.completeExceptionally(e));
    }
    entryListeners.clear();
  }

  private void add(Conn c) {
    byAddress.put(c.address, c);
    byKey.put(c.address.key(), c);
    publish();
  }

  private void remove(Conn c) {
    byAddress.remove(c.address, c);
    byKey.remove(c.address.key(), c);
    publish();
  }

  private void publish() {
    List<HubEntry> list = new ArrayList<>(byAddress.size());
    for (Conn c : byAddress.values()) {
      list.add(c.toEntry());
    }
    snapshot = List.copyOf(list);
  }

  private void emit(
      Conn c, HubEvent.Type type, CloseReason reason, String detail, Throwable error) {
    publish();
    HubEvent event =
        new HubEvent(
            type,
            c.address,
            c.address.key(),
            c.direction,
            c.address.inferredType(),
            Optional.ofNullable(c.link),
            Optional.ofNullable(reason),
            detail,
            Optional.ofNullable(error));
    for (HubListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        log.warn("hub listener failed on {}", type, e);
      }
    }
    deliverSnapshot();
  }

  private void deliverSnapshot() {
    List<HubEntry> current = snapshot;
    for (Consumer<List<HubEntry>> s : List.copyOf(entryListeners)) {
      deliver(s, current);
    }
  }

  private static void deliver(Consumer<List<HubEntry>> s, List<HubEntry> list) {
    try {
      s.accept(list);
    } catch (RuntimeException e) {
      log.warn("live-entries subscriber failed", e);
    }
  }

  // ---------------------------------------------------------------- plumbing

  private void submit(CompletableFuture<?> result, Runnable task) {
    if (closed.get()) {
      result.completeExceptionally(new IllegalStateException("This ConnHub is closed"));
      return;
    }
    Runnable guarded =
        () -> {
          if (shutDown) {
            result.completeExceptionally(new IllegalStateException("This ConnHub is closed"));
            return;
          }
          try {
            task.run();
          } catch (RuntimeException e) {
            log.error("hub task failed", e);
            result.completeExceptionally(e);
          }
        };
    try {
      executor.execute(guarded);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(
          closed.get() ? new IllegalStateException("This ConnHub is closed") : e);
    }
  }

  /** Runs {@code task} on the hub thread; false if it was rejected (closed or full). */
  private boolean execute(Runnable task) {
    try {
      executor.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.error("hub task failed", e);
            }
          });
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("This ConnHub instance is closed, create a new one.");
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static Map<String, Object> copyData(Map<String, ?> data) {
    Objects.requireNonNull(data, "data");
    Map<String, Object> copy = new LinkedHashMap<>();
    data.forEach(
        (k, v) -> {
          if (v != null) {
            copy.put(k, v);
          }
        });
    return copy;
  }

  /** A connect waiting for a disconnect to finish. */
  private record Retry(
      ConnAddress address, Map<String, Object> data, CompletableFuture<PeerLink> result) {}

  /** One entry's mutable state; hub thread only. */
  private final class Conn {
    final ConnAddress address;
    final long birth;
    final Map<String, Object> data;
    Direction direction;
    ConnState state;
    long updated;
    PeerLink link;
    Attempt attempt;
    final List<CompletableFuture<PeerLink>> waiters = new ArrayList<>();
    final List<CompletableFuture<Boolean>> disconnectWaiters = new ArrayList<>();
    final List<Retry> retries = new ArrayList<>();

    Conn(
        ConnAddress address,
        Direction direction,
        ConnState state,
        Map<String, Object> data,
        long now) {
      this.address = address;
      this.direction = direction;
      this.state = state;
      this.data = new LinkedHashMap<>(data);
      this.birth = now;
      this.updated = now;
    }

    HubEntry toEntry() {
      return new HubEntry(
          address,
          address.key(),
          state,
          direction,
          address.inferredType(),
          birth,
          updated,
          data,
          Optional.ofNullable(link));
    }
  }

  /**
   * One dial. Also the link's handler: forwards to the surface unless the attempt was abandoned
   * before the link opened.
   */
  private final class Attempt implements LinkHandler {
    final Conn conn;

    /** Set on the hub thread; read by the link's I/O thread. */
    volatile boolean abandoned;

    /** Hub thread: why it was abandoned. */
    volatile String why = "";

    /** Hub thread. */
    CompletableFuture<PeerLink> dial;

    /** Hub thread: the link closed before the dial's completion was handled. */
    String closedEarly;

    /** The link's I/O thread: the surface saw onOpen. */
    private boolean forwarding;

    Attempt(Conn conn) {
      this.conn = conn;
    }

    void abandon(String reason) {
      why = reason;
      abandoned = true;
      if (dial != null) {
        dial.cancel(false);
      }
    }

    @Override
    public void onOpen(PeerLink link) {
      if (abandoned) {
        link.close(CloseReason.NORMAL, why);
        return;
      }
      forwarding = true;
      surface.onOpen(link);
    }

    @Override
    public void onFrame(PeerLink link, String text) {
      if (forwarding) {
        surface.onFrame(link, text);
      }
    }

    @Override
    public void onClose(PeerLink link, CloseReason reason, String detail) {
      try {
        if (forwarding) {
          surface.onClose(link, reason, detail);
        }
      } finally {
        execute(() -> attemptLinkClosed(this, link, reason, detail));
      }
    }
  }
}
