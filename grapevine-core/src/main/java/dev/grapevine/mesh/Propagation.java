package dev.grapevine.mesh;

import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.mesh.MeshPayload.Carried;
import dev.grapevine.sync.SyncListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live propagation of new messages, the Plumtree idea behind EBT: a new message is pushed in full
 * on the "eager" links and announced by hash ({@code HAVE}, batched every {@link
 * MeshConfig#haveInterval()}) on the "lazy" ones. Every link starts eager; a peer that pushes a
 * message we already had is told {@code PRUNE} and both ends turn that link lazy, so the eager
 * links settle into a spanning tree and each node receives each message in full about once. An
 * announced message that has not arrived within {@link MeshConfig#graftTimeout()} is asked for with
 * {@code GRAFT}, which turns that link eager again: this repairs the tree when one of its links
 * breaks.
 *
 * <p>Thread-safe: the link sets are concurrent; announcements and missing messages are guarded by
 * this object's monitor.
 */
final class Propagation {
  private static final int MAX_MISSING = 10_000;
  private static final int MAX_WAITING = 10_000;
  private static final int MAX_HAVE_IDS = 1_000;
  private static final long CONTENT_WAIT_MILLIS = 10_000;

  private final Mesh mesh;
  private final Set<MeshSession> eager = ConcurrentHashMap.newKeySet();
  private final Set<MeshSession> lazy = ConcurrentHashMap.newKeySet();
  private final Map<MeshSession, List<String>> haves = new HashMap<>();
  private final Map<Hash, Missing> missing = new HashMap<>();
  private final Map<Hash, Waiting> waitingForContent = new LinkedHashMap<>();

  Propagation(Mesh mesh) {
    this.mesh = mesh;
  }

  /** Most announced-but-missing hashes one peer may have us wait for. */
  private static final int MAX_MISSING_PER_PEER = 1_000;

  private static final class Missing {
    final List<MeshSession> announcers = new ArrayList<>(2);
    MeshSession creator;
    Scheduler.Cancellable timer;
  }

  /** Missing entries by the peer whose announcement created them; guarded by this. */
  private final Map<MeshSession, Integer> missingBy = new HashMap<>();

  private void forgetMissing(Hash h) {
    Missing m = missing.remove(h);
    if (m != null && m.creator != null) {
      missingBy.computeIfPresent(m.creator, (k, v) -> v <= 1 ? null : v - 1);
    }
  }

  private record Waiting(VerifiedMessage message, long since) {}

  void peerOpened(MeshSession s) {
    lazy.remove(s);
    eager.add(s);
  }

  void peerClosed(MeshSession s) {
    eager.remove(s);
    lazy.remove(s);
    synchronized (this) {
      haves.remove(s);
      missingBy.remove(s);
      for (Missing m : missing.values()) {
        m.announcers.remove(s);
        if (m.creator == s) {
          m.creator = null;
        }
      }
    }
  }

  /**
   * Sends a new message on: in full to eager links, by hash to lazy ones; not back to {@code from}.
   */
  void spread(VerifiedMessage message, String content, MeshSession from) {
    spread(message, content, from, true);
  }

  /**
   * Sends a new message on; with {@code eager} false (a message fetched by catch-up or feed sync,
   * which peers most likely have) it is only announced, and peers that lack it graft it.
   */
  void spread(VerifiedMessage message, String content, MeshSession from, boolean eagerPush) {
    String frame = null;
    String id = message.hash().value();
    List<MeshSession> announce = new ArrayList<>();
    for (MeshSession s : mesh.openSessions()) {
      if (s == from) {
        continue;
      }
      if (eagerPush && eager.contains(s)) {
        if (frame == null) {
          frame =
              MeshCodec.encode(
                  mesh.nodeId(),
                  mesh.millis(),
                  new MeshPayload.Message(message.signed().value(), content));
        }
        mesh.counters().framesOut.increment();
        s.send(frame);
      } else {
        announce.add(s);
      }
    }
    if (!announce.isEmpty()) {
      synchronized (this) {
        for (MeshSession s : announce) {
          haves.computeIfAbsent(s, k -> new ArrayList<>()).add(id);
        }
      }
    }
  }

  /** A full copy arrived pushed along the tree. */
  void pushed(MeshSession from, Carried carried) {
    mesh.counters().pushReceived.increment();
    Hash h;
    try {
      h = AnProto.msgHash(carried.message());
    } catch (RuntimeException e) {
      mesh.counters().invalidMessages.increment();
      return;
    }
    if (mesh.seen().contains(h) || mesh.store().has(h)) {
      mesh.counters().duplicatesReceived.increment();
      duplicate(from);
      return;
    }
    if (lazy.remove(from)) {
      eager.add(from);
    }
    mesh.ingest(from, List.of(carried), true);
  }

  /** {@code from} pushed a message we had: ask it to stop, and stop pushing to it. */
  void duplicate(MeshSession from) {
    if (eager.remove(from)) {
      lazy.add(from);
      mesh.counters().prunesSent.increment();
      from.send(new MeshPayload.Prune());
    }
  }

  void pruned(MeshSession from) {
    if (eager.remove(from)) {
      lazy.add(from);
    }
  }

  /** The peer missed announced messages: push to it again, and send them now. */
  void grafted(MeshSession from, List<String> ids) {
    lazy.remove(from);
    eager.add(from);
    if (ids == null || ids.isEmpty()) {
      return;
    }
    List<String> capped = ids.subList(0, Math.min(ids.size(), mesh.config().wantBatch()));
    List<String> copy = List.copyOf(capped);
    mesh.serve(
        from,
        MeshTypes.GRAFT,
        () -> {
          for (Carried c : mesh.read(copy)) {
            if (c.message() != null) {
              from.send(new MeshPayload.Message(c.message(), c.content()));
            }
          }
        });
  }

  /** Hashes announced by {@code from}: wait for them by the tree, then graft. */
  void have(MeshSession from, List<String> ids) {
    if (ids == null) {
      return;
    }
    int n = 0;
    for (String id : ids) {
      if (++n > MAX_HAVE_IDS) {
        break;
      }
      if (id == null || !Hash.isValid(id) || !from.takeHaveId()) {
        continue;
      }
      Hash h = Hash.parse(id);
      if (mesh.seen().contains(h) || mesh.store().has(h)) {
        continue;
      }
      synchronized (this) {
        Missing m = missing.get(h);
        if (m == null) {
          if (missing.size() >= MAX_MISSING
              || missingBy.getOrDefault(from, 0) >= MAX_MISSING_PER_PEER) {
            continue;
          }
          m = new Missing();
          m.creator = from;
          missingBy.merge(from, 1, Integer::sum);
          missing.put(h, m);
          m.timer = mesh.scheduler().schedule(() -> graft(h), mesh.config().graftTimeout());
        }
        if (!m.announcers.contains(from)) {
          m.announcers.add(from);
        }
      }
    }
  }

  private void graft(Hash h) {
    MeshSession target = null;
    synchronized (this) {
      Missing m = missing.get(h);
      if (m == null) {
        return;
      }
      if (mesh.seen().contains(h)) {
        forgetMissing(h);
        return;
      }
      while (!m.announcers.isEmpty() && target == null) {
        MeshSession s = m.announcers.remove(0);
        if (s.isOpenSession()) {
          target = s;
        }
      }
      if (target == null) {
        forgetMissing(h);
        return;
      }
      if (m.announcers.isEmpty()) {
        forgetMissing(h);
      } else {
        m.timer = mesh.scheduler().schedule(() -> graft(h), mesh.config().graftTimeout());
      }
    }
    if (!target.isOpenSession()) {
      return;
    }
    lazy.remove(target);
    eager.add(target);
    mesh.counters().graftsSent.increment();
    target.send(new MeshPayload.Graft(List.of(h.value())));
  }

  /** A message arrived: stop waiting for it. */
  void received(Hash h) {
    Missing m;
    synchronized (this) {
      m = missing.get(h);
      forgetMissing(h);
    }
    if (m != null && m.timer != null) {
      m.timer.cancel();
    }
  }

  /** Sends the collected announcements, and messages whose content did not come in time. */
  void flush() {
    Map<MeshSession, List<String>> batch;
    List<VerifiedMessage> stale = new ArrayList<>();
    synchronized (this) {
      batch = new HashMap<>(haves);
      haves.clear();
      long now = mesh.millis();
      for (Iterator<Waiting> it = waitingForContent.values().iterator(); it.hasNext(); ) {
        Waiting w = it.next();
        if (now - w.since() < CONTENT_WAIT_MILLIS) {
          break;
        }
        it.remove();
        stale.add(w.message());
      }
    }
    for (Map.Entry<MeshSession, List<String>> e : batch.entrySet()) {
      List<String> ids = e.getValue();
      for (int i = 0; i < ids.size(); i += MAX_HAVE_IDS) {
        e.getKey()
            .send(new MeshPayload.Have(ids.subList(i, Math.min(ids.size(), i + MAX_HAVE_IDS))));
      }
    }
    for (VerifiedMessage m : stale) {
      spread(m, null, null);
    }
  }

  void close() {
    synchronized (this) {
      for (Missing m : missing.values()) {
        if (m.timer != null) {
          m.timer.cancel();
        }
      }
      missing.clear();
      missingBy.clear();
      waitingForContent.clear();
      haves.clear();
    }
  }

  /**
   * Hears what the ANProto protocol stores: a message that did not come by the mesh is spread here,
   * with its content once that is stored (ANProto sends a message before its content).
   */
  SyncListener syncListener() {
    return new SyncListener() {
      @Override
      public void messageStored(VerifiedMessage message, String origin) {
        mesh.index().add(message);
        if (Mesh.ORIGIN.equals(origin) || mesh.isClosed()) {
          return;
        }
        mesh.seen().add(message.hash());
        received(message.hash());
        var content = mesh.store().get(message.contentHash());
        if (content.isPresent()) {
          spread(message, content.get(), null);
          return;
        }
        VerifiedMessage overflow = null;
        synchronized (Propagation.this) {
          waitingForContent.put(message.contentHash(), new Waiting(message, mesh.millis()));
          if (waitingForContent.size() > MAX_WAITING) {
            Iterator<Waiting> it = waitingForContent.values().iterator();
            overflow = it.next().message();
            it.remove();
          }
        }
        if (overflow != null) {
          spread(overflow, null, null);
        }
      }

      @Override
      public void blobStored(Hash hash, int chars, String origin) {
        Waiting w;
        synchronized (Propagation.this) {
          w = waitingForContent.remove(hash);
        }
        if (w != null) {
          mesh.store().get(hash).ifPresent(content -> spread(w.message(), content, null));
        }
      }
    };
  }
}
