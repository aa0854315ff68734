package dev.grapevine.mesh;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.mesh.MeshPayload.Carried;
import dev.grapevine.store.LogEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Feed sync in MiniLedger's style: one author's messages, in timestamp order, fetched in batches of
 * {@link MeshConfig#syncBatch()} by position ({@code fromHeight..toHeight}, 1-based). Unlike
 * MiniLedger each request carries an id, so a late answer is never taken for the next batch; the
 * server clamps the range to the batch size; a peer that does not answer within {@link
 * MeshConfig#syncTimeout()}, or whose batch does not advance the local feed (it did not verify, or
 * we had it), is left for the next peer, so a bad batch never causes a loop of requests.
 *
 * <p>Thread-safe; store reads run on the mesh's pool.
 */
final class FeedSync {
  private final Mesh mesh;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

  FeedSync(Mesh mesh) {
    this.mesh = mesh;
  }

  private record Pending(
      MeshSession peer,
      CompletableFuture<MeshPayload.SyncResponse> response,
      Scheduler.Cancellable timer) {}

  CompletableFuture<Integer> sync(PublicKey author) {
    List<MeshSession> peers = new ArrayList<>(mesh.openSessions());
    peers.sort(Comparator.comparingLong(MeshSession::chainHeight).reversed());
    CompletableFuture<Integer> result = new CompletableFuture<>();
    run(() -> next(author, peers, 0, 0, 0, result), result);
    return result;
  }

  /** Asks {@code peers[i]} for the next batch after what the store has now. */
  private void next(
      PublicKey author,
      List<MeshSession> peers,
      int i,
      int total,
      long knownHeight,
      CompletableFuture<Integer> result) {
    if (i >= peers.size() || mesh.isClosed()) {
      result.complete(total);
      return;
    }
    MeshSession s = peers.get(i);
    if (!s.isOpenSession()) {
      next(author, peers, i + 1, total, 0, result);
      return;
    }
    int local = localHeight(author);
    long from = local + 1L;
    long to = from + mesh.config().syncBatch() - 1;
    if (knownHeight > 0) {
      to = Math.min(to, knownHeight);
    }
    String id = UUID.randomUUID().toString();
    CompletableFuture<MeshPayload.SyncResponse> response = new CompletableFuture<>();
    Scheduler.Cancellable timer =
        mesh.scheduler()
            .schedule(
                () ->
                    response.completeExceptionally(
                        new TimeoutException(
                            "No SYNC_RESPONSE within " + mesh.config().syncTimeout())),
                mesh.config().syncTimeout());
    pending.put(id, new Pending(s, response, timer));
    s.send(new MeshPayload.SyncRequest(id, author.value(), from, to));
    response.whenComplete(
        (r, err) -> {
          pending.remove(id);
          timer.cancel();
          if (err != null) {
            run(() -> next(author, peers, i + 1, total, 0, result), result);
            return;
          }
          List<Carried> items = r.messages() == null ? List.of() : r.messages();
          if (items.isEmpty()) {
            result.complete(total);
            return;
          }
          mesh.counters().pullReceived.add(items.size());
          mesh.ingest(s, items, false)
              .whenComplete(
                  (n, e2) ->
                      run(
                          () -> {
                            int added = n == null ? 0 : n;
                            boolean advanced = localHeight(author) > local;
                            if (!advanced) {
                              next(author, peers, i + 1, total + added, 0, result);
                            } else if (r.hasMore()) {
                              next(author, peers, i, total + added, r.height(), result);
                            } else {
                              result.complete(total + added);
                            }
                          },
                          result));
        });
  }

  /** Runs a step of a sync on the pool, failing the sync if the pool refuses it. */
  private void run(Runnable step, CompletableFuture<Integer> result) {
    if (!mesh.execute(step)) {
      result.completeExceptionally(
          new java.util.concurrent.RejectedExecutionException("The mesh's pool is full"));
    }
  }

  private int localHeight(PublicKey author) {
    return mesh.store().byAuthor(author).size();
  }

  /** Answers a SYNC_REQUEST with at most one batch, off the I/O thread. */
  void serve(MeshSession s, MeshPayload.SyncRequest req) {
    PublicKey author;
    try {
      author = PublicKey.parse(req.author());
    } catch (RuntimeException e) {
      s.sendError(
          MeshProtocolException.Reason.INVALID_PAYLOAD,
          "Expected an author's public key but was " + req.author(),
          MeshTypes.SYNC_REQUEST);
      return;
    }
    long from = Math.max(1, req.fromHeight());
    long to = Math.min(Math.max(from, req.toHeight()), from + mesh.config().syncBatch() - 1);
    mesh.serve(
        s,
        MeshTypes.SYNC_REQUEST,
        () -> {
          List<LogEntry> log = new ArrayList<>(mesh.store().byAuthor(author));
          log.sort(LogEntry.TIMESTAMP_ORDER);
          List<Carried> items = new ArrayList<>();
          long chars = 0;
          long last = from - 1;
          for (long h = from; h <= to && h <= log.size(); h++) {
            LogEntry e = log.get((int) (h - 1));
            Carried c = new Carried(e.sig(), mesh.store().get(e.contentHash()).orElse(null));
            long size = c.chars();
            if (!items.isEmpty() && chars + size > mesh.config().maxMessagesBytes()) {
              break; // a short batch: the requester asks for the rest
            }
            items.add(c);
            chars += size;
            last = h;
          }
          s.send(
              new MeshPayload.SyncResponse(
                  req.requestId(), author.value(), from, items, last < log.size(), log.size()));
        });
  }

  void response(MeshSession s, MeshPayload.SyncResponse r) {
    if (r.requestId() == null) {
      return;
    }
    Pending p = pending.get(r.requestId());
    if (p == null || p.peer() != s) {
      return; // late, unknown or from another peer: never taken for another request
    }
    p.response().complete(r);
  }

  void peerClosed(MeshSession s) {
    for (Pending p : pending.values()) {
      if (p.peer() == s) {
        p.response().completeExceptionally(new IllegalStateException("The peer disconnected"));
      }
    }
  }

  void close() {
    for (Pending p : pending.values()) {
      p.timer().cancel();
      p.response().completeExceptionally(new IllegalStateException("The mesh is closed"));
    }
  }
}
