package dev.grapevine.store;

import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.VerifiedMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The message store: content-addressed blobs, the append-only log of verified signed messages, and
 * a name directory. It offers the operations of the reference APDS library with these improvements:
 * writes are acknowledged only once durable, {@link #getLatest} goes by the largest signed
 * timestamp, log entries carry their content as soon as it is stored, {@link #poll} walks arrival
 * order so late messages are never skipped, and every queue and blob is bounded.
 *
 * <p><b>Threads.</b> All methods are thread-safe. Reads run concurrently with each other and with
 * writes and see only committed data. Writes go through a single writer: the {@code *Async} methods
 * never block (they fail with {@link StoreException.Reason#BUSY} when the writer queue is full),
 * the synchronous ones block until the write is committed (waiting up to {@link
 * StoreConfig#waitTimeout()} for room in a full queue, then failing with {@code BUSY}). Futures
 * complete on the writer thread, so dependent actions attached with non-async methods must be quick
 * and must not block; calling a synchronous write from such an action fails with {@link
 * IllegalStateException}.
 *
 * <p><b>Sequence numbers.</b> Each new log entry gets a sequence number ({@link LogEntry#seq()})
 * when it is committed. They increase in commit order and are never reused (there may be gaps), and
 * a reader never sees number N+1 before N.
 *
 * <p><b>Lifecycle.</b> Open with {@link #sqlite(Path, StoreConfig)} or {@link
 * #inMemory(StoreConfig)}; {@link #close()} commits what is queued and releases everything. After
 * close every operation fails with {@link StoreException.Reason#CLOSED}.
 */
public interface MessageStore extends AutoCloseable {
  /** Longest name the directory keeps, in characters; longer front-matter names are ignored. */
  int MAX_NAME_LENGTH = 256;

  /**
   * Opens (creating if needed) the durable SQLite store in {@code file}, with its parent
   * directories.
   *
   * @throws StoreException {@code LOCKED} if another store has the file open, {@code IO} if the
   *     file cannot be opened or belongs to something else
   */
  static MessageStore sqlite(Path file, StoreConfig config) {
    return SqliteMessageStore.open(file, config);
  }

  /** {@link #sqlite(Path, StoreConfig)} with the default settings. */
  static MessageStore sqlite(Path file) {
    return sqlite(file, StoreConfig.defaults());
  }

  /**
   * A store that keeps everything in memory, for tests and ephemeral nodes. Same semantics as the
   * SQLite store; writes are applied on the calling thread, so its futures are already complete
   * when returned and it is never {@link StoreException.Reason#BUSY}.
   */
  static MessageStore inMemory(StoreConfig config) {
    return new InMemoryMessageStore(config);
  }

  /** {@link #inMemory(StoreConfig)} with the default settings. */
  static MessageStore inMemory() {
    return inMemory(StoreConfig.defaults());
  }

  // ---- blobs ----

  /**
   * Stores {@code data} under its hash (once: storing it again changes nothing) and returns the
   * hash. Blocks until committed.
   *
   * @throws StoreException {@code TOO_LARGE} if its UTF-8 form exceeds {@link
   *     StoreConfig#maxBlobBytes()} (nothing is stored), {@code BUSY}, {@code CLOSED}, {@code IO}
   */
  Hash make(String data);

  /**
   * {@link #make(String)} without blocking: the future completes with the hash once committed, or
   * fails with a {@link StoreException} ({@code TOO_LARGE}, {@code BUSY}, {@code CLOSED}, {@code
   * IO}).
   */
  CompletableFuture<Hash> makeAsync(String data);

  /**
   * {@link #makeAsync(String)} for content the caller has parsed already: the name directory takes
   * the {@code name:} of {@code content}'s attributes instead of parsing its text again. Never
   * blocks.
   */
  default CompletableFuture<Hash> makeAsync(Content content) {
    return makeAsync(content.text());
  }

  /**
   * The blob stored under {@code key}: content, an image, or a signed message by its msgHash (every
   * added message counts as a blob under its msgHash, as in the reference).
   */
  Optional<String> get(Hash key);

  /** Whether {@link #get} would find {@code key}. */
  boolean has(Hash key);

  // ---- log writes ----

  /**
   * Appends {@code message} to the log unless a message with the same msgHash is there, and stores
   * its signed text as a blob under its msgHash. Returns only once the commit is durable.
   *
   * @return true if the message is new, false if it was already stored
   * @throws StoreException {@code BUSY}, {@code CLOSED} or {@code IO}
   */
  boolean add(VerifiedMessage message);

  /**
   * {@link #add(VerifiedMessage)} without blocking. The future completes after the commit, or fails
   * with a {@link StoreException}: {@code BUSY} at once if the writer queue is full (see {@link
   * #remainingCapacity()}), {@code CLOSED}, or {@code IO}.
   */
  CompletableFuture<Boolean> addAsync(VerifiedMessage message);

  /**
   * Stores {@code content} and appends {@code message}, which signs it, in one transaction: both
   * are committed together or neither is, and the name directory takes the {@code name:} of {@code
   * content}'s attributes (as parsed, not parsed again). Cheaper than {@link #makeAsync(Content)}
   * followed by {@link #addAsync}: the message never waits in the list of messages whose content is
   * missing. Never blocks. The future completes after the commit with what was new, or fails with a
   * {@link StoreException}: {@code TOO_LARGE} (nothing is stored), {@code BUSY} at once if the
   * writer queue is full, {@code CLOSED}, or {@code IO}.
   *
   * @throws IllegalArgumentException if {@code content} does not hash to the message's content hash
   */
  CompletableFuture<AddResult> addWithContentAsync(VerifiedMessage message, Content content);

  /**
   * Adds {@code messages} in as few transactions as possible and returns, for each one in order,
   * whether it was new. Blocks until all are committed. Lists longer than {@link
   * StoreConfig#maxBatchSize()} are committed in several transactions; if it fails part-way ({@code
   * BUSY}, {@code CLOSED}), earlier parts may have been added.
   */
  List<Boolean> addAll(List<VerifiedMessage> messages);

  // ---- log reads ----

  /**
   * The author's entry with the largest signed timestamp; among equal timestamps the one that
   * arrived last. An index lookup, O(log n).
   */
  Optional<LogEntry> getLatest(PublicKey author);

  /** The distinct authors in the order their first message arrived. */
  List<PublicKey> getPubkeys();

  /** All msgHashes in arrival order. */
  List<Hash> hashLog();

  /**
   * Up to {@code limit} msgHashes with sequence number greater than {@code afterSeq}, in arrival
   * order. Start with 0.
   *
   * @param limit at least 1; values above {@link StoreConfig#maxPageSize()} are lowered to it
   */
  HashPage hashLog(long afterSeq, int limit);

  /**
   * Up to {@code limit} entries with sequence number greater than {@code afterSeq}, in arrival
   * order, as msgHash and signed timestamp only: the cheap way to walk the whole log for an index
   * (such as set reconciliation's) without reading messages or content. Start with 0; the page's
   * {@code next} is the cursor for the next call, so the same call also picks up what arrived
   * since.
   *
   * @param limit at least 1; values above {@link StoreConfig#maxPageSize()} are lowered to it
   */
  TimedHashPage timedHashLog(long afterSeq, int limit);

  /**
   * Up to {@code limit} content hashes that log entries sign but that are not stored, for asking
   * peers for them (for example after a restart). In hash order, not arrival order.
   *
   * @param limit at least 1; values above {@link StoreConfig#maxPageSize()} are lowered to it
   */
  List<Hash> missingContent(int limit);

  /** The sequence number of the newest committed entry, 0 if the log is empty. */
  long lastSeq();

  /**
   * Up to {@code limit} entries with sequence number greater than {@code afterSeq}, in arrival
   * order, with the cursor for the next call. Unlike the reference's timestamp cursor, this never
   * skips a message that arrives late with an old timestamp. Start with 0, or with {@link
   * #lastSeq()} to see only new messages.
   *
   * @param limit at least 1; values above {@link StoreConfig#maxPageSize()} are lowered to it
   */
  Poll poll(long afterSeq, int limit);

  /** All entries ordered by signed timestamp, then arrival ({@link LogEntry#TIMESTAMP_ORDER}). */
  List<LogEntry> query();

  /** The author's entries ordered by signed timestamp, then arrival. */
  List<LogEntry> byAuthor(PublicKey author);

  /** The entry with this msgHash. */
  Optional<LogEntry> byHash(Hash msgHash);

  /**
   * The entries with these msgHashes, read at once (one query, so one read transaction): cheaper
   * than {@link #byHash} per key when a peer asks for many. Keys that are not stored msgHashes are
   * left out; the order of the result is unspecified. The caller bounds the number of keys.
   */
  List<LogEntry> byHashes(Collection<Hash> msgHashes);

  /**
   * Entries whose content text contains {@code text}, ignoring case (as JavaScript's {@code
   * toLowerCase} does), ordered by signed timestamp, then arrival. Entries without stored content
   * never match. This scans every content blob.
   */
  List<LogEntry> search(String text);

  /**
   * The reference's {@code query(q)}: every entry for a missing or empty {@code q}; a text {@link
   * #search} for {@code "?text"}; otherwise the entries whose author or msgHash is {@code q},
   * ordered by signed timestamp, then arrival.
   */
  default List<LogEntry> query(String q) {
    if (q == null || q.isEmpty()) {
      return query();
    }
    if (q.startsWith("?")) {
      return search(q.substring(1));
    }
    if (!Hash.isValid(q)) {
      return List.of();
    }
    List<LogEntry> out = new ArrayList<>(byAuthor(PublicKey.parse(q)));
    byHash(Hash.parse(q)).filter(e -> !out.contains(e)).ifPresent(out::add);
    out.sort(LogEntry.TIMESTAMP_ORDER);
    return out;
  }

  // ---- name directory ----

  /**
   * Records that {@code name} refers to {@code pubkey}. Names are also recorded automatically from
   * the {@code name:} front matter of an author's content, once both the message and its content
   * are stored. Blocks until committed.
   *
   * @return true if the pair is new
   * @throws IllegalArgumentException if the name is blank or longer than {@link #MAX_NAME_LENGTH}
   */
  boolean putName(String name, PublicKey pubkey);

  /** The public keys known by {@code name} (exact match), in the order they were recorded. */
  List<PublicKey> lookupName(String name);

  /** The names recorded for {@code pubkey}, in the order they were recorded. */
  List<String> namesOf(PublicKey pubkey);

  /** The whole directory: each name with its public keys, names in the order first recorded. */
  Map<String, List<PublicKey>> names();

  // ---- operations ----

  /** The number of log entries. */
  long count();

  /** Sizes for metrics. */
  StoreStats stats();

  /** Commit timings for metrics; {@link CommitStats#NONE} for a store that does not commit. */
  default CommitStats commitStats() {
    return CommitStats.NONE;
  }

  /**
   * How many more writes the writer queue accepts now. The network layer stops reading from peers
   * while this is 0 and resumes when it is positive again.
   */
  int remainingCapacity();

  /** Whether {@link #addAsync} would be accepted now ({@link #remainingCapacity()} &gt; 0). */
  default boolean hasRoom() {
    return remainingCapacity() > 0;
  }

  /**
   * Stops accepting operations, commits every queued write, stops the writer and releases the
   * database. Idempotent; blocks up to {@link StoreConfig#closeTimeout()} for the queue to drain
   * (writes still queued after that fail with {@code CLOSED}).
   */
  @Override
  void close();
}
