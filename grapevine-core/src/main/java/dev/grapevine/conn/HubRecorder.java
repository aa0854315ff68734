package dev.grapevine.conn;

import dev.grapevine.conn.db.ConnDb;
import dev.grapevine.conn.db.PeerData;
import dev.grapevine.conn.hub.ConnHub;
import dev.grapevine.conn.hub.HubEvent;
import dev.grapevine.conn.hub.Subscription;
import dev.grapevine.conn.staging.ConnStaging;
import dev.grapevine.conn.staging.StagedEntry;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the hub does into the peer database and staging (ssb-conn's interpool glue), so that
 * the automatic fields the schedulers read are right. For each hub event:
 *
 * <table>
 *   <caption>Effects</caption>
 *   <tr><th>event</th><th>database (addresses already stored only)</th><th>staging</th></tr>
 *   <tr><td>connecting</td><td>{@code stateChange}</td><td rowspan="2">the address, and every
 *       staged address with the same key, is unstaged; its staged data ({@code type}, …) is merged
 *       into the hub entry</td></tr>
 *   <tr><td>connected</td><td>{@code stateChange}, {@code failure = 0}, start of the lifetime
 *       measurement</td></tr>
 *   <tr><td>connecting-failed</td><td>{@code stateChange}, {@code failure + 1}, a 0 sample in
 *       {@code duration}</td><td></td></tr>
 *   <tr><td>disconnecting, disconnecting-failed</td><td>{@code stateChange}</td><td></td></tr>
 *   <tr><td>disconnected</td><td>{@code stateChange} and the connection's lifetime in {@code
 *       duration}; for a dial that was cancelled before it connected (a connecting timeout, a user's
 *       disconnect), the same as connecting-failed</td><td></td></tr>
 * </table>
 *
 * <p>Counting a cancelled dial as a failure is deliberate: a peer that never answers (packets
 * dropped, so the dial hangs until the scheduler's connecting timeout) must back off like one that
 * refuses; upstream counted neither. Dials cancelled because the hub is closing are not counted.
 * Staging refuses peers the hub already has through {@link
 * dev.grapevine.conn.staging.HubLookup#of}; this class removes them when they start connecting.
 *
 * <p>Threads: the listener runs on the hub thread, which owns this object's state (the set of
 * addresses still connecting). {@link #close()} may be called from any thread.
 */
public final class HubRecorder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HubRecorder.class);

  private final ConnHub hub;
  private final ConnDb db;
  private final ConnStaging staging;
  private final Clock clock;
  private final Subscription subscription;

  /** Hub thread: addresses whose entry started connecting and has not connected yet. */
  private final Set<ConnAddress> connecting = new HashSet<>();

  private HubRecorder(ConnHub hub, ConnDb db, ConnStaging staging, Clock clock) {
    this.hub = hub;
    this.db = db;
    this.staging = staging;
    this.clock = clock;
    this.subscription = hub.listen(this::onEvent);
  }

  /**
   * Starts recording the events of {@code hub} from now on.
   *
   * @param clock the time written into {@code stateChange}; the hub's clock
   */
  public static HubRecorder start(ConnHub hub, ConnDb db, ConnStaging staging, Clock clock) {
    Objects.requireNonNull(hub, "hub");
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(staging, "staging");
    Objects.requireNonNull(clock, "clock");
    return new HubRecorder(hub, db, staging, clock);
  }

  /** Stops recording. Idempotent; events already being handled finish. */
  @Override
  public void close() {
    subscription.close();
  }

  private void onEvent(HubEvent e) {
    try {
      record(e);
    } catch (IllegalStateException closed) {
      // The database or staging closed before the hub (a shutdown in the wrong order).
      log.debug("Could not record {} of {}: {}", e.type(), e.address(), closed.getMessage());
    }
  }

  private void record(HubEvent e) {
    String address = e.address().toString();
    long now = clock.millis();
    switch (e.type()) {
      case CONNECTING -> {
        connecting.add(e.address());
        db.connecting(address);
        adoptStaged(e);
      }
      case CONNECTED -> {
        connecting.remove(e.address());
        db.connected(address, now);
        adoptStaged(e);
      }
      case CONNECTING_FAILED -> {
        connecting.remove(e.address());
        db.connectFailed(address, now);
      }
      case DISCONNECTING, DISCONNECTING_FAILED -> db.update(address, stateChange(now));
      case DISCONNECTED -> {
        boolean cancelledDial = connecting.remove(e.address());
        if (cancelledDial && !hub.isClosed()) {
          db.connectFailed(address, now);
        } else {
          db.disconnected(address, now);
        }
      }
    }
  }

  /**
   * Unstages the peer (its address and any staged address with its key) and keeps the staged data
   * in the hub entry, so that the scheduler still knows, for example, that it is a LAN peer.
   */
  private void adoptStaged(HubEvent e) {
    Map<String, Object> data = new LinkedHashMap<>();
    staging.get(e.address()).map(StagedEntry::data).ifPresent(data::putAll);
    for (StagedEntry s : staging.entries()) {
      if (s.key().equals(e.key()) && !s.address().equals(e.address())) {
        s.data().forEach(data::putIfAbsent);
      }
    }
    staging.unstage(e.address());
    staging.unstageKey(e.key());
    if (!data.isEmpty()) {
      data.remove("key");
      hub.update(e.address(), data);
    }
  }

  private static PeerData stateChange(long now) {
    return PeerData.of(Map.of("stateChange", now));
  }
}
