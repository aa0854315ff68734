package dev.grapevine.conn.firewall;

/**
 * How the {@link Firewall} decides, as ssb-conn-firewall's {@code conn.firewall} config.
 *
 * @param rejectBlocked reject peers whose key is blocked (default true)
 * @param rejectUnknown reject peers whose key is not known (default false)
 * @param attemptLogSize how many rejected attempts the firewall remembers, the newest ones (default
 *     100; 0 keeps only the counts)
 */
public record FirewallConfig(boolean rejectBlocked, boolean rejectUnknown, int attemptLogSize) {
  /** The defaults: reject blocked peers, admit unknown ones, remember 100 rejections. */
  public static final FirewallConfig DEFAULT = builder().build();

  /** Validates the fields. */
  public FirewallConfig {
    if (attemptLogSize < 0 || attemptLogSize > 100_000) {
      throw new IllegalArgumentException(
          "Expected attemptLogSize from 0 to 100000 but was " + attemptLogSize);
    }
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder with this config's values. */
  public Builder toBuilder() {
    return new Builder()
        .rejectBlocked(rejectBlocked)
        .rejectUnknown(rejectUnknown)
        .attemptLogSize(attemptLogSize);
  }

  /** Builds a {@link FirewallConfig}; not thread-safe. */
  public static final class Builder {
    private boolean rejectBlocked = true;
    private boolean rejectUnknown = false;
    private int attemptLogSize = 100;

    private Builder() {}

    /** See {@link FirewallConfig#rejectBlocked()}. */
    public Builder rejectBlocked(boolean value) {
      this.rejectBlocked = value;
      return this;
    }

    /** See {@link FirewallConfig#rejectUnknown()}. */
    public Builder rejectUnknown(boolean value) {
      this.rejectUnknown = value;
      return this;
    }

    /** See {@link FirewallConfig#attemptLogSize()}. */
    public Builder attemptLogSize(int value) {
      this.attemptLogSize = value;
      return this;
    }

    /** The config; validates it. */
    public FirewallConfig build() {
      return new FirewallConfig(rejectBlocked, rejectUnknown, attemptLogSize);
    }
  }
}
