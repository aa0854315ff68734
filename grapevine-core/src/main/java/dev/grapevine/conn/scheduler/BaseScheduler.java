package dev.grapevine.conn.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.db.ConnDb;
import dev.grapevine.conn.db.PeerData;
import dev.grapevine.conn.hub.ConnHub;
import dev.grapevine.conn.hub.HubEvent;
import dev.grapevine.conn.hub.Subscription;
import dev.grapevine.conn.query.ConnQuery;
import dev.grapevine.conn.query.Peer;
import dev.grapevine.conn.staging.ConnStaging;
import dev.grapevine.conn.staging.StagedEntry;
import dev.grapevine.conn.staging.StagingEvent;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both strategies share: the lifecycle, the tick with its wake-up and network checks, the
 * fuzzed planning round, the staging rules, the blocked-peer and connecting-timeout rules, and the
 * start-up clean-up of the database.
 *
 * <p>Threads: every planning decision and every field not marked otherwise belongs to the timer
 * thread (the injected {@link Scheduler}'s). {@link #start()}, {@link #stop()}, {@link
 * #networkChanged()}, {@link #wokeUp()} and the hub and staging listeners may run on any thread:
 * they only flip the lifecycle under {@link #lifecycle}, ask the hub to reset (which queues work on
 * the hub thread), or queue a round on the timer. A generation number retires the tasks of an
 * earlier start.
 */
abstract class BaseScheduler implements ConnScheduler {
  private static final Logger log = LoggerFactory.getLogger(ConnScheduler.class);
  private static final Duration AFTER_DISCONNECT = Duration.ofMillis(200);
  private static final Duration AFTER_STAGED = Duration.ofMillis(100);

  final ConnHub hub;
  final ConnDb db;
  final ConnStaging staging;
  final ConnQuery query;
  final Scheduler timer;
  final SchedulerConfig config;
  final Clock clock;
  final HopSource hops;
  final NetworkProbe network;

  /** Timer thread (and the constructor). */
  final Random random;

  /** ssb-conn's {@code RANDOM_MULTIPLIER}: one factor in [0.8, 1.2) per scheduler. */
  final double randomMultiplier;

  private final Object lifecycle = new Object();
  private volatile boolean running;
  private volatile long generation;

  /** Guarded by lifecycle. */
  private Scheduler.Cancellable tick;

  /** Guarded by lifecycle. */
  private Subscription hubEvents;

  /** Guarded by lifecycle. */
  private Subscription stagingEvents;

  /** Any thread: a round is queued and not yet run. */
  private final AtomicBoolean updatePending = new AtomicBoolean();

  /** When the next tick is due (written under lifecycle, read on the timer thread). */
  private volatile long tickDueAt;

  /** Written by the timer thread after each round, read by any thread. */
  private volatile Map<String, Long> nextAttempts = Map.of();

  /** Timer thread: the addresses of the last network check; null before the first. */
  private Set<String> lastNetwork;

  /** Timer thread: whether the last check found a non-loopback address. */
  private boolean hasNetwork = true;

  BaseScheduler(ConnScheduler.Builder b) {
    this.hub = b.hub;
    this.db = b.db;
    this.staging = b.staging;
    this.query = b.query;
    this.timer = b.timer;
    this.config = b.config;
    this.clock = b.clock;
    this.random = b.random;
    this.hops = b.hops;
    this.network = b.network;
    this.randomMultiplier = 0.8 + random.nextDouble() * 0.4;
  }

  /** The configuration. */
  public SchedulerConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- lifecycle (any thread)

  @Override
  public final void start() {
    synchronized (lifecycle) {
      if (running) {
        return;
      }
      long gen = generation + 1;
      generation = gen;
      running = true;
      updatePending.set(false);
      hubEvents =
          hub.listen(
              e -> {
                if (e.type() == HubEvent.Type.DISCONNECTED) {
                  requestUpdate(gen, AFTER_DISCONNECT);
                }
              });
      try {
        stagingEvents =
            staging.listen(
                e -> {
                  if (e.type() == StagingEvent.Type.STAGED) {
                    requestUpdate(gen, AFTER_STAGED);
                  }
                });
        timer.schedule(() -> begin(gen), Duration.ZERO);
      } catch (RuntimeException e) {
        running = false;
        generation = gen + 1;
        closeQuietly(hubEvents);
        closeQuietly(stagingEvents);
        throw e;
      }
    }
    log.debug("Connection scheduler started ({})", config.strategy());
  }

  @Override
  public final void stop() {
    synchronized (lifecycle) {
      if (!running) {
        return;
      }
      running = false;
      generation = generation + 1;
      if (tick != null) {
        tick.cancel();
        tick = null;
      }
      closeQuietly(hubEvents);
      closeQuietly(stagingEvents);
      hubEvents = null;
      stagingEvents = null;
      nextAttempts = Map.of();
    }
    resetHub("the scheduler stopped");
  }

  @Override
  public final Map<String, Long> nextAttempts() {
    return nextAttempts;
  }

  @Override
  public final boolean isRunning() {
    return running;
  }

  @Override
  public final void networkChanged() {
    if (running) {
      resetHub("the network changed");
    }
  }

  @Override
  public final void wokeUp() {
    if (running) {
      resetHub("the machine woke up");
    }
  }

  /** True while the tasks of start number {@code gen} should still run. */
  final boolean current(long gen) {
    return running && generation == gen;
  }

  /** The generation of the tasks queued now. */
  final long generation() {
    return generation;
  }

  private void resetHub(String why) {
    if (hub.isClosed()) {
      return;
    }
    log.info("Resetting every connection: {}", why);
    try {
      hub.reset();
    } catch (RuntimeException e) {
      log.debug("Could not reset the hub", e);
    }
  }

  // ---------------------------------------------------------------- timer thread

  private void begin(long gen) {
    if (!current(gen)) {
      return;
    }
    try {
      cleanUpDb();
    } catch (RuntimeException e) {
      log.warn("Could not clean up the peer database", e);
    }
    checkNetwork();
    updateNow(gen);
    scheduleTick(gen);
  }

  private void scheduleTick(long gen) {
    synchronized (lifecycle) {
      if (!current(gen)) {
        return;
      }
      tickDueAt = clock.millis() + config.tickInterval().toMillis();
      tick = timer.schedule(() -> tick(gen), config.tickInterval());
    }
  }

  private void tick(long gen) {
    if (!current(gen)) {
      return;
    }
    long late = clock.millis() - tickDueAt;
    if (late > config.wakeupThreshold().toMillis()) {
      // The timer counts time the machine was awake; the clock also counts the time it slept.
      resetHub("the machine woke up (a tick came " + Duration.ofMillis(late) + " late)");
    }
    checkNetwork();
    requestUpdate(gen, config.updateDelay());
    scheduleTick(gen);
  }

  private void checkNetwork() {
    Set<String> now;
    try {
      now = Set.copyOf(network.addresses());
    } catch (IOException | RuntimeException e) {
      log.debug("Could not list the network interfaces", e);
      return;
    }
    hasNetwork = !now.isEmpty();
    if (lastNetwork != null && !lastNetwork.equals(now)) {
      resetHub("the network changed");
    }
    lastNetwork = now;
  }

  /** Any thread: queues one round after a random delay in [0.5, 1.5) × {@code period}. */
  private void requestUpdate(long gen, Duration period) {
    if (!current(gen) || !updatePending.compareAndSet(false, true)) {
      return;
    }
    try {
      timer.schedule(() -> fuzzedUpdate(gen, period), Duration.ZERO);
    } catch (RuntimeException e) {
      updatePending.set(false); // the timer is closed: the node is shutting down
    }
  }

  private void fuzzedUpdate(long gen, Duration period) {
    if (!current(gen)) {
      updatePending.set(false);
      return;
    }
    long p = period.toMillis();
    long delay = (long) (p * 0.5 + p * random.nextDouble());
    timer.schedule(
        () -> {
          updatePending.set(false);
          updateNow(gen);
        },
        Duration.ofMillis(delay));
  }

  private void updateNow(long gen) {
    if (!current(gen)) {
      return;
    }
    Round round = new Round(clock.millis());
    try {
      updateStaging(round.now);
      updateHub(round);
      Map<String, Long> next = Map.copyOf(round.due);
      synchronized (lifecycle) { // so that a stop() cannot be followed by a late round's map
        if (current(gen)) {
          nextAttempts = next;
        }
      }
    } catch (RuntimeException e) {
      if (hub.isClosed()) {
        log.debug("Planning round stopped: the hub is closed", e);
      } else {
        log.warn("Planning round failed", e);
      }
    }
  }

  /** The strategy's rules for the hub. Timer thread. */
  abstract void updateHub(Round round);

  /**
   * ssb-conn's {@code updateStagingNow}: stage remembered peers that must not be dialled
   * automatically (so that a user can pick them), unstage blocked peers, and unstage LAN and
   * Bluetooth peers that were not seen again within their window.
   */
  private void updateStaging(long now) {
    for (Peer p : query.peersConnectable(ConnQuery.Connectable.DB)) {
      if (!Peers.autoconnect(p) && !blocked(p)) {
        Peers.address(p).ifPresent(a -> staging.stage(a, p.data()));
      }
    }
    for (Peer p : query.peersConnectable(ConnQuery.Connectable.STAGING)) {
      if (blocked(p)) {
        Peers.address(p).ifPresent(staging::unstage);
      }
    }
    long lan = config.lanStagingTtl().toMillis();
    long bt = config.btStagingTtl().toMillis();
    for (StagedEntry e : staging.entries()) {
      Object type = e.data().get("type");
      if ("lan".equals(type) && e.stagingUpdated() + lan < now
          || "bt".equals(type) && e.stagingUpdated() + bt < now) {
        staging.unstage(e.address());
      }
    }
  }

  /**
   * ssb-conn's {@code cleanUpDB} at start: forget LAN and Bluetooth entries (their addresses do not
   * last) and remove {@code defunct} markers with the {@code autoconnect} they switched off.
   */
  private void cleanUpDb() {
    for (Map.Entry<String, PeerData> e : db.entries()) {
      PeerData d = e.getValue();
      String type = d.type().orElse("");
      String source = d.get("source").filter(JsonNode::isTextual).map(JsonNode::asText).orElse("");
      if (type.equals("lan")
          || type.equals("bt")
          || source.equals("local")
          || source.equals("bt")) {
        db.delete(e.getKey());
      } else if (d.get("defunct")
          .filter(JsonNode::isBoolean)
          .map(JsonNode::asBoolean)
          .orElse(false)) {
        db.update(e.getKey(), prev -> prev.without("defunct").without("autoconnect"));
      }
    }
  }

  // ---------------------------------------------------------------- rules shared by strategies

  /** Disconnects every peer in connection that the hop source says is blocked. */
  final void disconnectBlocked() {
    for (Peer p : query.peersInConnection()) {
      if (blocked(p)) {
        disconnect(p, "blocked");
      }
    }
  }

  /**
   * Cancels dials still connecting after their type's timeout, counted from the hub entry's birth
   * (upstream counts from the database's {@code stateChange}, which peers not in the database lack,
   * so their dials were never timed out).
   */
  final void cancelStuckConnects(long now) {
    for (Peer p : query.peersConnecting()) {
      Duration wait = config.connectTimeout(Peers.detectType(p));
      if (Peers.hubBirth(p) + wait.toMillis() < now) {
        disconnect(p, "still connecting after " + wait);
      }
    }
  }

  /** True when the hop source says {@code p} is blocked. */
  final boolean blocked(Peer p) {
    return hops.hops(p).orElse(0) < 0;
  }

  /**
   * Whether {@code p} counts toward quotas and may be trimmed: for a pub, only peers it dialled.
   */
  final boolean trimmable(Peer p) {
    return config.role() == SchedulerConfig.Role.CLIENT || Peers.isClient(p);
  }

  /**
   * Whether {@code p} may be dialled automatically: not blocked, {@code autoconnect} not false, an
   * address this node can dial, and either a network or a loopback host.
   */
  final boolean dialable(Peer p) {
    if (!Peers.autoconnect(p) || blocked(p)) {
      return false;
    }
    Optional<ConnAddress> a = Peers.address(p);
    return a.isPresent() && (hasNetwork || Peers.isLoopback(a.get()));
  }

  /** Asks the hub to connect to {@code p}, recording it in {@code round}; failures are logged. */
  final void connect(Round round, Peer p, Map<String, Object> data) {
    Optional<ConnAddress> a = Peers.address(p);
    if (a.isEmpty()) {
      return;
    }
    round.add(p);
    Map<String, Object> d = new LinkedHashMap<>(data);
    d.put("pool", p.pool().wireName());
    String type = Peers.detectType(p);
    if (!type.equals("?")) {
      d.putIfAbsent("type", type);
    }
    log.debug("Dialling {} ({})", a.get(), d);
    hub.connect(a.get(), d)
        .whenComplete(
            (link, error) -> {
              if (error != null) {
                log.debug("Dial of {} failed: {}", a.get(), error.toString());
              }
            });
  }

  /** Asks the hub to disconnect from {@code p}. */
  final void disconnect(Peer p, String why) {
    Peers.address(p)
        .ifPresent(
            a -> {
              log.debug("Disconnecting {}: {}", a, why);
              hub.disconnect(a);
            });
  }

  private static void closeQuietly(Subscription s) {
    if (s != null) {
      s.close();
    }
  }

  /**
   * One planning round: its time, and the peers it asked the hub to connect (the hub's snapshot
   * shows them only once the hub thread has run the request). Timer thread.
   */
  static final class Round {
    final long now;
    private final Set<String> requested = new HashSet<>();
    private final List<Peer> requestedPeers = new ArrayList<>();

    /** When each peer the round considered may next be dialled; the earliest rule wins. */
    private final Map<String, Long> due = new HashMap<>();

    Round(long now) {
      this.now = now;
    }

    void add(Peer p) {
      requested.add(Peers.identity(p));
      requestedPeers.add(p);
      due.remove(p.address()); // being dialled now: no longer waiting
    }

    boolean requested(Peer p) {
      return requested.contains(Peers.identity(p));
    }

    /**
     * Notes that {@code p} may be dialled from {@code atMillis} on (an infinite or NaN time is
     * ignored), unless another rule of this round allows it earlier.
     */
    void due(Peer p, double atMillis) {
      if (Double.isFinite(atMillis) && !requested(p)) {
        due.merge(p.address(), (long) Math.ceil(atMillis), Math::min);
      }
    }

    List<Peer> requestedPeers() {
      return requestedPeers;
    }
  }
}
