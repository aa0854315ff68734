package dev.grapevine.conn;

import dev.grapevine.conn.db.ConnDbConfig;
import dev.grapevine.conn.firewall.FirewallConfig;
import dev.grapevine.conn.lan.LanConfig;
import dev.grapevine.conn.scheduler.SchedulerConfig;
import java.util.Objects;

/**
 * How a node manages its connections. Immutable; build with {@link #builder()}.
 *
 * @param autostart start the scheduler when the node starts (ssb-conn's {@code conn.autostart},
 *     default true)
 * @param db when {@code conn.json} is written
 * @param firewall which inbound peers are refused
 * @param lanDiscovery announce this node and listen for others on the local network (default false)
 * @param lan the beacon's port, interval and limits
 * @param scheduler whom the scheduler dials and keeps: strategy, role, quotas, timeouts
 */
public record ConnConfig(
    boolean autostart,
    ConnDbConfig db,
    FirewallConfig firewall,
    boolean lanDiscovery,
    LanConfig lan,
    SchedulerConfig scheduler) {
  /** The defaults. */
  public static final ConnConfig DEFAULT = builder().build();

  /** Checks for nulls. */
  public ConnConfig {
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(firewall, "firewall");
    Objects.requireNonNull(lan, "lan");
    Objects.requireNonNull(scheduler, "scheduler");
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder with this config's values. */
  public Builder toBuilder() {
    return new Builder()
        .autostart(autostart)
        .db(db)
        .firewall(firewall)
        .lanDiscovery(lanDiscovery)
        .lan(lan)
        .scheduler(scheduler);
  }

  /** Builds a {@link ConnConfig}; not thread-safe. */
  public static final class Builder {
    private boolean autostart = true;
    private ConnDbConfig db = ConnDbConfig.DEFAULT;
    private FirewallConfig firewall = FirewallConfig.DEFAULT;
    private boolean lanDiscovery;
    private LanConfig lan = LanConfig.DEFAULT;
    private SchedulerConfig scheduler = SchedulerConfig.DEFAULT;

    private Builder() {}

    /** See {@link ConnConfig#autostart()}. */
    public Builder autostart(boolean value) {
      this.autostart = value;
      return this;
    }

    /** See {@link ConnConfig#db()}. */
    public Builder db(ConnDbConfig value) {
      this.db = Objects.requireNonNull(value, "db");
      return this;
    }

    /** See {@link ConnConfig#firewall()}. */
    public Builder firewall(FirewallConfig value) {
      this.firewall = Objects.requireNonNull(value, "firewall");
      return this;
    }

    /** See {@link ConnConfig#lanDiscovery()}. */
    public Builder lanDiscovery(boolean value) {
      this.lanDiscovery = value;
      return this;
    }

    /** See {@link ConnConfig#lan()}. */
    public Builder lan(LanConfig value) {
      this.lan = Objects.requireNonNull(value, "lan");
      return this;
    }

    /** See {@link ConnConfig#scheduler()}. */
    public Builder scheduler(SchedulerConfig value) {
      this.scheduler = Objects.requireNonNull(value, "scheduler");
      return this;
    }

    /** The config. */
    public ConnConfig build() {
      return new ConnConfig(autostart, db, firewall, lanDiscovery, lan, scheduler);
    }
  }
}
