package dev.grapevine.conn.scheduler;

import dev.grapevine.conn.query.Peer;
import dev.grapevine.conn.query.Pool;
import java.util.OptionalInt;

/**
 * How far a peer is from us in trust, in ssb's "hops": 0 is ourselves, 1 a peer we trust directly,
 * 2 a peer trusted by one of those, and so on; a negative value means blocked, and no value means a
 * stranger. The cooldown scheduler adds {@link SchedulerConfig#hopCooldown()} per hop to a peer's
 * cooldown and never dials strangers or blocked peers automatically (rooms excepted); both
 * strategies disconnect blocked peers.
 *
 * <p>Plug in a social graph here. Without one, {@link #DATABASE} trusts what the user remembered.
 * Called on the scheduler's timer thread, once per peer per planning round, with no lock held: it
 * must answer quickly and must not block.
 */
@FunctionalInterface
public interface HopSource {
  /**
   * The default without a social graph: every peer in the peer database is at hop 1, except that
   * one whose data has {@code "blocked": true} is blocked (-1); staged peers and peers known only
   * to the hub (inbound) are strangers.
   */
  HopSource DATABASE =
      peer -> {
        if (Boolean.TRUE.equals(peer.data().get("blocked"))) {
          return OptionalInt.of(-1);
        }
        return peer.pool() == Pool.DB ? OptionalInt.of(1) : OptionalInt.empty();
      };

  /**
   * The hops to {@code peer}.
   *
   * @param peer a query result: its address, pool and data (with {@code key})
   * @return the distance, negative if blocked, empty for a stranger
   */
  OptionalInt hops(Peer peer);
}
