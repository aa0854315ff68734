package dev.grapevine.conn.scheduler;

import dev.grapevine.clock.Scheduler;
import dev.grapevine.conn.db.ConnDb;
import dev.grapevine.conn.hub.ConnHub;
import dev.grapevine.conn.query.ConnQuery;
import dev.grapevine.conn.staging.ConnStaging;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Decides whom the node dials and when it lets go (ssb-conn's swappable {@code connScheduler}
 * plugin). Build one with {@link #builder}; {@link SchedulerConfig#strategy()} picks the rules:
 * {@link DefaultConnScheduler} (ssb-conn 6, cooldowns and rotation) or {@link TieredConnScheduler}
 * (ssb-conn 5, tiered exponential backoff). Another implementation may replace both.
 *
 * <p>Lifecycle: {@link #start()} begins planning on the injected timer; {@link #stop()} stops it
 * and, as upstream, disconnects every connected peer ({@code hub.reset()}); the scheduler may be
 * started again. Both are idempotent, thread-safe and return at once. Nothing is closed by the
 * scheduler: the hub, database, staging and timer belong to the caller.
 */
public interface ConnScheduler extends AutoCloseable {
  /** Starts planning: the first round runs on the timer thread at once. Idempotent. */
  void start();

  /** Stops planning and resets the hub (every connected peer is disconnected). Idempotent. */
  void stop();

  /** True between {@link #start()} and {@link #stop()}. */
  boolean isRunning();

  /**
   * Tells the scheduler that the machine's network changed (an address came or went): if running,
   * every connected peer is disconnected so that links are re-dialled on the new network. Any
   * thread.
   */
  void networkChanged();

  /**
   * Tells the scheduler that the machine woke up from sleep: if running, every connected peer is
   * disconnected, as after a network change. The scheduler also notices by itself when a tick fires
   * much later than due ({@link SchedulerConfig#wakeupThreshold()}). Any thread.
   */
  void wokeUp();

  /**
   * When the scheduler's last planning round reckoned each peer it may dial could next be dialled,
   * by address (as in the database or staging), in epoch milliseconds: the end of the peer's
   * cooldown or backoff. A time in the past means the peer is ready and waits for a free slot.
   * Peers the scheduler will not dial (connected, strangers, blocked, {@code autoconnect: false})
   * are absent, and so is everything while the scheduler is stopped. An estimate for people (the
   * cooldown has a random part, drawn again each round), not a promise. Any thread; the map is an
   * immutable snapshot.
   */
  default Map<String, Long> nextAttempts() {
    return Map.of();
  }

  /** {@link #stop()}. */
  @Override
  default void close() {
    stop();
  }

  /**
   * A builder over the connection manager's parts.
   *
   * @param hub the live connections, which the scheduler connects and disconnects
   * @param db the peer database (cleaned of stale LAN and Bluetooth entries at start)
   * @param staging staged peers (expired LAN and Bluetooth peers are unstaged)
   * @param query queries over the three
   * @param timer runs every planning round; its thread owns the scheduler's state
   */
  static Builder builder(
      ConnHub hub, ConnDb db, ConnStaging staging, ConnQuery query, Scheduler timer) {
    return new Builder(hub, db, staging, query, timer);
  }

  /** Builds a {@link ConnScheduler}; not thread-safe. */
  final class Builder {
    final ConnHub hub;
    final ConnDb db;
    final ConnStaging staging;
    final ConnQuery query;
    final Scheduler timer;
    SchedulerConfig config = SchedulerConfig.DEFAULT;
    Clock clock;
    Random random;
    HopSource hops = HopSource.DATABASE;
    NetworkProbe network = NetworkProbe.system();

    private Builder(ConnHub hub, ConnDb db, ConnStaging staging, ConnQuery query, Scheduler timer) {
      this.hub = Objects.requireNonNull(hub, "hub");
      this.db = Objects.requireNonNull(db, "db");
      this.staging = Objects.requireNonNull(staging, "staging");
      this.query = Objects.requireNonNull(query, "query");
      this.timer = Objects.requireNonNull(timer, "timer");
    }

    /** The rules and limits; default {@link SchedulerConfig#DEFAULT}. */
    public Builder config(SchedulerConfig value) {
      this.config = Objects.requireNonNull(value, "config");
      return this;
    }

    /** The time the rules compare against; default the timer's clock. */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * The randomness (the per-process factor, the 0.3 coin flips, the update fuzz); default a new
     * unseeded {@link Random}. Pass a seeded one for reproducible tests.
     */
    public Builder random(Random value) {
      this.random = Objects.requireNonNull(value, "random");
      return this;
    }

    /** Who is trusted; default {@link HopSource#DATABASE}. */
    public Builder hops(HopSource value) {
      this.hops = Objects.requireNonNull(value, "hops");
      return this;
    }

    /** The network check of every tick; default {@link NetworkProbe#system()}. */
    public Builder network(NetworkProbe value) {
      this.network = Objects.requireNonNull(value, "network");
      return this;
    }

    /** The scheduler of the configured {@link SchedulerConfig#strategy()}, not yet started. */
    public ConnScheduler build() {
      if (clock == null) {
        clock = timer.clock();
      }
      if (random == null) {
        random = new Random();
      }
      return switch (config.strategy()) {
        case COOLDOWN -> new DefaultConnScheduler(this);
        case TIERED -> new TieredConnScheduler(this);
      };
    }
  }
}
