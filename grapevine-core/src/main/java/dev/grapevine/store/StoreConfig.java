package dev.grapevine.store;

import static dev.grapevine.internal.Checks.requireBetweenZeroAnd;
import static dev.grapevine.internal.Checks.requireNotNegative;
import static dev.grapevine.internal.Checks.requirePositive;

import java.time.Duration;

/**
 * Settings of a {@link MessageStore}. Immutable and validated on construction; build one with
 * {@link #builder()} or take {@link #defaults()}.
 *
 * @param maxBlobBytes largest blob {@link MessageStore#make} accepts, in UTF-8 bytes (default 8
 *     MiB)
 * @param queueCapacity writes (messages, blobs, names) that may wait for the writer (default
 *     10,000)
 * @param maxQueuedBytes approximate bytes that may wait for the writer (default 64 MiB); a single
 *     write larger than this is still accepted when the queue is empty
 * @param maxBatchSize most writes committed in one transaction (default 4,000). The writer commits
 *     whatever is queued, so batches only grow this large under load; then larger batches write
 *     fewer index pages per message (measured: about 26k durable adds/s at 1,000 and 45k/s at 5,000
 *     on 2 cores)
 * @param waitTimeout how long a blocking call waits for room in a full writer queue, or for a free
 *     read connection, before failing with {@link StoreException.Reason#BUSY} (default 10 s);
 *     asynchronous writes never wait
 * @param readerConnections most concurrent read connections of the SQLite store (default 4)
 * @param maxPageSize largest page {@link MessageStore#poll} and {@link MessageStore#hashLog(long,
 *     int)} return; larger limits are lowered to it (default 10,000)
 * @param closeTimeout how long {@link MessageStore#close()} waits for queued writes to commit
 *     (default 30 s)
 * @param commitWindow group commit under load (default 30 ms; zero turns it off): when the writer
 *     finds at least {@code commitWindowMinWrites} writes queued, it waits until this long after
 *     the start of its previous commit (or until {@code maxBatchSize} writes are queued) so that
 *     more writes share the transaction. Each commit rewrites the index pages its writes touch, so
 *     larger batches write fewer bytes per message. A write is still acknowledged only after its
 *     commit; under load it may wait up to this long more. A quiet store never waits. Keep it
 *     short: the sync layer counts frames waiting for their commit as pending, so a long window
 *     pauses reading while the verify workers run out of work
 * @param commitWindowMinWrites writes that must be queued for the writer to wait for more (default
 *     16): a lone caller writing one thing at a time is never held back
 * @param recentKeys keys of recently committed messages and blobs kept in memory so that {@link
 *     MessageStore#has} answers "present" for them without reading the database (default 16,384,
 *     about 3 MiB; 0 turns it off). The SQLite store only; absent keys are answered from a Bloom
 *     filter of every stored key
 * @param readMapBytes bytes of the database file each read connection of the SQLite store maps into
 *     memory (SQLite's {@code mmap_size}; default 256 MiB, 0 turns it off): reads of mapped pages
 *     are memory accesses instead of a {@code pread} each (measured: a sixth less CPU to serve a
 *     peer that is catching up; pages still in the WAL are read as before). The mapping is address
 *     space shared with the page cache, not heap
 * @param idleCheckpoint how long the SQLite store's writer waits without a write after a commit
 *     before it copies the WAL into the database file (a passive checkpoint; default 1 s, 0 turns
 *     it off, at most {@link #MAX_WAIT}): the pages of a burst of writes are then read through the
 *     mapped file rather than looked up in the WAL. Writes that arrive during the checkpoint wait
 *     for it. A busy store never waits that long, so it checkpoints every 10,000 WAL pages, as
 *     before
 */
