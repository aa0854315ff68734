package dev.grapevine.sync;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.store.HashPage;
import dev.grapevine.store.MessageStore;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Dialer;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of the ANProto protocol: keeps connections to pubs ({@code ws://} or {@code
 * wss://} URLs) open, as Wiredove does, and runs the same frame handling as inbound links ({@link
 * AnprotoSync}) on them.
 *
 * <ul>
 *   <li>{@link #connect} opens one connection per URL; calling it again returns the same handle.
 *   <li>When a link opens, the client sends each followed pubkey (default: every author in the
 *       store, up to {@link SyncConfig#maxAnnouncedPubkeys()}) and, if that author's latest signed
 *       message is younger than {@link SyncConfig#latestAnnounceWindow()}, that message. The pub
 *       answers with its latest message for keys it knows and asks back for keys it lacks. With
 *       {@link SyncConfig#fullHistory()} it also sends every msgHash of the log, {@link
 *       SyncConfig#fullHistoryPageSize()} per second, so the pub asks for what it lacks.
 *   <li>A failed dial or a closed link is retried after {@link SyncConfig#reconnectInitial()},
 *       doubling after each failure up to {@link SyncConfig#reconnectMax()}, each delay multiplied
 *       by a random factor in {@code [1 - j, 1 + j]} ({@link SyncConfig#reconnectJitter()}) and
 *       never above the maximum. A successful open resets the delay.
 *   <li>{@link #ready()} completes when at least one pub is open; when all close, it is replaced by
 *       a new incomplete future.
 * </ul>
 *
 * <p><b>Threads.</b> Thread-safe. The connection table is guarded by this object's monitor, which
 * is never held while dialling, sending, closing a link or completing {@link #ready()}. Dials start
 * on the caller's thread ({@link #connect}) or the scheduler's (retries); announcements read the
 * store on the sync worker pool. Time and jitter come from the sync's {@link Scheduler} and the
 * injected {@link Random}, so tests drive them with a manual scheduler and a seed.
 *
 * <p><b>Lifecycle.</b> {@link #close()} disconnects every pub (closing links with {@link
 * CloseReason#SHUTDOWN}) and cancels retries; it does not close the {@link AnprotoSync}.
 */
public final class PubClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PubClient.class);

  /** Pause between pages of a full-history announcement. */
  static final Duration HISTORY_PAGE_INTERVAL = Duration.ofSeconds(1);

  private final AnprotoSync sync;
  private final Dialer dialer;
  private final Scheduler scheduler;
  private final SyncConfig config;
  private final MessageStore store;
  private final Random random;
  private final List<PublicKey> follows;

  /** Guarded by {@code this}. */
  private final Map<URI, Connection> connections = new LinkedHashMap<>();

  /** Guarded by {@code this}. */
  private CompletableFuture<Void> ready = new CompletableFuture<>();

  /** Guarded by {@code this}. */
  private int openCount;

  /** Guarded by {@code this}. */
  private boolean closed;

  private PubClient(Builder b) {
    this.sync = b.sync;
    this.dialer = b.dialer;
    this.scheduler = sync.scheduler();
    this.config = sync.config();
    this.store = sync.store();
    this.random = b.random;
    this.follows = b.follows == null ? null : List.copyOf(b.follows);
  }

  /** A builder for a client that dials with {@code dialer} and handles frames with {@code sync}. */
  public static Builder builder(AnprotoSync sync, Dialer dialer) {
    return new Builder(sync, dialer);
  }

  /**
   * Keeps a connection to {@code uri} open from now on, reconnecting with backoff, until {@link
   * #disconnect}. Returns at once; the first dial starts on this thread.
   *
   * @return the connection's handle; the same one for a URL that is already connected
   * @throws IllegalStateException if the client is closed
   */
  public Connection connect(URI uri) {
    URI key = uri.normalize();
    Connection conn;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("pub client is closed");
      }
      conn = connections.get(key);
      if (conn != null) {
        return conn;
      }
      conn = new Connection(key);
      connections.put(key, conn);
    }
    dial(conn);
    return conn;
  }

  /**
   * Stops keeping {@code uri} connected: cancels a pending retry and closes the link normally.
   *
   * @return false if the URL was not connected
   */
  public boolean disconnect(URI uri) {
    Connection conn;
    synchronized (this) {
      conn = connections.remove(uri.normalize());
    }
    if (conn == null) {
      return false;
    }
    shut(conn, CloseReason.NORMAL, "disconnected");
    return true;
  }

  /**
   * A future that completes when at least one pub is open. While one is open it is complete; when
   * all have closed, this returns a new incomplete one. The returned future is a copy: completing
   * or cancelling it does not affect the client.
   */
  public synchronized CompletableFuture<Void> ready() {
    return ready.copy();
  }

  /** Sends {@code frame} to every open pub; returns how many accepted it. */
  public int broadcast(String frame) {
    int n = 0;
    for (Connection c : connections()) {
      PeerLink link = c.link().orElse(null);
      if (link != null && sync.send(link, frame)) {
        n++;
      }
    }
    return n;
  }

  /** The connections kept now, in the order they were made. */
  public synchronized List<Connection> connections() {
    return new ArrayList<>(connections.values());
  }

  /** Disconnects every pub and cancels every retry. Idempotent. */
  @Override
  public void close() {
    List<Connection> all;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      all = new ArrayList<>(connections.values());
      connections.clear();
    }
    for (Connection c : all) {
      shut(c, CloseReason.SHUTDOWN, "client closed");
    }
  }

  /**
   * The delay before reconnect attempt {@code failures + 1}: {@code initial * 2^failures} capped at
   * the maximum, times a jitter factor in {@code [1 - j, 1 + j]}, never above the maximum.
   */
  static Duration backoff(int failures, SyncConfig config, Random random) {
    long initial = config.reconnectInitial().toMillis();
    long max = config.reconnectMax().toMillis();
    long base = initial;
    for (int i = 0; i < failures && base < max; i++) {
      base *= 2;
    }
    base = Math.min(base, max);
    double j = config.reconnectJitter();
    double factor = j == 0 ? 1 : 1 - j + 2 * j * random.nextDouble();
    return Duration.ofMillis(Math.min(max, Math.round(base * factor)));
  }

  // ---- connection life ----

  private void dial(Connection conn) {
    long generation;
    synchronized (this) {
      if (closed || conn.disconnected) {
        return;
      }
      generation = ++conn.generation;
      conn.retry = null;
    }
    CompletableFuture<PeerLink> f;
    try {
      f = dialer.dial(conn.uri, new Handler(conn, generation));
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (link, err) -> {
          if (err != null) {
            dialFailed(conn, generation, err);
          }
        });
  }

  private void dialFailed(Connection conn, long generation, Throwable err) {
    Duration delay;
    synchronized (this) {
      if (closed || conn.disconnected || conn.generation != generation || conn.link != null) {
        return;
      }
      delay = scheduleReconnect(conn);
    }
    log.debug("Dialling {} failed; retrying in {}: {}", conn.uri, delay, err.toString());
  }

  private void opened(Connection conn, long generation, PeerLink link) {
    CompletableFuture<Void> toComplete = null;
    synchronized (this) {
      if (!closed && !conn.disconnected && conn.generation == generation && conn.link == null) {
        conn.link = link;
        conn.failures = 0;
        openCount++;
        toComplete = ready;
      }
    }
    if (toComplete == null) {
      link.close(CloseReason.NORMAL, "not wanted any more");
      return;
    }
    log.info("Connected to pub {} ({})", conn.uri, link.id());
    toComplete.complete(null);
    if (!sync.execute(() -> announce(link))) {
      log.debug("Could not schedule the announcement to {}", conn.uri);
    }
  }

  private void closedLink(Connection conn, PeerLink link, CloseReason reason, String detail) {
    Duration delay = null;
    synchronized (this) {
      if (conn.link != link) {
        return;
      }
      conn.link = null;
      openCount--;
      if (openCount == 0 && ready.isDone()) {
        ready = new CompletableFuture<>();
      }
      if (!closed && !conn.disconnected) {
        delay = scheduleReconnect(conn);
      }
    }
    log.info(
        "Pub {} closed ({} {}){}",
        conn.uri,
        reason,
        detail,
        delay == null ? "" : "; reconnecting in " + delay);
  }

  /** Schedules the next dial. Caller holds the monitor. */
  private Duration scheduleReconnect(Connection conn) {
    Duration delay = backoff(conn.failures, config, random);
    conn.failures++;
    conn.nextDelay = delay;
    try {
      conn.retry = scheduler.schedule(() -> dial(conn), delay);
    } catch (RuntimeException e) {
      log.warn("Could not schedule a reconnect to {}", conn.uri, e);
    }
    return delay;
  }

  private void shut(Connection conn, CloseReason reason, String detail) {
    Scheduler.Cancellable retry;
    PeerLink link;
    synchronized (this) {
      conn.disconnected = true;
      retry = conn.retry;
      conn.retry = null;
      link = conn.link;
    }
    if (retry != null) {
      retry.cancel();
    }
    if (link != null) {
      link.close(reason, detail);
    }
  }

  // ---- announcements ----

  /** Runs on a sync worker: sends pubkeys and recent latest messages, then the history. */
  private void announce(PeerLink link) {
    long now = scheduler.clock().millis();
    long window = config.latestAnnounceWindow().toMillis();
    Collection<PublicKey> keys = follows != null ? follows : store.getPubkeys();
    int n = 0;
    for (PublicKey key : keys) {
      if (n++ >= config.maxAnnouncedPubkeys() || !link.isOpen()) {
        break;
      }
      sync.send(link, key.value());
      store
          .getLatest(key)
          .filter(e -> now - e.timestampMillis() < window)
          .ifPresent(e -> sync.send(link, e.sig()));
    }
    if (config.fullHistory()) {
      sendHistory(link, 0);
    }
  }

  private void sendHistory(PeerLink link, long afterSeq) {
    if (!link.isOpen() || sync.isClosed()) {
      return;
    }
    HashPage page = store.hashLog(afterSeq, config.fullHistoryPageSize());
    for (Hash h : page.hashes()) {
      sync.send(link, h.value());
    }
    if (page.hashes().size() >= config.fullHistoryPageSize()) {
      try {
        scheduler.schedule(
            () -> sync.execute(() -> sendHistory(link, page.next())), HISTORY_PAGE_INTERVAL);
      } catch (RuntimeException e) {
        log.debug("Could not schedule the next history page", e);
      }
    }
  }

  /** The handler of one dial attempt: the shared frame handling plus this client's bookkeeping. */
  private final class Handler implements LinkHandler {
    private final Connection conn;
    private final long generation;

    Handler(Connection conn, long generation) {
      this.conn = conn;
      this.generation = generation;
    }

    @Override
    public void onOpen(PeerLink link) {
      sync.onOpen(link);
      opened(conn, generation, link);
    }

    @Override
    public void onFrame(PeerLink link, String text) {
      sync.onFrame(link, text);
    }

    @Override
    public void onClose(PeerLink link, CloseReason reason, String detail) {
      sync.onClose(link, reason, detail);
      closedLink(conn, link, reason, detail);
    }
  }

  /**
   * One pub URL this client keeps connected. Its fields are guarded by the client's monitor; the
   * accessors take it.
   */
  public final class Connection {
    private final URI uri;
    private PeerLink link;
    private Scheduler.Cancellable retry;
    private Duration nextDelay;
    private int failures;
    private long generation;
    private boolean disconnected;

    private Connection(URI uri) {
      this.uri = uri;
    }

    /** The pub's URL (normalized). */
    public URI uri() {
      return uri;
    }

    /** The open link, if connected now. */
    public Optional<PeerLink> link() {
      synchronized (PubClient.this) {
        return Optional.ofNullable(link);
      }
    }

    /** Whether a link to the pub is open now. */
    public boolean isOpen() {
      return link().map(PeerLink::isOpen).orElse(false);
    }

    /** Failed attempts (dials or links) since the last successful open. */
    public int failures() {
      synchronized (PubClient.this) {
        return failures;
      }
    }

    /** The delay chosen for the latest scheduled reconnect, if any. */
    public Optional<Duration> lastReconnectDelay() {
      synchronized (PubClient.this) {
        return Optional.ofNullable(nextDelay);
      }
    }

    /** Whether {@link PubClient#disconnect} (or close) ended this connection. */
    public boolean isDisconnected() {
      synchronized (PubClient.this) {
        return disconnected;
      }
    }

    /** Stops keeping this URL connected; see {@link PubClient#disconnect}. */
    public void disconnect() {
      PubClient.this.disconnect(uri);
    }

    @Override
    public String toString() {
      return "Connection[" + uri + (isOpen() ? ", open" : "") + "]";
    }
  }

  /** Builds a {@link PubClient}; not thread-safe. */
  public static final class Builder {
    private final AnprotoSync sync;
    private final Dialer dialer;
    private Random random = new Random();
    private Set<PublicKey> follows;

    private Builder(AnprotoSync sync, Dialer dialer) {
      this.sync = Objects.requireNonNull(sync, "sync");
      this.dialer = Objects.requireNonNull(dialer, "dialer");
    }

    /** The source of reconnect jitter; seed it in tests (default: unseeded). */
    public Builder random(Random random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Announce exactly these pubkeys on open (in this order, up to {@link
     * SyncConfig#maxAnnouncedPubkeys()}), instead of every author in the store.
     */
    public Builder follows(Collection<PublicKey> follows) {
      this.follows = new LinkedHashSet<>(follows);
      return this;
    }

    /** Creates the client; it connects nothing until {@link PubClient#connect}. */
    public PubClient build() {
      return new PubClient(this);
    }
  }
}
