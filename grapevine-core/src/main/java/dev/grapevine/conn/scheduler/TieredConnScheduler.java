package dev.grapevine.conn.scheduler;

import dev.grapevine.conn.query.ConnQuery;
import dev.grapevine.conn.query.Peer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * ssb-conn 5's scheduler: tiers of exponential backoff. Built by {@link ConnScheduler#builder} when
 * {@link SchedulerConfig#strategy()} is {@link SchedulerConfig.Strategy#TIERED}.
 *
 * <p>Every round, each tier in turn keeps its quota of peers in connection (connected or
 * connecting) and dials database peers that pass its group debounce (no peer of the group changed
 * state within {@code groupMin}) and the backoff {@code stateChange + min(2^failure × step, max) <
 * now}, in order of last state change (or shuffled, with probability 0.3):
 *
 * <table>
 *   <caption>Tiers</caption>
 *   <tr><th>peers</th><th>quota</th><th>step</th><th>max</th><th>groupMin</th></tr>
 *   <tr><td>{@code source: "seed"}</td><td>3</td><td>2 s</td><td>10 min</td><td>1 s</td></tr>
 *   <tr><td>any, only while nothing is in connection</td><td>1</td><td>1 s</td>
 *       <td>{@link SchedulerConfig#tieredDesperateMaxBackoff()}</td><td>0</td></tr>
 *   <tr><td>rooms</td><td>{@link SchedulerConfig#roomQuota()}</td><td>5 s</td><td>5 min</td>
 *       <td>5 s</td></tr>
 *   <tr><td>others that answered pings</td><td>2</td><td>10 s</td><td>10 min</td><td>5 s</td></tr>
 *   <tr><td>others never attempted</td><td>2</td><td>30 s</td><td>30 min</td><td>15 s</td></tr>
 *   <tr><td>others that only failed</td><td>3</td><td>1 min</td><td>3 h</td><td>5 min</td></tr>
 *   <tr><td>others that connected but never answered pings</td><td>1</td><td>4 min</td>
 *       <td>3 h</td><td>5 min</td></tr>
 * </table>
 *
 * A tier with more than twice its quota in connection drops the oldest beyond the quota, each after
 * a random delay in {@code [0.5, 1.5) × excessPeriod / excess}. Then staged peers we trust (hops
 * above 0) that are not pubs are dialled up to 3 in connection; blocked peers are disconnected;
 * dials still connecting after their type's timeout are cancelled; and remembered peers connected
 * for {@link SchedulerConfig#tieredMaxConnectionAge()} whose type is neither {@code lan} nor {@code
 * bt} are disconnected, so that connections are recycled.
 *
 * <p>Fix to upstream: the "nothing in connection" tier capped the backoff at 6 s, so a node whose
 * only peers were dead retried them every few seconds (ssb-conn issue 30); here its cap is {@link
 * SchedulerConfig#tieredDesperateMaxBackoff()} (10 min), so the backoff keeps growing with failures
 * in every tier. With {@link SchedulerConfig.Role#PUB}, inbound peers are neither counted nor
 * trimmed nor recycled.
 */
public final class TieredConnScheduler extends BaseScheduler {
  private static final int FOLLOWED_STAGED_QUOTA = 3;

  private final List<Tier> tiers;

  /** Timer thread: addresses with an excess disconnect already scheduled. */
  private final Set<String> trimming = new HashSet<>();

  TieredConnScheduler(ConnScheduler.Builder b) {
    super(b);
    Predicate<Peer> notRoom = p -> !Peers.isRoom(p);
    this.tiers =
        List.of(
            new Tier(
                p -> "seed".equals(p.data().get("source")),
                3,
                Duration.ofSeconds(2),
                Duration.ofMinutes(10),
                Duration.ofSeconds(1),
                false),
            new Tier(
                p -> true,
                1,
                Duration.ofSeconds(1),
                config.tieredDesperateMaxBackoff(),
                Duration.ZERO,
                true),
            new Tier(
                Peers::isRoom,
                config.roomQuota(),
                Duration.ofSeconds(5),
                Duration.ofMinutes(5),
                Duration.ofSeconds(5),
                false),
            new Tier(
                notRoom.and(ConnQuery::hasPinged),
                2,
                Duration.ofSeconds(10),
                Duration.ofMinutes(10),
                Duration.ofSeconds(5),
                false),
            new Tier(
                notRoom.and(ConnQuery::hasNoAttempts),
                2,
                Duration.ofSeconds(30),
                Duration.ofMinutes(30),
                Duration.ofSeconds(15),
                false),
            new Tier(
                notRoom.and(ConnQuery::hasOnlyFailedAttempts),
                3,
                Duration.ofMinutes(1),
                Duration.ofHours(3),
                Duration.ofMinutes(5),
                false),
            new Tier(
                notRoom.and(ConnQuery::hasSuccessfulAttempts).and(p -> !ConnQuery.hasPinged(p)),
                1,
                Duration.ofMinutes(4),
                Duration.ofHours(3),
                Duration.ofMinutes(5),
                false));
  }

  @Override
  void updateHub(Round round) {
    for (Tier t : tiers) {
      if (t.onlyWhenIdle
          && (!query.peersInConnection().isEmpty() || !round.requestedPeers().isEmpty())) {
        continue;
      }
      updateTier(round, t);
    }
    connectTrustedStaged(round);
    disconnectBlocked();
    cancelStuckConnects(round.now);
    recycleOld(round.now);
  }

  private void updateTier(Round round, Tier t) {
    long now = round.now;
    List<Peer> up = new ArrayList<>();
    query.peersInConnection().stream().filter(t.test).filter(this::trimmable).forEach(up::add);
    round.requestedPeers().stream().filter(t.test).forEach(up::add);
    int excess = up.size() > 2 * t.quota ? up.size() - t.quota : 0;
    int freeSlots = Math.max(t.quota - up.size(), 0);

    if (excess > 0) {
      for (Peer p : ConnQuery.sortByStateChange(up).subList(0, excess)) {
        if (round.requested(p) || !trimming.add(p.address())) {
          continue;
        }
        long delay =
            Math.round(config.excessPeriod().toMillis() * (0.5 + random.nextDouble()) / excess);
        long gen = generation();
        timer.schedule(
            () -> {
              trimming.remove(p.address());
              if (current(gen)) {
                disconnect(p, "more than twice the tier's quota in connection");
              }
            },
            Duration.ofMillis(delay));
      }
    }
    List<Peer> down =
        Peers.distinct(query.peersConnectable(ConnQuery.Connectable.DB)).stream()
            .filter(t.test)
            .filter(this::dialable)
            .filter(p -> !round.requested(p))
            .toList();
    for (Peer p : down) {
      round.due(p, ConnQuery.nextAttempt(p, t.step, t.max));
    }
    if (freeSlots == 0) {
      return;
    }
    down = ConnQuery.passesGroupDebounce(down, t.groupMin, now);
    List<Peer> ready =
        new ArrayList<>(
            down.stream().filter(ConnQuery.passesExpBackoff(t.step, t.max, now)).toList());
    if (random.nextDouble() < 0.3) {
      Collections.shuffle(ready, random);
    } else {
      ready = ConnQuery.sortByStateChange(ready);
    }
    for (Peer p : ready.subList(0, Math.min(freeSlots, ready.size()))) {
      connect(round, p, Map.of());
    }
  }

  /**
   * Staged peers we trust, other than pubs, up to {@value #FOLLOWED_STAGED_QUOTA} in connection.
   */
  private void connectTrustedStaged(Round round) {
    Predicate<Peer> trusted = p -> !"pub".equals(Peers.detectType(p)) && hops.hops(p).orElse(0) > 0;
    long inConnection =
        query.peersInConnection().stream().filter(trusted).count()
            + round.requestedPeers().stream().filter(trusted).count();
    long free = Math.max(FOLLOWED_STAGED_QUOTA - inConnection, 0);
    Peers.distinct(query.peersConnectable(ConnQuery.Connectable.STAGING)).stream()
        .filter(trusted)
        .filter(this::dialable)
        .filter(p -> !round.requested(p))
        .limit(free)
        .forEach(p -> connect(round, p, Map.of()));
  }

  /**
   * Disconnects remembered peers that have been connected for the maximum age, unless their {@code
   * type} is {@code lan} or {@code bt} (upstream's 30-minute rule, which reads the database's
   * {@code stateChange}).
   */
  private void recycleOld(long now) {
    long maxAge = config.tieredMaxConnectionAge().toMillis();
    for (Peer p : query.peersConnected()) {
      Object type = p.data().get("type");
      if (!trimmable(p) || "lan".equals(type) || "bt".equals(type)) {
        continue;
      }
      if (p.data().get("stateChange") instanceof Number n && n.longValue() + maxAge < now) {
        disconnect(p, "connected for " + config.tieredMaxConnectionAge());
      }
    }
  }

  /** One tier of the table. */
  private record Tier(
      Predicate<Peer> test,
      int quota,
      Duration step,
      Duration max,
      Duration groupMin,
      boolean onlyWhenIdle) {}
}
