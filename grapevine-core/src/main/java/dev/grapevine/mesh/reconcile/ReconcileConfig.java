package dev.grapevine.mesh.reconcile;

import static dev.grapevine.internal.Checks.requirePositive;

/**
 * Settings of a {@link ReconcileSession}. Immutable and validated on construction; build one with
 * {@link #builder()} or take {@link #defaults()}.
 *
 * @param buckets how many sub-ranges a range whose fingerprints differ is split into (default 16, 2
 *     to 32); a range with fewer than {@code 2 * buckets} items is sent as a list of ids instead
 * @param maxMessageBytes the largest binary message sent or accepted (default 128 KiB, at least
 *     4,096): when an answer would be longer, the rest of the order is sent as one fingerprint and
 *     reconciled in further rounds. A longer message from the peer is rejected with {@link
 *     ReconcileException.Reason#TOO_LARGE}, so both sides must use the same limit. Base64 in a JSON
 *     envelope makes it 4/3 as long (174,764 chars by default)
 * @param maxRounds most messages a session receives before it fails with {@link
 *     ReconcileException.Reason#TOO_MANY_ROUNDS} (default 1,000); bounds the work a peer that never
 *     converges can cause
 * @param maxDifferences a session stops early, reporting {@link ReconcileSession#isTruncated()},
 *     once it has found this many differences (default 100,000); transfer those and reconcile again
 */
public record ReconcileConfig(int buckets, int maxMessageBytes, int maxRounds, int maxDifferences) {

  /** The smallest {@link #maxMessageBytes()}: room for any single answer to one range. */
  public static final int MIN_MESSAGE_BYTES = 4096;

  /** The largest {@link #buckets()}. */
  public static final int MAX_BUCKETS = 32;

  /** The default settings. */
  public static final ReconcileConfig DEFAULT = new Builder().build();

  /** Validates every setting. */
  public ReconcileConfig {
    if (buckets < 2 || buckets > MAX_BUCKETS) {
      throw new IllegalArgumentException(
          "Expected buckets from 2 to " + MAX_BUCKETS + " but was " + buckets);
    }
    if (maxMessageBytes < MIN_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          "Expected maxMessageBytes >= " + MIN_MESSAGE_BYTES + " but was " + maxMessageBytes);
    }
    requirePositive("maxRounds", maxRounds);
    requirePositive("maxDifferences", maxDifferences);
  }

  /** The default settings. */
  public static ReconcileConfig defaults() {
    return DEFAULT;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder()
        .buckets(buckets)
        .maxMessageBytes(maxMessageBytes)
        .maxRounds(maxRounds)
        .maxDifferences(maxDifferences);
  }

  /** Builds a {@link ReconcileConfig}; not thread-safe. */
  public static final class Builder {
    private int buckets = 16;
    private int maxMessageBytes = 128 * 1024;
    private int maxRounds = 1_000;
    private int maxDifferences = 100_000;

    private Builder() {}

    /** See {@link ReconcileConfig#buckets()}. */
    public Builder buckets(int value) {
      this.buckets = value;
      return this;
    }

    /** See {@link ReconcileConfig#maxMessageBytes()}. */
    public Builder maxMessageBytes(int value) {
      this.maxMessageBytes = value;
      return this;
    }

    /** See {@link ReconcileConfig#maxRounds()}. */
    public Builder maxRounds(int value) {
      this.maxRounds = value;
      return this;
    }

    /** See {@link ReconcileConfig#maxDifferences()}. */
    public Builder maxDifferences(int value) {
      this.maxDifferences = value;
      return this;
    }

    /**
     * The validated settings.
     *
     * @throws IllegalArgumentException if a setting is out of range
     */
    public ReconcileConfig build() {
      return new ReconcileConfig(buckets, maxMessageBytes, maxRounds, maxDifferences);
    }
  }
}
