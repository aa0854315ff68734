package dev.grapevine.sync;

import dev.grapevine.anproto.Hash;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.transport.PeerLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hashes this node wants and has not got yet, and who to ask for them. Unlike the reference's
 * queue (which never sends, see the design notes), this one really retries, is bounded and expires:
 *
 * <ul>
 *   <li>{@link #want} adds a hash (at most {@link SyncConfig#maxMissingHashes()}) and asks for it
 *       at once: a new hash goes to up to {@link SyncConfig#gossipFanout()} peers, the hinted peer
 *       (the one that announced or referenced it) first; a known hash goes to the new hinted peer
 *       only.
 *   <li>Every {@link SyncConfig#gossipInterval()} a round asks, for each missing hash, up to {@code
 *       gossipFanout} open peers that were not asked for it within {@link
 *       SyncConfig#requestCooldown()}: hinted peers first, then peers never asked, then the least
 *       recently asked, starting at a rotating offset so that load spreads over the peers. A round
 *       sends at most {@link SyncConfig#maxGossipRequestsPerTick()} requests; hashes asked in a
 *       round move to the back of the queue so the others get their turn.
 *   <li>A hash expires {@link SyncConfig#gossipExpiry()} after it was last wanted, and leaves the
 *       queue at once when {@link #resolve} reports its arrival.
 * </ul>
 *
 * <p><b>Threads.</b> Thread-safe: the state is guarded by this object's monitor, which is never
 * held while the peer supplier or the request callback runs. Rounds run on the {@link Scheduler}'s
 * thread (with a manual scheduler, on the thread that advances it). The request callback must not
 * block ({@link PeerLink#send} does not).
 *
 * <p><b>Lifecycle.</b> Rounds start at construction and stop at {@link #close()}.
 */
public final class GossipQueue implements AutoCloseable {
  private final java.util.concurrent.atomic.AtomicLong roundsRun =
      new java.util.concurrent.atomic.AtomicLong();
  private static final Logger log = LoggerFactory.getLogger(GossipQueue.class);

  /** Most hinted peers remembered per hash. */
  static final int MAX_HINTS = 4;

  private final Scheduler scheduler;
  private final Supplier<? extends Collection<PeerLink>> peers;
  private final BiPredicate<PeerLink, Hash> request;
  private final long expiryMillis;
  private final long cooldownMillis;
  private final int maxMissing;
  private final int fanout;
  private final int maxPerTick;
  private final Scheduler.Cancellable timer;

  /** Guarded by {@code this}; iteration order is the order hashes get their turn in a round. */
  private final LinkedHashMap<Hash, Entry> missing = new LinkedHashMap<>();

  /**
   * Guarded by {@code this}: hashes that expired within the last expiry period, with the peers we
   * had asked for them (at most {@code maxMissing}, oldest first), so that those peers' late
   * requests, which echo ours, do not revive them; see {@link #requested}.
   */
  private final LinkedHashMap<Hash, Expired> expired = new LinkedHashMap<>();

  /** Guarded by {@code this}. */
  private int rotation;

  /** Guarded by {@code this}. */
  private boolean closed;

  /**
   * Creates a queue and starts its rounds.
   *
   * @param scheduler runs the rounds and provides the clock
   * @param config gossip settings ({@code gossip*}, {@code maxMissingHashes}, {@code
   *     requestCooldown})
   * @param peers the currently open peers (a live view is fine; {@code contains} should be cheap);
   *     called outside any lock, once per round or want
   * @param request sends a request for a hash to a peer (returns false if it could not be sent);
   *     called outside any lock
   */
  public GossipQueue(
      Scheduler scheduler,
      SyncConfig config,
      Supplier<? extends Collection<PeerLink>> peers,
      BiPredicate<PeerLink, Hash> request) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.peers = Objects.requireNonNull(peers, "peers");
    this.request = Objects.requireNonNull(request, "request");
    this.expiryMillis = config.gossipExpiry().toMillis();
    this.cooldownMillis = config.requestCooldown().toMillis();
    this.maxMissing = config.maxMissingHashes();
    this.fanout = config.gossipFanout();
    this.maxPerTick = config.maxGossipRequestsPerTick();
    Duration interval = config.gossipInterval();
    this.timer = scheduler.scheduleAtFixedRate(this::tick, interval);
  }

  /** {@link #want(Hash, PeerLink)} with no hinted peer. */
  public boolean want(Hash hash) {
    return wantFrom(hash, null);
  }

  /**
   * Wants {@code hash}, preferring {@code hint} (the peer that announced or referenced it) as the
   * first to ask. Sends the first requests at once (see the class comment) and refreshes the expiry
   * of a hash that is already wanted.
   *
   * @return false if the queue is full (or closed) and the hash is not tracked
   */
  public boolean want(Hash hash, PeerLink hint) {
    return wantFrom(hash, Objects.requireNonNull(hint, "hint"), false);
  }

  /**
   * A peer asked us for {@code hash}, which we lack: {@link #want(Hash, PeerLink)} with the asker
   * as the hinted peer, unless the request only echoes ours. A peer we asked for a hash that it
   * lacks asks us back for it; counting that as new interest would keep a hash that nobody has
   * wanted for ever, bouncing between nodes. So a request from a peer we asked for the hash, while
   * it is wanted or within one expiry period after it expired, neither extends the want nor revives
   * it (the asker may still be asked again, subject to the cooldown).
   *
   * @return false if the hash is not tracked (queue full or closed, or an echo of an expired want)
   */
  public boolean requested(Hash hash, PeerLink asker) {
    return wantFrom(hash, Objects.requireNonNull(asker, "asker"), true);
  }

  private boolean wantFrom(Hash hash, PeerLink hint) {
    return wantFrom(hash, hint, false);
  }

  private boolean wantFrom(Hash hash, PeerLink hint, boolean echoIfAsked) {
    Objects.requireNonNull(hash, "hash");
    Collection<PeerLink> open = peers.get();
    List<PeerLink> asks;
    synchronized (this) {
      if (closed) {
        return false;
      }
      long now = now();
      Entry e = missing.get(hash);
      if (e == null) {
        Expired gone = expired.get(hash);
        if (echoIfAsked && gone != null && gone.until > now && gone.asked.contains(hint)) {
          return false;
        }
        if (missing.size() >= maxMissing) {
          return false;
        }
        expired.remove(hash);
        e = new Entry(now + expiryMillis);
        missing.put(hash, e);
        if (hint != null) {
          e.hint(hint);
        }
        asks = select(e, List.copyOf(open), open, now, fanout);
      } else {
        if (!(echoIfAsked && e.asked.containsKey(hint))) {
          e.deadline = now + expiryMillis;
        }
        asks = List.of();
        if (hint != null) {
          e.hint(hint);
          if (open.contains(hint) && e.eligible(hint, now, cooldownMillis)) {
            e.asked.put(hint, now);
            asks = List.of(hint);
          }
        }
      }
    }
    send(hash, asks);
    return true;
  }

  /** Whether {@code hash} is wanted (tracked and not yet resolved or expired). */
  public synchronized boolean isWanted(Hash hash) {
    Entry e = missing.get(hash);
    return e != null && e.deadline > now();
  }

  /** {@code hash} arrived (or is no longer wanted): stop asking for it. */
  public synchronized void resolve(Hash hash) {
    missing.remove(hash);
    expired.remove(hash);
  }

  /** Forgets {@code peer} (its link closed): it is no longer a hint or in any cooldown. */
  public synchronized void peerClosed(PeerLink peer) {
    for (Entry e : missing.values()) {
      e.asked.remove(peer);
      e.hints.remove(peer);
    }
    for (Iterator<Expired> it = expired.values().iterator(); it.hasNext(); ) {
      Set<PeerLink> asked = it.next().asked;
      if (asked.remove(peer) && asked.isEmpty()) {
        it.remove();
      }
    }
  }

  /** The number of hashes wanted now. */
  public synchronized int size() {
    return missing.size();
  }

  /** Rounds run so far (timer and explicit {@link #tick()} calls), for metrics. */
  public long rounds() {
    return roundsRun.get();
  }

  /** Up to {@code limit} of the hashes wanted now, in the order they get their turn in a round. */
  public synchronized List<Hash> missing(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("Expected a limit >= 0 but was " + limit);
    }
    List<Hash> out = new ArrayList<>(Math.min(limit, missing.size()));
    for (Hash h : missing.keySet()) {
      if (out.size() == limit) {
        break;
      }
      out.add(h);
    }
    return out;
  }

  /**
   * Runs one round now: expires old hashes, then asks peers for the rest (see the class comment).
   * The scheduler calls this every {@link SyncConfig#gossipInterval()}.
   */
  public void tick() {
    roundsRun.incrementAndGet();
    List<PeerLink> open = List.copyOf(peers.get());
    Set<PeerLink> openSet = new HashSet<>(open);
    List<Map.Entry<Hash, List<PeerLink>>> rounds = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      long now = now();
      // Records are added in time order with the same period, so the oldest end first.
      for (Iterator<Expired> it = expired.values().iterator(); it.hasNext(); ) {
        if (it.next().until > now) {
          break;
        }
        it.remove();
      }
      int budget = maxPerTick;
      List<Hash> asked = new ArrayList<>();
      for (Iterator<Map.Entry<Hash, Entry>> it = missing.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Hash, Entry> me = it.next();
        Entry e = me.getValue();
        if (e.deadline <= now) {
          it.remove();
          rememberExpired(me.getKey(), e, now);
          continue;
        }
        if (budget == 0 || open.isEmpty()) {
          continue;
        }
        List<PeerLink> sel = select(e, open, openSet, now, Math.min(fanout, budget));
        if (!sel.isEmpty()) {
          budget -= sel.size();
          rounds.add(Map.entry(me.getKey(), sel));
          asked.add(me.getKey());
        }
      }
      for (Hash h : asked) {
        missing.put(h, missing.remove(h)); // to the back: others get the next budget first
      }
    }
    for (Map.Entry<Hash, List<PeerLink>> r : rounds) {
      send(r.getKey(), r.getValue());
    }
  }

  /** Stops the rounds and forgets every hash. Idempotent. */
  @Override
  public void close() {
    timer.cancel();
    synchronized (this) {
      closed = true;
      missing.clear();
      expired.clear();
    }
  }

  /** Remembers whom we had asked for an expired hash, for one more expiry period. */
  private void rememberExpired(Hash hash, Entry e, long now) {
    expired.remove(hash);
    if (e.asked.isEmpty()) {
      return;
    }
    expired.put(hash, new Expired(new HashSet<>(e.asked.keySet()), now + expiryMillis));
    while (expired.size() > maxMissing) {
      Iterator<Expired> it = expired.values().iterator();
      it.next();
      it.remove();
    }
  }

  /**
   * Picks up to {@code n} open peers to ask for {@code e} now, among those not asked within the
   * cooldown: hinted peers first, then peers never asked (in the order of {@code open} from a
   * rotating offset), then the least recently asked. Records them as asked. Stops scanning once it
   * has enough, so a round costs about {@code fanout} plus the peers already asked per hash, not
   * the number of peers. Caller holds the monitor.
   */
  private List<PeerLink> select(
      Entry e, List<PeerLink> open, Collection<PeerLink> openSet, long now, int n) {
    if (open.isEmpty() || n <= 0) {
      return List.of();
    }
    List<PeerLink> out = new ArrayList<>(n);
    for (PeerLink p : e.hints) {
      if (out.size() < n && openSet.contains(p) && e.eligible(p, now, cooldownMillis)) {
        out.add(p);
      }
    }
    int size = open.size();
    int start = Math.floorMod(rotation++, size);
    for (int i = 0; i < size && out.size() < n; i++) {
      PeerLink p = open.get((start + i) % size);
      if (!e.asked.containsKey(p) && !out.contains(p)) {
        out.add(p);
      }
    }
    if (out.size() < n) {
      e.asked.entrySet().stream()
          .filter(a -> now - a.getValue() >= cooldownMillis)
          .filter(a -> openSet.contains(a.getKey()) && !out.contains(a.getKey()))
          .sorted(Map.Entry.comparingByValue())
          .limit(n - out.size())
          .forEach(a -> out.add(a.getKey()));
    }
    for (PeerLink p : out) {
      e.asked.put(p, now);
    }
    return out;
  }

  private void send(Hash hash, List<PeerLink> to) {
    for (PeerLink p : to) {
      try {
        request.test(p, hash);
      } catch (RuntimeException ex) {
        log.warn("Requesting {} from {} failed", hash, p.id(), ex);
      }
    }
  }

  private long now() {
    return scheduler.clock().millis();
  }

  /** An expired hash: the peers we had asked for it, until when their requests are echoes. */
  private static final class Expired {
    final Set<PeerLink> asked;
    final long until;

    Expired(Set<PeerLink> asked, long until) {
      this.asked = asked;
      this.until = until;
    }
  }

  /** One wanted hash. Guarded by the queue's monitor. */
  private static final class Entry {
    /** When each peer was last asked, in clock milliseconds. */
    final Map<PeerLink, Long> asked = new HashMap<>();

    /** Peers that announced or referenced the hash, oldest first, at most {@link #MAX_HINTS}. */
    final LinkedHashSet<PeerLink> hints = new LinkedHashSet<>();

    /** When the hash expires unless wanted again. */
    long deadline;

    Entry(long deadline) {
      this.deadline = deadline;
    }

    void hint(PeerLink p) {
      if (hints.remove(p) || hints.size() < MAX_HINTS) {
        hints.add(p);
      } else {
        Iterator<PeerLink> it = hints.iterator();
        it.next();
        it.remove();
        hints.add(p);
      }
    }

    boolean eligible(PeerLink p, long now, long cooldown) {
      Long last = asked.get(p);
      return last == null || now - last >= cooldown;
    }
  }
}
