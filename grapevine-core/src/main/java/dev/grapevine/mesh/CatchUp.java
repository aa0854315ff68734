package dev.grapevine.mesh;

import dev.grapevine.clock.Scheduler;
import dev.grapevine.mesh.MeshPayload.Carried;
import dev.grapevine.mesh.reconcile.Item;
import dev.grapevine.mesh.reconcile.ReconcileException;
import dev.grapevine.mesh.reconcile.ReconcileSession;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whole-store catch-up with one peer: a set reconciliation session over (timestamp, msgHash) items
 * ({@link ReconcileSession}), and the missing messages fetched with {@code WANT} in batches of
 * {@link MeshConfig#wantBatch()} as soon as a batch of them is known (while the session still runs:
 * a store far behind takes dozens of bounded round trips to reconcile, and fetching need not wait
 * for the last), at most {@value #WANTS_IN_FLIGHT} batches in flight per peer so the serving side's
 * outbound queue stays small (each answered batch is verified by every verify thread at once, see
 * {@code Mesh.ingest}, and the next is asked for once it is stored). The dialer starts a session
 * when the link opens, again after a session that was truncated or whose fetches brought new
 * messages (until one brings none) as soon as its last batch is asked for (the new session skips
 * the ids already queued or in flight), and again when a PING or PONG shows that the stores differ
 * and the last session finished more than {@link MeshConfig#catchUpInterval()} ago.
 *
 * <p>Thread-safe: each peer's state is guarded by its own monitor, which also confines its
 * reconciliation session.
 */
final class CatchUp {
  static final int WANTS_IN_FLIGHT = 8;

  private final Mesh mesh;
  private final Map<MeshSession, PeerState> states = new ConcurrentHashMap<>();

  CatchUp(Mesh mesh) {
    this.mesh = mesh;
  }

  private static final class PeerState {
    ReconcileSession session;
    String id;
    CompletableFuture<Integer> done = CompletableFuture.completedFuture(0);
    long lastFinished = Long.MIN_VALUE / 2;
    boolean again;
    long newAtStart;

    /** New messages stored in this round. */
    long roundNew;

    /** Items of the session's {@code need} already queued as WANT batches. */
    int queuedNeed;

    final Deque<List<String>> wants = new ArrayDeque<>();

    /** WANTs in flight: request id to the ids asked for. */
    final Map<String, List<String>> outstanding = new HashMap<>();

    /**
     * The ids queued in {@link #wants} or in flight: each is asked for once, however many sessions
     * find it missing meanwhile.
     */
    final Set<String> pending = new HashSet<>();

    long lastProgress;
    Scheduler.Cancellable watchdog;

    boolean active() {
      return (session != null && !session.isDone()) || !wants.isEmpty() || !outstanding.isEmpty();
    }
  }

  /** The state of an open peer; a closed one gets a throwaway state that is never stored. */
  private PeerState state(MeshSession s) {
    if (!s.isOpenSession()) {
      return new PeerState();
    }
    return states.computeIfAbsent(s, k -> new PeerState());
  }

  /**
   * Watches a peer's catch-up: when nothing arrives for {@link MeshConfig#syncTimeout()} while a
   * session runs or messages are wanted, the catch-up is abandoned (its future completes with what
   * was found) so that a silent or broken peer cannot stall it; the next summary starts over.
   */
  private void progress(MeshSession s, PeerState st) {
    synchronized (st) {
      st.lastProgress = mesh.millis();
      if (st.watchdog == null) {
        st.watchdog = mesh.scheduler().schedule(() -> watch(s, st), mesh.config().syncTimeout());
      }
    }
  }

  private void watch(MeshSession s, PeerState st) {
    CompletableFuture<Integer> abandon = null;
    synchronized (st) {
      st.watchdog = null;
      if (!st.active()) {
        return;
      }
      long idle = mesh.millis() - st.lastProgress;
      long limit = mesh.config().syncTimeout().toMillis();
      if (idle < limit) {
        st.watchdog =
            mesh.scheduler()
                .schedule(() -> watch(s, st), java.time.Duration.ofMillis(limit - idle));
        return;
      }
      st.session = null;
      st.wants.clear();
      st.outstanding.clear();
      st.pending.clear();
      st.again = false;
      st.lastFinished = mesh.millis();
      abandon = st.done;
    }
    abandon.complete(0);
  }

  /** Starts a session as initiator, unless one is running; completes with the count needed. */
  CompletableFuture<Integer> start(MeshSession s) {
    PeerState st = state(s);
    CompletableFuture<Integer> done;
    synchronized (st) {
      if (st.session != null && !st.session.isDone()) {
        return st.done;
      }
      st.session = null;
      if (st.done.isDone()) {
        // An unfinished future stays: a start that is already queued completes it.
        st.done = new CompletableFuture<>();
      }
      st.newAtStart = mesh.counters().messagesNew.sum();
      done = st.done;
    }
    progress(s, st);
    boolean queued =
        mesh.execute(
            () -> {
              mesh.index().refresh();
              String message;
              String id = UUID.randomUUID().toString();
              synchronized (st) {
                if (st.session != null) {
                  return; // the peer started one meanwhile; its outcome completes ours
                }
                st.session =
                    ReconcileSession.initiator(mesh.index().index(), mesh.config().reconcile());
                st.id = id;
                st.queuedNeed = 0;
                st.roundNew = 0;
                message = st.session.startBase64();
              }
              s.send(new MeshPayload.Reconcile(id, message));
            });
    if (!queued) {
      synchronized (st) {
        st.session = null;
      }
      done.complete(0);
    }
    return done;
  }

  void receive(MeshSession s, MeshPayload.Reconcile r) {
    if (r.session() == null || r.data() == null) {
      s.sendError(
          MeshProtocolException.Reason.INVALID_PAYLOAD, "Expected a session and data", "RECONCILE");
      return;
    }
    PeerState st = state(s);
    progress(s, st);
    Optional<String> reply;
    boolean finished;
    boolean fetching;
    int needed = 0;
    CompletableFuture<Integer> done = null;
    synchronized (st) {
      if (st.session == null || !r.session().equals(st.id)) {
        if (st.done.isDone()) {
          st.done = new CompletableFuture<>();
        }
        st.session = ReconcileSession.responder(mesh.index().index(), mesh.config().reconcile());
        st.id = r.session();
        st.queuedNeed = 0;
        st.roundNew = 0;
      }
      try {
        reply = st.session.receiveBase64(r.data());
      } catch (ReconcileException | IllegalArgumentException e) {
        st.session = null;
        st.done.complete(0);
        s.sendError(
            MeshProtocolException.Reason.INVALID_PAYLOAD,
            "Reconciliation failed: " + e.getMessage(),
            "RECONCILE");
        return;
      }
      finished = st.session.isDone();
      if (finished) {
        // In the same locked block that saw the end, so that a pump on another thread never
        // finds the session over with its last needs not yet queued.
        needed = finishLocked(st);
        done = st.done;
        fetching = true;
      } else {
        fetching = queueNeeds(st, false) > 0;
      }
    }
    reply.ifPresent(data -> s.send(new MeshPayload.Reconcile(r.session(), data)));
    if (finished) {
      mesh.counters().reconciliations.increment();
    }
    if (fetching) {
      pump(s, st);
    }
    if (done != null) {
      done.complete(needed);
    }
  }

  /**
   * Queues WANT batches for the items the session found since the last call: only whole batches
   * while it runs, all of them when {@code flush}; an id already queued or in flight is skipped.
   * Returns how many of the session's items it took (queued or skipped). Call with {@code st}
   * locked.
   */
  private int queueNeeds(PeerState st, boolean flush) {
    List<Item> fresh = st.session.needFrom(st.queuedNeed);
    int batch = mesh.config().wantBatch();
    int usable = flush ? fresh.size() : fresh.size() - fresh.size() % batch;
    List<String> ids = new ArrayList<>(batch);
    for (Item item : fresh.subList(0, usable)) {
      String id = item.id().toHash().value();
      if (st.pending.add(id)) {
        ids.add(id);
      }
      if (ids.size() == batch) {
        st.wants.add(ids);
        ids = new ArrayList<>(batch);
      }
    }
    if (!ids.isEmpty()) {
      st.wants.add(ids);
    }
    st.queuedNeed += usable;
    return usable;
  }

  /**
   * Queues what the finished session found still unqueued and records its end; returns how many
   * items it needed. Call with {@code st} locked.
   */
  private int finishLocked(PeerState st) {
    ReconcileSession rs = st.session;
    queueNeeds(st, true);
    st.again = rs.isTruncated() && rs.isInitiator();
    st.lastFinished = mesh.millis();
    return rs.needCount();
  }

  private void pump(MeshSession s, PeerState st) {
    List<MeshPayload.Want> send = new ArrayList<>();
    boolean restart = false;
    synchronized (st) {
      while (st.outstanding.size() < WANTS_IN_FLIGHT && !st.wants.isEmpty()) {
        String id = UUID.randomUUID().toString();
        List<String> ids = st.wants.poll();
        st.outstanding.put(id, ids);
        send.add(new MeshPayload.Want(id, ids));
      }
      // The initiator reconciles again at once after a round that brought new messages: the
      // responder may have truncated its side (the initiator cannot tell), a message may not have
      // been stored (a busy store), or more may have arrived meanwhile. A truncated session
      // continues too, but only if it brought something new. Identical stores reconcile in one
      // round trip, and a round that brings nothing new does not repeat, so a peer whose
      // differences cannot be fetched waits for the next interval instead of looping.
      boolean initiator = st.session != null && st.session.isInitiator();
      boolean progressed = mesh.counters().messagesNew.sum() > st.newAtStart;
      boolean retry = initiator && st.roundNew > 0;
      // The next session starts once the last batch is asked for, not once it has arrived, so
      // that what a truncated session left out is found while the last batches are in flight;
      // it skips the ids already queued or in flight.
      boolean sessionOver = st.session == null || st.session.isDone();
      if (sessionOver && st.wants.isEmpty() && ((st.again && progressed) || retry)) {
        st.again = false;
        st.roundNew = 0;
        restart = true;
      }
    }
    if (!send.isEmpty()) {
      progress(s, st);
    }
    for (MeshPayload.Want w : send) {
      s.send(w);
    }
    if (restart) {
      start(s);
    }
  }

  /** A peer wants messages: read them off the I/O thread and answer in frames of bounded size. */
  void serveWant(MeshSession s, MeshPayload.Want w) {
    List<String> ids = w.ids() == null ? List.of() : w.ids();
    List<String> capped =
        List.copyOf(ids.subList(0, Math.min(ids.size(), 4 * mesh.config().wantBatch())));
    boolean queued =
        mesh.serve(
            s,
            MeshTypes.WANT,
            () -> {
              List<Carried> items = mesh.read(capped);
              List<Carried> frame = new ArrayList<>();
              long chars = 0;
              for (Carried c : items) {
                long size = c.chars();
                if (!frame.isEmpty() && chars + size > mesh.config().maxMessagesBytes()) {
                  s.send(new MeshPayload.Messages(w.requestId(), frame, false));
                  frame = new ArrayList<>();
                  chars = 0;
                }
                frame.add(c);
                chars += size;
              }
              s.send(new MeshPayload.Messages(w.requestId(), frame, true));
            });
    if (!queued) {
      s.send(new MeshPayload.Messages(w.requestId(), List.of(), true));
    }
  }

  /** Messages we asked for arrived. */
  void messages(MeshSession s, MeshPayload.Messages m) {
    List<Carried> items = m.messages() == null ? List.of() : m.messages();
    mesh.counters()
        .pullReceived
        .add(items.stream().filter(c -> c != null && c.message() != null).count());
    CompletableFuture<Integer> stored = mesh.ingest(s, items, false);
    PeerState st = m.requestId() == null ? null : states.get(s);
    if (st == null) {
      return;
    }
    boolean ours;
    synchronized (st) {
      ours = st.outstanding.containsKey(m.requestId());
    }
    if (!ours) {
      return;
    }
    progress(s, st);
    boolean last = !Boolean.FALSE.equals(m.last());
    // Pace by storage: the next batch is asked for once this one is stored.
    stored.whenComplete(
        (n, err) -> {
          int added = n == null ? 0 : n;
          synchronized (st) {
            st.roundNew += added;
            if (last) {
              List<String> asked = st.outstanding.remove(m.requestId());
              if (asked != null) {
                st.pending.removeAll(asked);
              }
            }
          }
          if (last) {
            pump(s, st);
          }
        });
  }

  /** A PING or PONG told us the peer's summary: reconcile if it differs and it has been a while. */
  void summaryHeard(MeshSession s) {
    if (s.direction() != dev.grapevine.transport.Direction.OUTBOUND) {
      return;
    }
    MeshPayload.Summary theirs = s.summary();
    if (theirs == null || theirs.equals(mesh.summary())) {
      return;
    }
    PeerState st = state(s);
    synchronized (st) {
      if (st.active()
          || mesh.millis() - st.lastFinished < mesh.config().catchUpInterval().toMillis()) {
        return;
      }
    }
    start(s);
  }

  void tick() {
    for (MeshSession s : mesh.openSessions()) {
      summaryHeard(s);
    }
  }

  void peerClosed(MeshSession s) {
    PeerState st = states.remove(s);
    if (st != null) {
      CompletableFuture<Integer> done;
      synchronized (st) {
        if (st.watchdog != null) {
          st.watchdog.cancel();
        }
        done = st.done;
      }
      done.complete(0);
    }
  }
}
