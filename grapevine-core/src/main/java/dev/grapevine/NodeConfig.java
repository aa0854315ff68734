package dev.grapevine;

import dev.grapevine.anproto.KeyPair;
import dev.grapevine.store.StoreConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable, validated configuration of a {@link Node}. Build one with {@link #builder()}, derive
 * variants with {@link #toBuilder()}.
 *
 * @param dataDir where the key pair and the store live (default {@code ~/.grapevine})
 * @param ephemeral keep everything in memory: an in-memory store and, unless {@code keyPair} is
 *     given, a fresh identity that is never written to disk
 * @param keyPair an explicit identity; when empty the node loads or creates {@code dataDir/keypair}
 * @param store store limits and batching
 * @param clock the clock for timestamps and timers (inject a fixed or manual clock in tests)
 */
public record NodeConfig(
    Path dataDir, boolean ephemeral, Optional<KeyPair> keyPair, StoreConfig store, Clock clock) {

  /** The name of the SQLite database file inside the data directory. */
  public static final String STORE_FILE = "grapevine.db";

  /** Validates the configuration. */
  public NodeConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(keyPair, "keyPair");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(clock, "clock");
  }

  /** The default data directory: {@code $GRAPEVINE_DATA_DIR} if set, else {@code ~/.grapevine}. */
  public static Path defaultDataDir() {
    String env = System.getenv("GRAPEVINE_DATA_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".grapevine");
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.dataDir = dataDir;
    b.ephemeral = ephemeral;
    b.keyPair = keyPair.orElse(null);
    b.store = store;
    b.clock = clock;
    return b;
  }

  /** Builds a {@link NodeConfig}; not thread-safe. */
  public static final class Builder {
    private Path dataDir;
    private boolean ephemeral;
    private KeyPair keyPair;
    private StoreConfig store = StoreConfig.DEFAULT;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Sets the data directory. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Keeps the store (and a generated identity) in memory only. */
    public Builder ephemeral(boolean ephemeral) {
      this.ephemeral = ephemeral;
      return this;
    }

    /** Uses this identity instead of the data directory's key pair. */
    public Builder keyPair(KeyPair keyPair) {
      this.keyPair = keyPair;
      return this;
    }

    /** Sets the store limits. */
    public Builder store(StoreConfig store) {
      this.store = store;
      return this;
    }

    /** Sets the clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Validates and builds the configuration. */
    public NodeConfig build() {
      return new NodeConfig(
          dataDir != null ? dataDir : defaultDataDir(),
          ephemeral,
          Optional.ofNullable(keyPair),
          store,
          clock);
    }

    /** Builds the configuration and starts a node with it. */
    public Node start() throws java.io.IOException {
      return Node.start(build());
    }
  }
}
