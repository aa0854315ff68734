package dev.grapevine.http;

import static dev.grapevine.internal.Checks.requirePositive;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the APDS-compatible HTTP routes ({@link ApdsRoutes}). Immutable and validated on
 * construction; build one with {@link #builder()} or take {@link #DEFAULT}.
 *
 * @param defaultPollLimit entries per {@code GET /gossip/poll} page when the request has no {@code
 *     limit} (default 200, the reference's)
 * @param maxPollLimit largest {@code limit} of {@code GET /gossip/poll}; larger values are lowered
 *     to it (default 1,000)
 * @param maxEntries most entries in one JSON array of {@code GET /all}, {@code /}, {@code /latest}
 *     and {@code /<key>}; it is also the default page size, so every log up to this size comes back
 *     whole, as from the reference (default 10,000). Larger {@code limit} values are lowered to it.
 * @param maxResponseChars soft bound on the size of a JSON body of entries, in characters: once a
 *     body has reached it no further entry is added (so a body exceeds it by at most one entry, and
 *     always holds at least one). Cut pages say where to continue (default 16 Mi)
 * @param maxFrameChars largest {@code POST /gossip} body, in characters; longer bodies get 413
 *     (default 8 Mi, the store's default largest blob: a longer frame could never be stored)
 * @param latestWindow how old, by signed timestamp, an entry of {@code GET /latest} may be (default
 *     5 minutes, the reference's)
 */
public record ApdsLimits(
    int defaultPollLimit,
    int maxPollLimit,
    int maxEntries,
    int maxResponseChars,
    int maxFrameChars,
    Duration latestWindow) {

  /** The default limits. */
  public static final ApdsLimits DEFAULT = new Builder().build();

  /** Validates every limit. */
  public ApdsLimits {
    requirePositive("defaultPollLimit", defaultPollLimit);
    requirePositive("maxPollLimit", maxPollLimit);
    requirePositive("maxEntries", maxEntries);
    requirePositive("maxResponseChars", maxResponseChars);
    requirePositive("maxFrameChars", maxFrameChars);
    if (defaultPollLimit > maxPollLimit) {
      throw new IllegalArgumentException(
          "Expected defaultPollLimit <= maxPollLimit ("
              + maxPollLimit
              + ") but was "
              + defaultPollLimit);
    }
    Objects.requireNonNull(latestWindow, "latestWindow");
    if (latestWindow.isNegative() || latestWindow.isZero()) {
      throw new IllegalArgumentException("Expected latestWindow > 0 but was " + latestWindow);
    }
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these limits. */
  public Builder toBuilder() {
    return new Builder()
        .defaultPollLimit(defaultPollLimit)
        .maxPollLimit(maxPollLimit)
        .maxEntries(maxEntries)
        .maxResponseChars(maxResponseChars)
        .maxFrameChars(maxFrameChars)
        .latestWindow(latestWindow);
  }

  /** Builds {@link ApdsLimits}; not thread-safe. */
  public static final class Builder {
    private int defaultPollLimit = 200;
    private int maxPollLimit = 1_000;
    private int maxEntries = 10_000;
    private int maxResponseChars = 16 * 1024 * 1024;
    private int maxFrameChars = 8 * 1024 * 1024;
    private Duration latestWindow = Duration.ofMinutes(5);

    private Builder() {}

    /** See {@link ApdsLimits#defaultPollLimit()}. */
    public Builder defaultPollLimit(int value) {
      this.defaultPollLimit = value;
      return this;
    }

    /** See {@link ApdsLimits#maxPollLimit()}. */
    public Builder maxPollLimit(int value) {
      this.maxPollLimit = value;
      return this;
    }

    /** See {@link ApdsLimits#maxEntries()}. */
    public Builder maxEntries(int value) {
      this.maxEntries = value;
      return this;
    }

    /** See {@link ApdsLimits#maxResponseChars()}. */
    public Builder maxResponseChars(int value) {
      this.maxResponseChars = value;
      return this;
    }

    /** See {@link ApdsLimits#maxFrameChars()}. */
    public Builder maxFrameChars(int value) {
      this.maxFrameChars = value;
      return this;
    }

    /** See {@link ApdsLimits#latestWindow()}. */
    public Builder latestWindow(Duration value) {
      this.latestWindow = value;
      return this;
    }

    /**
     * The validated limits.
     *
     * @throws IllegalArgumentException if a limit is out of range
     */
    public ApdsLimits build() {
      return new ApdsLimits(
          defaultPollLimit,
          maxPollLimit,
          maxEntries,
          maxResponseChars,
          maxFrameChars,
          latestWindow);
    }
  }
}
