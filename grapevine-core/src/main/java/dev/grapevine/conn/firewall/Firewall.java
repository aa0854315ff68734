package dev.grapevine.conn.firewall;

import dev.grapevine.anproto.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound admission policy: whether a peer that connected to us, once its key is known, may
 * stay (ssb-conn-firewall). With {@link FirewallConfig#rejectBlocked()} a blocked key is rejected
 * with {@link Reason#BLOCKED}; with {@link FirewallConfig#rejectUnknown()} a key that is not known
 * is rejected with {@link Reason#UNKNOWN}. Blocked wins over unknown. If a {@link KeySet} throws,
 * the peer is rejected with {@link Reason#LOOKUP_FAILED} (the firewall fails closed).
 *
 * <p>Every rejection is counted per reason and the last {@link FirewallConfig#attemptLogSize()} are
 * kept in memory (a ring buffer, nothing is written to disk); {@link #rejected()} returns a
 * snapshot. Admitted peers are not logged.
 *
 * <p>Thread-safe: {@link #admit} may be called from any thread (typically a transport I/O thread)
 * and does not block; it asks the key sets with no lock held, then takes a short internal lock to
 * record a rejection. The firewall owns no thread and needs no closing.
 */
public final class Firewall {
  private static final Logger log = LoggerFactory.getLogger(Firewall.class);

  private final FirewallConfig config;
  private final KeySet blocked;
  private final KeySet known;
  private final Clock clock;

  /** Guards {@link #recent} and {@link #counts}. */
  private final Object lock = new Object();

  /** The newest rejections, oldest first, at most {@code config.attemptLogSize()}. */
  private final ArrayDeque<Attempt> recent = new ArrayDeque<>();

  private final EnumMap<Reason, Long> counts = new EnumMap<>(Reason.class);

  /**
   * A firewall.
   *
   * @param config the policy
   * @param blocked the blocked keys, e.g. {@code ConnDbKeys.blocked(db).or(blockList)}
   * @param known the known keys, e.g. {@code ConnDbKeys.known(db)}; only asked when {@link
   *     FirewallConfig#rejectUnknown()} is set
   * @param clock the time recorded with each rejection
   */
  public Firewall(FirewallConfig config, KeySet blocked, KeySet known, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.blocked = Objects.requireNonNull(blocked, "blocked");
    this.known = Objects.requireNonNull(known, "known");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The policy. */
  public FirewallConfig config() {
    return config;
  }

  /**
   * Decides whether the peer with {@code remoteKey}, connected from {@code remoteAddress}, may
   * stay, and records a rejection.
   *
   * @param remoteKey the peer's authenticated public key
   * @param remoteAddress where it connected from, only for the log (e.g. {@code 192.168.1.5:51234})
   */
  public Decision admit(PublicKey remoteKey, String remoteAddress) {
    Objects.requireNonNull(remoteKey, "remoteKey");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Reason reason;
    try {
      reason = decide(remoteKey);
    } catch (RuntimeException e) {
      log.warn("Firewall could not look up {}; rejecting", remoteKey, e);
      reason = Reason.LOOKUP_FAILED;
    }
    if (reason == null) {
      return Decision.ALLOW;
    }
    record(new Attempt(clock.instant(), remoteKey, remoteAddress, reason));
    return Decision.reject(reason);
  }

  private Reason decide(PublicKey key) {
    if (config.rejectBlocked() && blocked.contains(key)) {
      return Reason.BLOCKED;
    }
    if (config.rejectUnknown() && !known.contains(key)) {
      return Reason.UNKNOWN;
    }
    return null;
  }

  private void record(Attempt attempt) {
    log.debug("Firewall rejected {}", attempt);
    synchronized (lock) {
      counts.merge(attempt.reason(), 1L, Long::sum);
      if (config.attemptLogSize() == 0) {
        return;
      }
      if (recent.size() == config.attemptLogSize()) {
        recent.removeFirst();
      }
      recent.addLast(attempt);
    }
  }

  /** A snapshot of the rejections: the newest attempts and the counts since construction. */
  public Rejections rejected() {
    synchronized (lock) {
      return new Rejections(new ArrayList<>(recent), counts);
    }
  }

  /** Why a peer was rejected. */
  public enum Reason {
    /** Its key is blocked. */
    BLOCKED,
    /** Its key is not known and unknown peers are rejected. */
    UNKNOWN,
    /** A key set threw while the firewall asked it; the firewall fails closed. */
    LOOKUP_FAILED
  }

  /** The outcome of {@link #admit}: allowed, or rejected with a reason. */
  public static final class Decision {
    /** The peer may stay. */
    public static final Decision ALLOW = new Decision(null);

    private static final EnumMap<Reason, Decision> REJECTIONS = new EnumMap<>(Reason.class);

    static {
      for (Reason r : Reason.values()) {
        REJECTIONS.put(r, new Decision(r));
      }
    }

    /** Null when allowed. */
    private final Reason reason;

    private Decision(Reason reason) {
      this.reason = reason;
    }

    /** The rejection for {@code reason}. */
    public static Decision reject(Reason reason) {
      return REJECTIONS.get(Objects.requireNonNull(reason, "reason"));
    }

    /** True if the peer may stay. */
    public boolean allowed() {
      return reason == null;
    }

    /** Why the peer was rejected; empty when it is allowed. */
    public Optional<Reason> reason() {
      return Optional.ofNullable(reason);
    }

    @Override
    public String toString() {
      return reason == null ? "ALLOW" : "REJECT(" + reason + ")";
    }
  }

  /**
   * One rejected attempt.
   *
   * @param time when it was rejected
   * @param key the peer's key
   * @param address where it connected from
   * @param reason why it was rejected
   */
  public record Attempt(Instant time, PublicKey key, String address, Reason reason) {
    /** Checks that nothing is null. */
    public Attempt {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * A snapshot of {@link #rejected()}.
   *
   * @param recent the newest rejected attempts, oldest first
   * @param counts rejections per reason since the firewall was built (every reason is present)
   */
  public record Rejections(List<Attempt> recent, Map<Reason, Long> counts) {
    /** Copies the lists and fills in zero counts. */
    public Rejections {
      recent = List.copyOf(recent);
      EnumMap<Reason, Long> all = new EnumMap<>(Reason.class);
      for (Reason r : Reason.values()) {
        all.put(r, counts.getOrDefault(r, 0L));
      }
      counts = Collections.unmodifiableMap(all);
    }

    /** The total number of rejections since the firewall was built. */
    public long total() {
      return counts.values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
