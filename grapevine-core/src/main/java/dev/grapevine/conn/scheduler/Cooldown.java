package dev.grapevine.conn.scheduler;

import dev.grapevine.conn.query.ConnQuery;
import dev.grapevine.conn.query.Peer;
import java.util.OptionalInt;
import java.util.Random;

/**
 * ssb-conn 6's cooldown score ({@code calculateCooldown}): how long after its last state change a
 * peer may be dialled again, in milliseconds, {@link Double#POSITIVE_INFINITY} for never. Stateless
 * except for the random coin it is given.
 *
 * <pre>
 * cooldown = (hops + retry) × max(0.1, fullPercent)
 *   hops  = 1 hop-cooldown for a room; hop × hop-cooldown; ∞ for a stranger or a blocked peer
 *   retry = retryBase + min(64, failure)³ × retryStep
 *   × 0.5 if never attempted,  × 0.5 with probability 0.3,  × 0.7 for lan,
 *   × 0.8 for a room attendant,  × 3 if every attempt failed
 * </pre>
 */
final class Cooldown {
  /** Failures beyond this add nothing (upstream's cap, about 30 days with the defaults). */
  static final int MAX_FAILURES = 64;

  private Cooldown() {}

  /** {@code retryBase + min(64, failure)³ × retryStep}, in milliseconds. */
  static double retryMillis(long failure, SchedulerConfig config) {
    double f = Math.min(MAX_FAILURES, Math.max(0, failure));
    return config.retryBase().toMillis() + f * f * f * config.retryStep().toMillis();
  }

  /** The hop part: rooms need no trust; strangers and blocked peers are never dialled. */
  static double hopsMillis(String type, OptionalInt hops, SchedulerConfig config) {
    double unit = config.hopCooldown().toMillis();
    if (type.equals("room")) {
      return unit;
    }
    if (hops.isEmpty() || hops.getAsInt() < 0) {
      return Double.POSITIVE_INFINITY;
    }
    return hops.getAsInt() * unit;
  }

  /**
   * The cooldown of {@code peer}.
   *
   * @param fullPercent how full its quota is, 0 to 1 (an empty quota cools down 10 times faster)
   * @param random flips the 0.3 coin once per call
   */
  static double millis(
      Peer peer, OptionalInt hops, double fullPercent, Random random, SchedulerConfig config) {
    String type = Peers.detectType(peer);
    double normFull = Math.max(0.1, fullPercent);
    double c =
        (hopsMillis(type, hops, config) + retryMillis(Peers.failure(peer), config)) * normFull;
    if (ConnQuery.hasNoAttempts(peer)) {
      c *= 0.5;
    }
    if (random.nextDouble() < 0.3) {
      c *= 0.5;
    }
    if (type.equals("lan")) {
      c *= 0.7;
    }
    if (type.equals("room-attendant")) {
      c *= 0.8;
    }
    if (ConnQuery.hasOnlyFailedAttempts(peer)) {
      c *= 3;
    }
    return c;
  }
}
