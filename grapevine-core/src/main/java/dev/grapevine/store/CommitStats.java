package dev.grapevine.store;

/**
 * How long the store's commits took, for metrics: counters that only grow.
 *
 * @param commits transactions committed
 * @param totalNanos time spent in COMMIT (the WAL sync) over all of them
 * @param maxNanos the longest single COMMIT
 * @param idleCheckpoints checkpoints that copied the whole WAL into the database file, run by the
 *     writer because no write came for {@link StoreConfig#idleCheckpoint()} after a commit
 */
public record CommitStats(long commits, long totalNanos, long maxNanos, long idleCheckpoints) {
  /** No commits (a store without a disk). */
  public static final CommitStats NONE = new CommitStats(0, 0, 0, 0);
}