public record StoreConfig(
    int maxBlobBytes,
    int queueCapacity,
    long maxQueuedBytes,
    int maxBatchSize,
    Duration waitTimeout,
    int readerConnections,
    int maxPageSize,
    Duration closeTimeout,
    Duration commitWindow,
    int commitWindowMinWrites,
    int recentKeys,
    int readMapBytes,
    Duration idleCheckpoint) {

  /** The longest {@link #commitWindow()} and {@link #idleCheckpoint()}: one hour. */
  public static final Duration MAX_WAIT = Duration.ofHours(1);

  /** Default {@link #maxBlobBytes()}: 8 MiB. */
  public static final int DEFAULT_MAX_BLOB_BYTES = 8 * 1024 * 1024;

  /** The default settings. */
  public static final StoreConfig DEFAULT = new Builder().build();

  /** Validates every setting. */
  public StoreConfig {
    requirePositive("maxBlobBytes", maxBlobBytes);
    requirePositive("queueCapacity", queueCapacity);
    requirePositive("maxQueuedBytes", maxQueuedBytes);
    requirePositive("maxBatchSize", maxBatchSize);
    requirePositive("readerConnections", readerConnections);
    requirePositive("maxPageSize", maxPageSize);
    requireNotNegative("waitTimeout", waitTimeout);
    requireNotNegative("closeTimeout", closeTimeout);
    requireBetweenZeroAnd("commitWindow", commitWindow, MAX_WAIT);
    requirePositive("commitWindowMinWrites", commitWindowMinWrites);
    requireNotNegative("recentKeys", recentKeys);
    requireNotNegative("readMapBytes", readMapBytes);
    requireBetweenZeroAnd("idleCheckpoint", idleCheckpoint, MAX_WAIT);
  }

  /** The default settings. */
  public static StoreConfig defaults() {
    return DEFAULT;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder()
        .maxBlobBytes(maxBlobBytes)
        .queueCapacity(queueCapacity)
        .maxQueuedBytes(maxQueuedBytes)
        .maxBatchSize(maxBatchSize)
        .waitTimeout(waitTimeout)
        .readerConnections(readerConnections)
        .maxPageSize(maxPageSize)
        .closeTimeout(closeTimeout)
        .commitWindow(commitWindow)
        .commitWindowMinWrites(commitWindowMinWrites)
        .recentKeys(recentKeys)
        .readMapBytes(readMapBytes)
        .idleCheckpoint(idleCheckpoint);
  }

  /** Builds a {@link StoreConfig}; not thread-safe. */
  public static final class Builder {
    private int maxBlobBytes = DEFAULT_MAX_BLOB_BYTES;
    private int queueCapacity = 10_000;
    private long maxQueuedBytes = 64L * 1024 * 1024;
    private int maxBatchSize = 4_000;
    private Duration waitTimeout = Duration.ofSeconds(10);
    private int readerConnections = 4;
    private int maxPageSize = 10_000;
    private Duration closeTimeout = Duration.ofSeconds(30);
    private Duration commitWindow = Duration.ofMillis(30);
    private int commitWindowMinWrites = 16;
    private int recentKeys = 16_384;
    private int readMapBytes = 256 * 1024 * 1024;
    private Duration idleCheckpoint = Duration.ofSeconds(1);

    private Builder() {}

    /** See {@link StoreConfig#maxBlobBytes()}. */
    public Builder maxBlobBytes(int value) {
      this.maxBlobBytes = value;
      return this;
    }

    /** See {@link StoreConfig#queueCapacity()}. */
    public Builder queueCapacity(int value) {
      this.queueCapacity = value;
      return this;
    }

    /** See {@link StoreConfig#maxQueuedBytes()}. */
    public Builder maxQueuedBytes(long value) {
      this.maxQueuedBytes = value;
      return this;
    }

    /** See {@link StoreConfig#maxBatchSize()}. */
    public Builder maxBatchSize(int value) {
      this.maxBatchSize = value;
      return this;
    }

    /** See {@link StoreConfig#waitTimeout()}. */
    public Builder waitTimeout(Duration value) {
      this.waitTimeout = value;
      return this;
    }

    /** See {@link StoreConfig#readerConnections()}. */
    public Builder readerConnections(int value) {
      this.readerConnections = value;
      return this;
    }

    /** See {@link StoreConfig#maxPageSize()}. */
    public Builder maxPageSize(int value) {
      this.maxPageSize = value;
      return this;
    }

    /** See {@link StoreConfig#closeTimeout()}. */
    public Builder closeTimeout(Duration value) {
      this.closeTimeout = value;
      return this;
    }

    /** See {@link StoreConfig#commitWindow()}. */
    public Builder commitWindow(Duration value) {
      this.commitWindow = value;
      return this;
    }

    /** See {@link StoreConfig#commitWindowMinWrites()}. */
    public Builder commitWindowMinWrites(int value) {
      this.commitWindowMinWrites = value;
      return this;
    }

    /** See {@link StoreConfig#recentKeys()}. */
    public Builder recentKeys(int value) {
      this.recentKeys = value;
      return this;
    }

    /** See {@link StoreConfig#readMapBytes()}. */
    public Builder readMapBytes(int value) {
      this.readMapBytes = value;
      return this;
    }

    /** See {@link StoreConfig#idleCheckpoint()}. */
    public Builder idleCheckpoint(Duration value) {
      this.idleCheckpoint = value;
      return this;
    }

    /**
     * The validated settings.
     *
     * @throws IllegalArgumentException if a setting is out of range
     */
    public StoreConfig build() {
      return new StoreConfig(
          maxBlobBytes,
          queueCapacity,
          maxQueuedBytes,
          maxBatchSize,
          waitTimeout,
          readerConnections,
          maxPageSize,
          closeTimeout,
          commitWindow,
          commitWindowMinWrites,
          recentKeys,
          readMapBytes,
          idleCheckpoint);
    }
  }
}
