package dev.grapevine.dashboard;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the dashboard's routes. Immutable; build with {@link #builder()}.
 *
 * @param maxPostChars longest {@code text} of {@code POST /api/publish}, in characters (default
 *     65,536); longer texts get 413
 * @param maxNameChars longest {@code name} of {@code POST /api/publish} (default 256)
 * @param publishQueue publishes waiting for the publish thread (default 64); more get 503
 * @param ingestBucket the width of one bar of the ingest-rate history (default 1 s)
 * @param ingestBuckets how many bars the history keeps (default 120)
 * @param missingShown how many of the gossip queue's missing hashes the snapshot lists (default
 *     100; the count is always complete)
 */
public record DashboardConfig(
    int maxPostChars,
    int maxNameChars,
    int publishQueue,
    Duration ingestBucket,
    int ingestBuckets,
    int missingShown) {

  /** The defaults. */
  public static final DashboardConfig DEFAULT = builder().build();

  /** Validates the limits. */
  public DashboardConfig {
    positive("maxPostChars", maxPostChars);
    positive("maxNameChars", maxNameChars);
    positive("publishQueue", publishQueue);
    Objects.requireNonNull(ingestBucket, "ingestBucket");
    if (ingestBucket.toMillis() < 1) {
      throw new IllegalArgumentException(
          "Expected ingestBucket of at least 1 ms but was " + ingestBucket);
    }
    positive("ingestBuckets", ingestBuckets);
    if (ingestBuckets > 10_000) {
      throw new IllegalArgumentException(
          "Expected ingestBuckets of at most 10000 but was " + ingestBuckets);
    }
    if (missingShown < 0) {
      throw new IllegalArgumentException("Expected missingShown >= 0 but was " + missingShown);
    }
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException("Expected " + name + " >= 1 but was " + value);
    }
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder with this configuration's values. */
  public Builder toBuilder() {
    return new Builder()
        .maxPostChars(maxPostChars)
        .maxNameChars(maxNameChars)
        .publishQueue(publishQueue)
        .ingestBucket(ingestBucket)
        .ingestBuckets(ingestBuckets)
        .missingShown(missingShown);
  }

  /** Builds a {@link DashboardConfig}; not thread-safe. */
  public static final class Builder {
    private int maxPostChars = 65_536;
    private int maxNameChars = 256;
    private int publishQueue = 64;
    private Duration ingestBucket = Duration.ofSeconds(1);
    private int ingestBuckets = 120;
    private int missingShown = 100;

    private Builder() {}

    /** See {@link DashboardConfig#maxPostChars()}. */
    public Builder maxPostChars(int value) {
      this.maxPostChars = value;
      return this;
    }

    /** See {@link DashboardConfig#maxNameChars()}. */
    public Builder maxNameChars(int value) {
      this.maxNameChars = value;
      return this;
    }

    /** See {@link DashboardConfig#publishQueue()}. */
    public Builder publishQueue(int value) {
      this.publishQueue = value;
      return this;
    }

    /** See {@link DashboardConfig#ingestBucket()}. */
    public Builder ingestBucket(Duration value) {
      this.ingestBucket = value;
      return this;
    }

    /** See {@link DashboardConfig#ingestBuckets()}. */
    public Builder ingestBuckets(int value) {
      this.ingestBuckets = value;
      return this;
    }

    /** See {@link DashboardConfig#missingShown()}. */
    public Builder missingShown(int value) {
      this.missingShown = value;
      return this;
    }

    /** Validates and builds the configuration. */
    public DashboardConfig build() {
      return new DashboardConfig(
          maxPostChars, maxNameChars, publishQueue, ingestBucket, ingestBuckets, missingShown);
    }
  }
}
