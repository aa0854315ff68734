package dev.grapevine.conn.query;

import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.hub.ConnHub;
import dev.grapevine.conn.hub.HubEntry;
import dev.grapevine.conn.staging.ConnStaging;
import dev.grapevine.conn.staging.StagedEntry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Peers across the database, the hub and staging, on the ssb-conn-query model.
 *
 * <ul>
 *   <li>{@link #peersConnectable}: database and/or staging peers (database first) that the hub is
 *       not connected or connecting to. A {@code disconnecting} peer counts as connectable. An
 *       address in both pools appears twice, as upstream. Unlike upstream, a peer the hub has under
 *       another address with the same {@code key} is not connectable either (the hub keeps one link
 *       per key).
 *   <li>{@link #peersConnected}, {@link #peersConnecting}, {@link #peersInConnection}: hub entries
 *       in hub order, each with the data of the database if the address is there, else of staging,
 *       else of the hub; the hub's {@code key} is copied if the data has none. Unlike upstream,
 *       which drops them, the hub's fields ({@code state}, {@code hubBirth}, {@code hubUpdated},
 *       {@code inferredType}, {@code isClient} and the hub entry's data) are merged in where the
 *       data lacks them, and {@code state} always comes from the hub.
 *   <li>{@link #peersAll}: {@code peersConnectable(DB_AND_STAGING)} then {@code
 *       peersInConnection()}.
 * </ul>
 *
 * <p>Addresses are compared as canonical {@link ConnAddress} text when they parse, as given
 * otherwise. The pool of a result is the {@link Peer#pool()} field (upstream puts {@code pool} in
 * the data, where a stale value could win).
 *
 * <p>Thread-safe: each call reads one snapshot of each pool and returns fresh immutable results.
 */
public final class ConnQuery {
  /** Which pools {@link #peersConnectable} reads. */
  public enum Connectable {
    /** The database only (the default upstream). */
    DB,
    /** Staging only. */
    STAGING,
    /** The database, then staging. */
    DB_AND_STAGING
  }

  private final PeerSource db;
  private final PeerSource hub;
  private final PeerSource staging;

  /**
   * A query over three pools.
   *
   * @param db the peer database
   * @param hub the hub, whose data must carry {@code state} (see {@link #hub(ConnHub)})
   * @param staging staging (see {@link #staging(ConnStaging)})
   */
  public ConnQuery(PeerSource db, PeerSource hub, PeerSource staging) {
    this.db = Objects.requireNonNull(db, "db");
    this.hub = Objects.requireNonNull(hub, "hub");
    this.staging = Objects.requireNonNull(staging, "staging");
  }

  /** The hub's entries as a pool, data from {@link HubEntry#toData()}. */
  public static PeerSource hub(ConnHub hub) {
    Objects.requireNonNull(hub, "hub");
    return () -> {
      Map<String, Map<String, Object>> m = new LinkedHashMap<>();
      for (HubEntry e : hub.entries()) {
        m.put(e.address().toString(), e.toData());
      }
      return m;
    };
  }

  /** Staging's entries as a pool, data from {@link StagedEntry#toData()}. */
  public static PeerSource staging(ConnStaging staging) {
    Objects.requireNonNull(staging, "staging");
    return () -> {
      Map<String, Map<String, Object>> m = new LinkedHashMap<>();
      for (StagedEntry e : staging.entries()) {
        m.put(e.address().toString(), e.toData());
      }
      return m;
    };
  }

  // ---------------------------------------------------------------- instance queries

  /** Database and/or staging peers the hub is not connected or connecting to. */
  public List<Peer> peersConnectable(Connectable pool) {
    Objects.requireNonNull(pool, "pool");
    Map<String, Map<String, Object>> hubNow = canonical(hub.snapshot());
    Set<String> busyAddresses = new HashSet<>();
    Set<String> busyKeys = new HashSet<>();
    hubNow.forEach(
        (address, data) -> {
          Object state = data.get("state");
          if ("connected".equals(state) || "connecting".equals(state)) {
            busyAddresses.add(address);
            if (data.get("key") instanceof String k) {
              busyKeys.add(k);
            }
          }
        });
    List<Peer> out = new ArrayList<>();
    if (pool != Connectable.STAGING) {
      addConnectable(out, Pool.DB, canonical(db.snapshot()), busyAddresses, busyKeys);
    }
    if (pool != Connectable.DB) {
      addConnectable(out, Pool.STAGING, canonical(staging.snapshot()), busyAddresses, busyKeys);
    }
    return List.copyOf(out);
  }

  /** Hub peers in state {@code connected}. */
  public List<Peer> peersConnected() {
    return hubPeers(Set.of("connected"));
  }

  /** Hub peers in state {@code connecting}. */
  public List<Peer> peersConnecting() {
    return hubPeers(Set.of("connecting"));
  }

  /** Hub peers connected or connecting. */
  public List<Peer> peersInConnection() {
    return hubPeers(Set.of("connected", "connecting"));
  }

  /** {@code peersConnectable(DB_AND_STAGING)} followed by {@link #peersInConnection()}. */
  public List<Peer> peersAll() {
    List<Peer> out = new ArrayList<>(peersConnectable(Connectable.DB_AND_STAGING));
    out.addAll(peersInConnection());
    return List.copyOf(out);
  }

  private static void addConnectable(
      List<Peer> out,
      Pool pool,
      Map<String, Map<String, Object>> entries,
      Set<String> busyAddresses,
      Set<String> busyKeys) {
    entries.forEach(
        (address, data) -> {
          boolean busy =
              busyAddresses.contains(address)
                  || data.get("key") instanceof String k && busyKeys.contains(k);
          if (!busy) {
            out.add(new Peer(address, pool, data));
          }
        });
  }

  private List<Peer> hubPeers(Set<String> states) {
    Map<String, Map<String, Object>> hubNow = canonical(hub.snapshot());
    Map<String, Map<String, Object>> dbNow = null;
    Map<String, Map<String, Object>> stagingNow = null;
    List<Peer> out = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> e : hubNow.entrySet()) {
      Map<String, Object> hubData = e.getValue();
      if (!states.contains(hubData.get("state"))) {
        continue;
      }
      if (dbNow == null) {
        dbNow = canonical(db.snapshot());
        stagingNow = canonical(staging.snapshot());
      }
      String address = e.getKey();
      Pool pool;
      Map<String, Object> data;
      if (dbNow.containsKey(address)) {
        pool = Pool.DB;
        data = new LinkedHashMap<>(dbNow.get(address));
      } else if (stagingNow.containsKey(address)) {
        pool = Pool.STAGING;
        data = new LinkedHashMap<>(stagingNow.get(address));
      } else {
        pool = Pool.HUB;
        data = new LinkedHashMap<>();
      }
      hubData.forEach(data::putIfAbsent);
      data.put("state", hubData.get("state"));
      out.add(new Peer(address, pool, data));
    }
    return List.copyOf(out);
  }

  private static Map<String, Map<String, Object>> canonical(
      Map<String, ? extends Map<String, ?>> snapshot) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    snapshot.forEach(
        (address, data) -> {
          Map<String, Object> copy = new LinkedHashMap<>();
          data.forEach(
              (k, v) -> {
                if (v != null) {
                  copy.put(k, v);
                }
              });
          out.putIfAbsent(canonicalAddress(address), copy);
        });
    return out;
  }

  private static String canonicalAddress(String address) {
    try {
      return ConnAddress.parse(address).toString();
    } catch (IllegalArgumentException e) {
      return address;
    }
  }

  // ---------------------------------------------------------------- static helpers

  /** {@code !p.stateChange}: never attempted (no, zero or NaN {@code stateChange}). */
  public static boolean hasNoAttempts(Peer p) {
    return !truthy(p.data().get("stateChange"));
  }

  /**
   * {@code !!p.stateChange && (!p.duration || p.duration.mean == 0)}: attempted, never stayed
   * connected.
   */
  public static boolean hasOnlyFailedAttempts(Peer p) {
    Object duration = p.data().get("duration");
    return truthy(p.data().get("stateChange")) && (!truthy(duration) || mean(duration) == 0);
  }

  /** {@code !!p.duration && p.duration.mean > 0}. */
  public static boolean hasSuccessfulAttempts(Peer p) {
    Object duration = p.data().get("duration");
    return truthy(duration) && mean(duration) > 0;
  }

  /** {@code !!p.ping && !!p.ping.rtt && p.ping.rtt.mean > 0}. */
  public static boolean hasPinged(Peer p) {
    Object ping = p.data().get("ping");
    if (!truthy(ping)) {
      return false;
    }
    Object rtt = ping instanceof Map<?, ?> m ? m.get("rtt") : null;
    return truthy(rtt) && mean(rtt) > 0;
  }

  /**
   * The exponential backoff: a peer passes iff {@code (stateChange || 0) + min(2^(failure || 0) *
   * step, max) < timestamp}.
   *
   * @param max the cap on the delay
   * @param timestampMillis the current time, epoch milliseconds
   */
  public static Predicate<Peer> passesExpBackoff(
      Duration step, Duration max, long timestampMillis) {
    return p -> nextAttempt(p, step, max) < timestampMillis;
  }

  /**
   * When {@link #passesExpBackoff(Duration, Duration, long)} starts to let {@code p} pass: {@code
   * (stateChange || 0) + min(2^(failure || 0) * step, max)}, epoch milliseconds.
   */
  public static double nextAttempt(Peer p, Duration step, Duration max) {
    double last = orZero(p.data().get("stateChange"));
    double failure = orZero(p.data().get("failure"));
    return last + Math.min(Math.pow(2, failure) * step.toMillis(), max.toMillis());
  }

  /** {@link #passesExpBackoff(Duration, Duration, long)} at {@code clock}'s current time. */
  public static Predicate<Peer> passesExpBackoff(Duration step, Duration max, Clock clock) {
    return passesExpBackoff(step, max, clock.millis());
  }

  /** {@link #passesExpBackoff(Duration, Duration, long)} with no cap (upstream's Infinity). */
  public static Predicate<Peer> passesExpBackoff(Duration step, long timestampMillis) {
    double stepMs = step.toMillis();
    return p -> {
      double last = orZero(p.data().get("stateChange"));
      double failure = orZero(p.data().get("failure"));
      return last + Math.pow(2, failure) * stepMs < timestampMillis;
    };
  }

  /**
   * The group debounce: with {@code newest = max(stateChange || 0)} over {@code peers}, returns all
   * of {@code peers} if {@code timestamp >= newest + groupMin}, otherwise an empty list (a list, as
   * upstream's code, not a boolean as its README says). An empty group passes.
   */
  public static List<Peer> passesGroupDebounce(
      List<Peer> peers, Duration groupMin, long timestampMillis) {
    double newest = Double.NEGATIVE_INFINITY;
    for (Peer p : peers) {
      newest = Math.max(newest, orZero(p.data().get("stateChange")));
    }
    return timestampMillis >= newest + groupMin.toMillis() ? List.copyOf(peers) : List.of();
  }

  /** {@link #passesGroupDebounce(List, Duration, long)} at {@code clock}'s current time. */
  public static List<Peer> passesGroupDebounce(List<Peer> peers, Duration groupMin, Clock clock) {
    return passesGroupDebounce(peers, groupMin, clock.millis());
  }

  /**
   * {@code peers} sorted by {@code stateChange}, oldest first, in a new list; a missing {@code
   * stateChange} counts as 0 and sorts first (upstream sorts in place and compares NaN). Stable.
   */
  public static List<Peer> sortByStateChange(List<Peer> peers) {
    List<Peer> sorted = new ArrayList<>(peers);
    sorted.sort(Comparator.comparingDouble(p -> orZero(p.data().get("stateChange"))));
    return sorted;
  }

  // ---------------------------------------------------------------- JavaScript semantics

  /** JavaScript truthiness of a JSON-like value. */
  private static boolean truthy(Object v) {
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return d != 0 && !Double.isNaN(d);
    }
    if (v instanceof CharSequence s) {
      return s.length() > 0;
    }
    return true;
  }

  /** {@code v || 0} for a number, 0 for anything that is not a truthy number. */
  private static double orZero(Object v) {
    return v instanceof Number n && truthy(n) ? n.doubleValue() : 0;
  }

  /** {@code v.mean} as a number, NaN if absent (so comparisons with it are false, as in JS). */
  private static double mean(Object v) {
    if (v instanceof Map<?, ?> m && m.get("mean") instanceof Number n) {
      return n.doubleValue();
    }
    return Double.NaN;
  }
}
