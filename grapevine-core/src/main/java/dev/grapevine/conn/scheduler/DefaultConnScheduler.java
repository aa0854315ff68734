package dev.grapevine.conn.scheduler;

import dev.grapevine.conn.query.ConnQuery;
import dev.grapevine.conn.query.Peer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The default scheduler: ssb-conn 6's rules, with the fixes of the specification. Built by {@link
 * ConnScheduler#builder} when {@link SchedulerConfig#strategy()} is {@link
 * SchedulerConfig.Strategy#COOLDOWN}.
 *
 * <p>Every round (about every {@link SchedulerConfig#tickInterval()}, and soon after a peer
 * disconnects or is staged) it keeps two groups at their quota: rooms ({@code type: "room"}, from
 * the database, {@link SchedulerConfig#roomQuota()}) and every other peer (database and staging,
 * {@link SchedulerConfig#peerQuota()}). For each group:
 *
 * <ol>
 *   <li><b>Excess</b>: with more than twice the quota connected, the oldest connections beyond the
 *       quota are dropped, one every {@code excessPeriod × factor / excess}.
 *   <li><b>Rotation</b>: with the quota full and peers waiting that are ready to dial, the oldest
 *       connection is dropped once per {@code rotationPeriod × factor / √ready} (rooms: only empty
 *       ones, {@code onlineCount: 0}).
 *   <li><b>Connect</b>: the free slots go to the peers whose cooldown (see below) has passed since
 *       their last state change, lowest cooldown first.
 * </ol>
 *
 * Then blocked peers are disconnected and dials still connecting after their type's timeout are
 * cancelled. {@code factor} is one random number in [0.8, 1.2) per scheduler.
 *
 * <p><b>Cooldown</b> of a peer, in the spirit of a retry backoff that grows with failures:
 *
 * <pre>
 * (hops × hopCooldown + retryBase + min(64, failure)³ × retryStep) × max(0.1, fullPercent)
 *   × 0.5 if never attempted, × 0.5 with probability 0.3, × 0.7 for lan,
 *   × 0.8 for a room attendant, × 3 if every attempt failed
 * </pre>
 *
 * With the defaults the retry part is 14 s after one failure, 84 s after two, 274 s after three and
 * 2.8 h after ten: a dead peer is never hammered, even when nothing is connected (the cooldown then
 * shrinks tenfold but still grows with the cube of the failures). Strangers and blocked peers (see
 * {@link HopSource}) have an infinite cooldown: only rooms are dialled without trust.
 *
 * <p>Fixes to upstream: rotation only happens when a peer that is ready to dial waits (upstream
 * rotated even when every waiting peer was a stranger that could never be dialled); each group has
 * its own rotation time; connecting timeouts count from the hub entry, so staged and LAN peers time
 * out too; the hub's fields are part of every connected peer, so excess and rotation see peers that
 * are in the database; with {@link SchedulerConfig.Role#PUB} inbound peers are neither counted nor
 * trimmed.
 *
 * <p>Threads: see {@link ConnScheduler} and the package documentation.
 */
public final class DefaultConnScheduler extends BaseScheduler {
  private final Group rooms;
  private final Group peers;

  DefaultConnScheduler(ConnScheduler.Builder b) {
    super(b);
    this.rooms =
        new Group(
            config.roomQuota(),
            Peers::isRoom,
            ConnQuery.Connectable.DB,
            p -> p.data().get("onlineCount") instanceof Number n && n.doubleValue() == 0,
            config.roomRotationPeriod());
    this.peers =
        new Group(
            config.peerQuota(),
            p -> !Peers.isRoom(p),
            ConnQuery.Connectable.DB_AND_STAGING,
            p -> true,
            config.peerRotationPeriod());
  }

  @Override
  void updateHub(Round round) {
    maintain(round, rooms);
    maintain(round, peers);
    disconnectBlocked();
    cancelStuckConnects(round.now);
  }

  private void maintain(Round round, Group g) {
    long now = round.now;
    List<Peer> up =
        query.peersConnected().stream().filter(g.desired).filter(this::trimmable).toList();
    List<Peer> down =
        Peers.distinct(query.peersConnectable(g.pool)).stream()
            .filter(g.desired)
            .filter(this::dialable)
            .filter(p -> !round.requested(p))
            .toList();
    int quota = g.quota;
    int excess = up.size() > 2 * quota ? up.size() - quota : 0;
    int freeSlots = Math.max(quota - up.size(), 0);
    double fullPercent = quota == 0 ? 1 : 1 - (double) freeSlots / quota;

    if (excess > 0) {
      double wait = config.excessPeriod().toMillis() * randomMultiplier / excess;
      up.stream()
          .filter(p -> now > Peers.hubUpdated(p) + wait)
          .sorted(Comparator.comparingLong(Peers::hubUpdated))
          .limit(excess)
          .forEach(p -> disconnect(p, "more than twice the quota connected"));
    }

    List<Scored> ready = new ArrayList<>();
    for (Peer p : down) {
      double cooldown = Cooldown.millis(p, hops.hops(p), fullPercent, random, config);
      round.due(p, Peers.lastChange(p) + cooldown);
      if (Double.isFinite(cooldown) && now > Peers.lastChange(p) + cooldown) {
        ready.add(new Scored(p, cooldown));
      }
    }

    if (freeSlots == 0 && quota > 0 && !ready.isEmpty()) {
      double period = g.rotationPeriod.toMillis() * randomMultiplier / Math.sqrt(ready.size());
      if (g.lastRotationAt + period < now) {
        up.stream()
            .filter(g.rotatable)
            .filter(p -> Peers.lastChange(p) + period < now)
            .min(Comparator.comparingLong(Peers::hubUpdated))
            .ifPresent(
                p -> {
                  g.lastRotationAt = now;
                  disconnect(p, "rotation");
                });
      }
    }

    ready.sort(Comparator.comparingDouble(Scored::cooldown));
    for (Scored s : ready.subList(0, Math.min(freeSlots, ready.size()))) {
      connect(round, s.peer, Map.of("cooldown", Math.round(s.cooldown)));
    }
  }

  /** A peer and its cooldown in milliseconds. */
  private record Scored(Peer peer, double cooldown) {}

  /** One group kept at its quota; {@link #lastRotationAt} belongs to the timer thread. */
  private static final class Group {
    final int quota;
    final Predicate<Peer> desired;
    final ConnQuery.Connectable pool;
    final Predicate<Peer> rotatable;
    final Duration rotationPeriod;
    long lastRotationAt;

    Group(
        int quota,
        Predicate<Peer> desired,
        ConnQuery.Connectable pool,
        Predicate<Peer> rotatable,
        Duration rotationPeriod) {
      this.quota = quota;
      this.desired = desired;
      this.pool = pool;
      this.rotatable = rotatable;
      this.rotationPeriod = rotationPeriod;
    }
  }
}
