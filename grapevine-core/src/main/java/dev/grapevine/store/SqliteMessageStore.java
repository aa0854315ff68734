package dev.grapevine.store;

import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.Opened;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The durable store: one SQLite database in WAL mode with {@code synchronous=FULL}.
 *
 * <p><b>On disk.</b> Given the path {@code F}: {@code F} is the database, {@code F-wal} and {@code
 * F-shm} are SQLite's write-ahead log and its index (part of the database while it is open or after
 * a crash; never delete them), and {@code F.lock} is an advisory lock file held while a store has
 * {@code F} open, so two stores (in any processes) never write one database. Tables:
 *
 * <ul>
 *   <li>{@code blobs(hash PK, size, name, data)}: blobs stored with {@code make}, as UTF-8 text
 *       with their byte size and the {@code name:} of their front matter, if any;
 *   <li>{@code log(seq INTEGER PRIMARY KEY AUTOINCREMENT, hash UNIQUE, author, ts, content_hash,
 *       sig)} with indexes on {@code (author, ts)} and {@code (ts, hash)}. A signed message is
 *       stored once, here; {@code get(msgHash)} reads it from {@code sig};
 *   <li>{@code authors(pubkey PK)}, in order of first arrival;
 *   <li>{@code names(name, pubkey, PK both)};
 *   <li>{@code missing_content(content_hash, author, PK both)}: messages whose content is not
 *       stored yet, so the name directory can be completed when it arrives (and the sync layer can
 *       ask for it).
 * </ul>
 *
 * <p>{@code PRAGMA application_id} marks the file as Grapevine's and {@code PRAGMA user_version} is
 * the schema version (1). The file can be inspected with the {@code sqlite3} shell.
 *
 * <p><b>Crash semantics.</b> A write is acknowledged (its future completes, the synchronous call
 * returns) only after the COMMIT of its transaction returned, and with {@code synchronous=FULL}
 * COMMIT returns only after the WAL is synced to disk. So a crash at any moment, {@code kill -9} or
 * power loss, loses nothing acknowledged; writes still queued or in the transaction being committed
 * may be lost as a whole but are never half-applied. On the next open SQLite replays the WAL.
 *
 * <p><b>Threads.</b> One writer thread ({@code grapevine-store-writer-N}) owns the write
 * connection: it drains the bounded {@link WriteQueue} and commits up to {@link
 * StoreConfig#maxBatchSize()} writes per transaction (group commit: whatever queued up during the
 * previous commit goes into the next; under load, with at least {@link
 * StoreConfig#commitWindowMinWrites()} writes queued, it waits until {@link
 * StoreConfig#commitWindow()} after the previous commit began so the batch grows), assigning
 * sequence numbers in commit order. Reads borrow connections from a {@link ReaderPool} and run
 * concurrently with the writer, each statement on a committed snapshot.
 *
 * <p><b>{@code has} without reading.</b> A Bloom filter of every stored key ({@link KeyFilter},
 * filled at open and by the writer before each commit) answers "absent", and a bounded cache of
 * keys committed lately ({@link StoreConfig#recentKeys()}, filled after each commit) answers
 * "present"; anything else is read from the database. Both answers are exact.
 */
final class SqliteMessageStore implements MessageStore {
  private static final Logger log = LoggerFactory.getLogger(SqliteMessageStore.class);

  /** {@code PRAGMA application_id}: "GRPV". */
  static final int APPLICATION_ID = 0x47525056;

  /** {@code PRAGMA user_version} of the current schema. */
  static final int SCHEMA_VERSION = 1;

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /**
   * Databases open in this JVM. Checked before touching the lock file because Java file locks are
   * POSIX locks on Linux: closing any channel on the file would drop the lock another store in this
   * process holds.
   */
  private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

  private static final String ENTRY =
      "SELECT l.seq, l.hash, l.author, l.ts, l.content_hash, l.sig, b.data"
          + " FROM log l LEFT JOIN blobs b ON b.hash = l.content_hash";
  private static final String SQL_GET =
      "SELECT data FROM blobs WHERE hash = ?1 UNION ALL SELECT sig FROM log WHERE hash = ?1 LIMIT 1";
  private static final String SQL_HAS =
      "SELECT EXISTS (SELECT 1 FROM blobs WHERE hash = ?1)"
          + " OR EXISTS (SELECT 1 FROM log WHERE hash = ?1)";
  private static final String SQL_MISSING_CONTENT =
      "SELECT DISTINCT content_hash FROM missing_content ORDER BY content_hash LIMIT ?";
  private static final String SQL_LATEST =
      ENTRY + " WHERE l.author = ? ORDER BY l.ts DESC, l.seq DESC LIMIT 1";
  private static final String SQL_PUBKEYS = "SELECT pubkey FROM authors ORDER BY rowid";
  private static final String SQL_HASH_LOG = "SELECT hash FROM log ORDER BY seq";
  private static final String SQL_HASH_PAGE =
      "SELECT seq, hash FROM log WHERE seq > ? ORDER BY seq LIMIT ?";
  private static final String SQL_TIMED_HASH_PAGE =
      "SELECT seq, hash, ts FROM log WHERE seq > ? ORDER BY seq LIMIT ?";
  private static final String SQL_LAST_SEQ = "SELECT coalesce(max(seq), 0) FROM log";
  private static final String SQL_POLL = ENTRY + " WHERE l.seq > ? ORDER BY l.seq LIMIT ?";
  private static final String SQL_ALL = ENTRY + " ORDER BY l.ts, l.seq";
  private static final String SQL_BY_AUTHOR = ENTRY + " WHERE l.author = ? ORDER BY l.ts, l.seq";
  private static final String SQL_BY_HASH = ENTRY + " WHERE l.hash = ?";

  /** Entries for a JSON array of msgHashes: one statement whatever the count. */
  private static final String SQL_BY_HASHES =
      ENTRY + " WHERE l.hash IN (SELECT value FROM json_each(?))";

  private static final String SQL_SEARCH =
      "SELECT l.seq, l.hash, l.author, l.ts, l.content_hash, l.sig, b.data"
          + " FROM log l JOIN blobs b ON b.hash = l.content_hash"
          + " WHERE "
          + ReaderPool.CONTAINS_FUNCTION
          + "(b.data, ?) ORDER BY l.ts, l.seq";
  private static final String SQL_LOOKUP_NAME =
      "SELECT pubkey FROM names WHERE name = ? ORDER BY rowid";
  private static final String SQL_NAMES_OF =
      "SELECT name FROM names WHERE pubkey = ? ORDER BY rowid";
  private static final String SQL_NAMES = "SELECT name, pubkey FROM names ORDER BY rowid";

  private final Path file;
  private final StoreConfig config;
  private final FileChannel lockChannel;
  private final FileLock fileLock;
  private final WriteQueue queue;
  private final ReaderPool readers;
  private final WriterSession session;
  private final Thread writer;
  private final java.util.concurrent.atomic.LongAdder commits =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder commitNanos =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder idleCheckpoints =
      new java.util.concurrent.atomic.LongAdder();

  /** Written by the writer thread only; read by metrics. */
  private final AtomicLong maxCommitNanos = new AtomicLong();

  /**
   * Keys committed lately (at most {@link StoreConfig#recentKeys()}), so that {@link #has} answers
   * "present" for them without a read: the sync layer asks for a new post's {@code previous}, which
   * is usually the author's post just before. Filled by the writer after each commit, so a key is
   * never reported before it is durable; null when turned off.
   */
  private final RecentKeys recentKeys;

  private final AtomicLong messages;
  private final AtomicLong authors;
  private final AtomicLong blobs;
  private final AtomicLong blobBytes;
  private volatile boolean closed;

  private SqliteMessageStore(
      Path file,
      StoreConfig config,
      FileChannel lockChannel,
      FileLock fileLock,
      WriterSession session,
      long[] counts) {
    this.file = file;
    this.config = config;
    this.lockChannel = lockChannel;
    this.fileLock = fileLock;
    this.session = session;
    this.queue = new WriteQueue(config.queueCapacity(), config.maxQueuedBytes());
    this.readers =
        new ReaderPool(
            url(file), config.readerConnections(), config.waitTimeout(), config.readMapBytes());
    this.recentKeys = config.recentKeys() == 0 ? null : new RecentKeys(config.recentKeys());
    this.messages = new AtomicLong(counts[0]);
    this.authors = new AtomicLong(counts[1]);
    this.blobs = new AtomicLong(counts[2]);
    this.blobBytes = new AtomicLong(counts[3]);
    this.writer =
        new Thread(this::runWriter, "grapevine-store-writer-" + INSTANCES.incrementAndGet());
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Opens or creates the store in {@code file}; see {@link MessageStore#sqlite}. */
  static SqliteMessageStore open(Path file, StoreConfig config) {
    Objects.requireNonNull(config, "config");
    Path path = file.toAbsolutePath().normalize();
    if (!OPEN.add(path)) {
      throw locked(path);
    }
    FileChannel channel = null;
    FileLock lock = null;
    WriterSession session = null;
    try {
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      Path lockFile = path.resolveSibling(path.getFileName() + ".lock");
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw locked(path);
      }
      session = WriterSession.open(url(path));
      long[] counts = session.counts();
      session.loadKeys(counts[0] + counts[2]);
      SqliteMessageStore store =
          new SqliteMessageStore(path, config, channel, lock, session, counts);
      log.debug("Opened store {} with {} messages and {} blobs", path, counts[0], counts[2]);
      return store;
    } catch (IOException | SQLException | RuntimeException e) {
      if (session != null) {
        session.close();
      }
      closeQuietly(lock, channel);
      OPEN.remove(path);
      if (e instanceof StoreException) {
        throw (StoreException) e;
      }
      throw new StoreException(
          StoreException.Reason.IO, "Opening the store " + path + " failed: " + e.getMessage(), e);
    }
  }

  private static StoreException locked(Path path) {
    return new StoreException(
        StoreException.Reason.LOCKED,
        "Expected to be the only store using " + path + " but another store has it open");
  }

  private static String url(Path path) {
    return "jdbc:sqlite:" + path;
  }

  // ---- writes ----

  @Override
  public Hash make(String data) {
    Blob blob = Blob.of(data, config.maxBlobBytes());
    WriteOp.Make op = new WriteOp.Make(blob);
    return awaitWrite(op, op.future);
  }

  @Override
  public CompletableFuture<Hash> makeAsync(String data) {
    Blob blob;
    try {
      blob = Blob.of(data, config.maxBlobBytes());
    } catch (StoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    WriteOp.Make op = new WriteOp.Make(blob);
    return submit(op, op.future);
  }

  @Override
  public CompletableFuture<Hash> makeAsync(Content content) {
    Blob blob;
    try {
      blob = Blob.of(Objects.requireNonNull(content, "content"), config.maxBlobBytes());
    } catch (StoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    WriteOp.Make op = new WriteOp.Make(blob);
    return submit(op, op.future);
  }

  @Override
  public CompletableFuture<AddResult> addWithContentAsync(
      VerifiedMessage message, Content content) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(content, "content");
    Blob blob;
    try {
      blob = Blob.signedBy(message, content, config.maxBlobBytes());
    } catch (StoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    WriteOp.AddWithContent op = new WriteOp.AddWithContent(message, blob);
    return submit(op, op.future);
  }

  @Override
  public boolean add(VerifiedMessage message) {
    WriteOp.Add op = new WriteOp.Add(Objects.requireNonNull(message, "message"));
    return awaitWrite(op, op.future);
  }

  @Override
  public CompletableFuture<Boolean> addAsync(VerifiedMessage message) {
    WriteOp.Add op = new WriteOp.Add(Objects.requireNonNull(message, "message"));
    return submit(op, op.future);
  }

  @Override
  public List<Boolean> addAll(List<VerifiedMessage> messages) {
    List<VerifiedMessage> all = List.copyOf(messages);
    requireNotWriterThread();
    int chunk = Math.max(1, Math.min(config.maxBatchSize(), config.queueCapacity()));
    List<CompletableFuture<List<Boolean>>> futures = new ArrayList<>();
    for (int from = 0; from < all.size(); from += chunk) {
      WriteOp.AddAll op = new WriteOp.AddAll(all.subList(from, Math.min(all.size(), from + chunk)));
      requireOpen();
      queue.offer(op, config.waitTimeout());
      futures.add(op.future);
    }
    List<Boolean> results = new ArrayList<>(all.size());
    for (CompletableFuture<List<Boolean>> f : futures) {
      results.addAll(join(f));
    }
    return results;
  }

  @Override
  public boolean putName(String name, PublicKey pubkey) {
    WriteOp.PutName op =
        new WriteOp.PutName(Blob.requireUsableName(name), Objects.requireNonNull(pubkey, "pubkey"));
    return awaitWrite(op, op.future);
  }

  private <T> CompletableFuture<T> submit(WriteOp op, CompletableFuture<T> future) {
    try {
      requireOpen();
      queue.offer(op);
    } catch (StoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    return future;
  }

  private <T> T awaitWrite(WriteOp op, CompletableFuture<T> future) {
    requireNotWriterThread();
    requireOpen();
    queue.offer(op, config.waitTimeout());
    return join(future);
  }

  private void requireNotWriterThread() {
    if (Thread.currentThread() == writer) {
      throw new IllegalStateException(
          "Expected a synchronous store write from another thread but it was called on the store's"
              + " writer thread (from a future's callback), where it would deadlock; use the async"
              + " variant");
    }
  }

  /** Waits for {@code future} and rethrows its failure with this thread's stack. */
  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StoreException) {
        StoreException se = (StoreException) cause;
        throw new StoreException(se.reason(), se.getMessage(), se);
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw e;
    }
  }

  // ---- the writer thread ----

  private void runWriter() {
    try {
      long window = config.commitWindow().toNanos();
      long idle = config.idleCheckpoint().toNanos();
      long lastStart = System.nanoTime() - window;
      boolean uncheckpointed = false;
      while (true) {
        if (uncheckpointed && idle > 0 && !queue.awaitWork(idle)) {
          // An incomplete checkpoint (a reader still needs old frames) is tried again after
          // the next idle period.
          uncheckpointed = !session.checkpoint();
          if (!uncheckpointed) {
            idleCheckpoints.increment();
          }
          continue;
        }
        List<WriteOp> batch =
            queue.take(config.maxBatchSize(), config.commitWindowMinWrites(), lastStart + window);
        if (batch.isEmpty()) {
          break;
        }
        lastStart = System.nanoTime();
        commit(batch);
        uncheckpointed = true;
      }
    } catch (InterruptedException e) {
      log.warn("Store writer for {} interrupted; failing queued writes", file);
    } catch (RuntimeException | Error e) {
      log.error("Store writer for {} failed; the store accepts no more writes", file, e);
      throw e;
    } finally {
      queue.close();
      fail(queue.drain(), closedException());
      session.close();
      closeQuietly(fileLock, lockChannel);
      OPEN.remove(file);
    }
  }

  private void commit(List<WriteOp> batch) {
    WriterSession.Delta delta = new WriterSession.Delta();
    Object[] results = new Object[batch.size()];
    try {
      for (int i = 0; i < batch.size(); i++) {
        results[i] = session.apply(batch.get(i), delta);
      }
      long started = System.nanoTime();
      session.commit();
      recordCommit(System.nanoTime() - started);
    } catch (SQLException | RuntimeException e) {
      session.rollbackQuietly();
      if (batch.size() > 1) {
        // Commit one by one so a single bad write fails alone.
        for (WriteOp op : batch) {
          commit(List.of(op));
        }
        return;
      }
      log.warn("Store write to {} failed: {}", file, e.toString());
      batch
          .get(0)
          .fail(
              new StoreException(
                  StoreException.Reason.IO, "Writing to the store failed: " + e.getMessage(), e));
      return;
    }
    if (recentKeys != null) {
      for (String key : delta.keys) {
        recentKeys.add(key);
      }
    }
    messages.addAndGet(delta.messages);
    authors.addAndGet(delta.authors);
    blobs.addAndGet(delta.blobs);
    blobBytes.addAndGet(delta.blobBytes);
    for (int i = 0; i < batch.size(); i++) {
      complete(batch.get(i), results[i]);
    }
  }

  @SuppressWarnings("unchecked")
  private static void complete(WriteOp op, Object result) {
    if (op instanceof WriteOp.Add) {
      ((WriteOp.Add) op).future.complete((Boolean) result);
    } else if (op instanceof WriteOp.Make) {
      ((WriteOp.Make) op).future.complete((Hash) result);
    } else if (op instanceof WriteOp.AddWithContent) {
      ((WriteOp.AddWithContent) op).future.complete((AddResult) result);
    } else if (op instanceof WriteOp.AddAll) {
      ((WriteOp.AddAll) op).future.complete((List<Boolean>) result);
    } else if (op instanceof WriteOp.PutName) {
      ((WriteOp.PutName) op).future.complete((Boolean) result);
    } else {
      throw new IllegalStateException("Unknown write " + op.getClass());
    }
  }

  private static void fail(List<WriteOp> ops, StoreException e) {
    for (WriteOp op : ops) {
      op.fail(e);
    }
  }

  // ---- reads ----

  @Override
  public Optional<String> get(Hash key) {
    Objects.requireNonNull(key, "key");
    return read(
        r -> {
          PreparedStatement ps = r.prepare(SQL_GET);
          ps.setString(1, key.value());
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
          }
        });
  }

  @Override
  public boolean has(Hash key) {
    Objects.requireNonNull(key, "key");
    requireOpen();
    if (!session.keys().mightContain(key.value())) {
      return false;
    }
    if (recentKeys != null && recentKeys.contains(key.value())) {
      return true;
    }
    return read(
        r -> {
          PreparedStatement ps = r.prepare(SQL_HAS);
          ps.setString(1, key.value());
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
          }
        });
  }

  @Override
  public Optional<LogEntry> getLatest(PublicKey author) {
    Objects.requireNonNull(author, "author");
    return entries(SQL_LATEST, author.value()).stream().findFirst();
  }

  @Override
  public List<PublicKey> getPubkeys() {
    return read(
        r -> {
          List<PublicKey> out = new ArrayList<>();
          try (ResultSet rs = r.prepare(SQL_PUBKEYS).executeQuery()) {
            while (rs.next()) {
              out.add(new PublicKey(rs.getString(1)));
            }
          }
          return out;
        });
  }

  @Override
  public List<Hash> hashLog() {
    return read(
        r -> {
          List<Hash> out = new ArrayList<>();
          try (ResultSet rs = r.prepare(SQL_HASH_LOG).executeQuery()) {
            while (rs.next()) {
              out.add(new Hash(rs.getString(1)));
            }
          }
          return out;
        });
  }

  @Override
  public HashPage hashLog(long afterSeq, int limit) {
    int n = pageLimit(limit);
    return read(
        r -> {
          PreparedStatement ps = r.prepare(SQL_HASH_PAGE);
          ps.setLong(1, afterSeq);
          ps.setInt(2, n);
          List<Hash> out = new ArrayList<>();
          long next = afterSeq;
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              next = rs.getLong(1);
              out.add(new Hash(rs.getString(2)));
            }
          }
          return new HashPage(out, next);
        });
  }

  @Override
  public TimedHashPage timedHashLog(long afterSeq, int limit) {
    int n = pageLimit(limit);
    return read(
        r -> {
          PreparedStatement ps = r.prepare(SQL_TIMED_HASH_PAGE);
          ps.setLong(1, afterSeq);
          ps.setInt(2, n);
          List<TimedHash> out = new ArrayList<>();
          long next = afterSeq;
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              next = rs.getLong(1);
              out.add(
                  new TimedHash(next, new Hash(rs.getString(2)), Long.parseLong(rs.getString(3))));
            }
          }
          return new TimedHashPage(out, next);
        });
  }

  @Override
  public long lastSeq() {
    return read(
        r -> {
          try (ResultSet rs = r.prepare(SQL_LAST_SEQ).executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
          }
        });
  }

  @Override
  public List<Hash> missingContent(int limit) {
    int n = pageLimit(limit);
    return read(
        r -> {
          PreparedStatement ps = r.prepare(SQL_MISSING_CONTENT);
          ps.setInt(1, n);
          List<Hash> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(new Hash(rs.getString(1)));
            }
          }
          return out;
        });
  }

  @Override
  public Poll poll(long afterSeq, int limit) {
    int n = pageLimit(limit);
    List<LogEntry> entries = entries(SQL_POLL, afterSeq, n);
    return new Poll(entries, entries.isEmpty() ? afterSeq : entries.get(entries.size() - 1).seq());
  }

  @Override
  public List<LogEntry> query() {
    return entries(SQL_ALL);
  }

  @Override
  public List<LogEntry> byAuthor(PublicKey author) {
    Objects.requireNonNull(author, "author");
    return entries(SQL_BY_AUTHOR, author.value());
  }

  @Override
  public Optional<LogEntry> byHash(Hash msgHash) {
    Objects.requireNonNull(msgHash, "msgHash");
    return entries(SQL_BY_HASH, msgHash.value()).stream().findFirst();
  }

  @Override
  public List<LogEntry> byHashes(Collection<Hash> msgHashes) {
    if (msgHashes.isEmpty()) {
      return List.of();
    }
    StringBuilder array = new StringBuilder(msgHashes.size() * (Hash.LENGTH + 3) + 2).append('[');
    for (Hash h : msgHashes) {
      if (array.length() > 1) {
        array.append(',');
      }
      // A hash is canonical base64: no character in it needs escaping in JSON.
      array.append('"').append(Objects.requireNonNull(h, "msgHash").value()).append('"');
    }
    return entries(SQL_BY_HASHES, array.append(']').toString());
  }

  @Override
  public List<LogEntry> search(String text) {
    Objects.requireNonNull(text, "text");
    return entries(SQL_SEARCH, Blob.lower(text));
  }

  @Override
  public List<PublicKey> lookupName(String name) {
    Objects.requireNonNull(name, "name");
    return read(
        r -> {
          PreparedStatement ps = r.prepare(SQL_LOOKUP_NAME);
          ps.setString(1, name);
          List<PublicKey> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(new PublicKey(rs.getString(1)));
            }
          }
          return out;
        });
  }

  @Override
  public List<String> namesOf(PublicKey pubkey) {
    Objects.requireNonNull(pubkey, "pubkey");
    return read(
        r -> {
          PreparedStatement ps = r.prepare(SQL_NAMES_OF);
          ps.setString(1, pubkey.value());
          List<String> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
          return out;
        });
  }

  @Override
  public Map<String, List<PublicKey>> names() {
    return read(
        r -> {
          Map<String, List<PublicKey>> out = new LinkedHashMap<>();
          try (ResultSet rs = r.prepare(SQL_NAMES).executeQuery()) {
            while (rs.next()) {
              out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                  .add(new PublicKey(rs.getString(2)));
            }
          }
          Map<String, List<PublicKey>> frozen = new LinkedHashMap<>();
          out.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
          return java.util.Collections.unmodifiableMap(frozen);
        });
  }

  @Override
  public long count() {
    requireOpen();
    return messages.get();
  }

  @Override
  public StoreStats stats() {
    requireOpen();
    return new StoreStats(
        messages.get(), authors.get(), blobs.get(), blobBytes.get(), queue.size());
  }

  @Override
  public CommitStats commitStats() {
    return new CommitStats(
        commits.sum(), commitNanos.sum(), maxCommitNanos.get(), idleCheckpoints.sum());
  }

  /** Writer thread. */
  private void recordCommit(long nanos) {
    commits.increment();
    commitNanos.add(nanos);
    if (nanos > maxCommitNanos.get()) {
      maxCommitNanos.set(nanos);
    }
  }

  @Override
  public int remainingCapacity() {
    return closed ? 0 : queue.remainingCapacity();
  }

  private int pageLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("Expected a page limit >= 1 but was " + limit);
    }
    return Math.min(limit, config.maxPageSize());
  }

  private List<LogEntry> entries(String sql, Object... params) {
    return read(
        r -> {
          PreparedStatement ps = r.prepare(sql);
          for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
          }
          List<LogEntry> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(
                  new LogEntry(
                      rs.getLong(1),
                      new Hash(rs.getString(2)),
                      rs.getString(6),
                      new PublicKey(rs.getString(3)),
                      new Opened(rs.getString(4), new Hash(rs.getString(5))),
                      rs.getString(7)));
            }
          }
          return out;
        });
  }

  private <T> T read(ReaderPool.Work<T> work) {
    requireOpen();
    return readers.read(work);
  }

  private void requireOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private static StoreException closedException() {
    return new StoreException(
        StoreException.Reason.CLOSED, "Expected an open store but it is closed");
  }

  // ---- lifecycle ----

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    queue.close();
    if (Thread.currentThread() != writer) {
      awaitWriter(config.closeTimeout());
      if (writer.isAlive()) {
        List<WriteOp> left = queue.drain();
        fail(left, closedException());
        log.warn(
            "Store writer for {} did not finish within {}; {} queued writes failed",
            file,
            config.closeTimeout(),
            left.size());
      }
    }
    readers.close();
  }

  private void awaitWriter(Duration timeout) {
    try {
      writer.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(FileLock lock, FileChannel channel) {
    try {
      if (lock != null && lock.isValid()) {
        lock.release();
      }
    } catch (IOException e) {
      log.debug("Releasing the store lock failed", e);
    }
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      log.debug("Closing the store lock file failed", e);
    }
  }

  /**
   * The write connection and its prepared statements. Created on the opening thread, then used only
   * by the writer thread (handed over by {@link Thread#start()}).
   */
  static final class WriterSession {
    /** Most authors, and most name pairs, the writer remembers as stored. */
    static final int KNOWN_ROWS = 16_384;

    /** What a transaction added, applied to the counters after it commits. */
    static final class Delta {
      long messages;
      long authors;
      long blobs;
      long blobBytes;

      /** Keys the transaction stored, for the recent-keys cache once it has committed. */
      final List<String> keys = new ArrayList<>();
    }

    private final Connection connection;
    private final PreparedStatement insertBlob;
    private final PreparedStatement insertLog;
    private final PreparedStatement insertAuthor;
    private final PreparedStatement insertName;
    private final PreparedStatement blobName;
    private final PreparedStatement insertMissing;
    private final PreparedStatement authorsMissing;
    private final PreparedStatement deleteMissing;
    private final PreparedStatement logHas;

    /** Authors known to be in {@code authors}: a message by one skips the insert. */
    private final KnownRows knownAuthors = new KnownRows(KNOWN_ROWS);

    /** (name, pubkey) pairs known to be in {@code names}. */
    private final KnownRows knownNames = new KnownRows(KNOWN_ROWS);

    /**
     * Rows in {@code missing_content} as of the open transaction, so that a new blob looks for
     * messages waiting for it only when there are some; and as of the last commit.
     */
    private long missingRows;

    private long committedMissingRows;

    /** Every stored key; filled by {@link #loadKeys}, then by the writer before each commit. */
    private volatile KeyFilter keys = new KeyFilter(0);

    private WriterSession(Connection connection) throws SQLException {
      this.connection = connection;
      this.insertBlob =
          connection.prepareStatement(
              "INSERT OR IGNORE INTO blobs(hash, size, name, data) VALUES (?, ?, ?, ?)");
      this.insertLog =
          connection.prepareStatement(
              "INSERT OR IGNORE INTO log(hash, author, ts, content_hash, sig)"
                  + " VALUES (?, ?, ?, ?, ?)");
      this.insertAuthor =
          connection.prepareStatement("INSERT OR IGNORE INTO authors(pubkey) VALUES (?)");
      this.insertName =
          connection.prepareStatement("INSERT OR IGNORE INTO names(name, pubkey) VALUES (?, ?)");
      this.blobName = connection.prepareStatement("SELECT name FROM blobs WHERE hash = ?");
      this.insertMissing =
          connection.prepareStatement(
              "INSERT OR IGNORE INTO missing_content(content_hash, author) VALUES (?, ?)");
      this.authorsMissing =
          connection.prepareStatement("SELECT author FROM missing_content WHERE content_hash = ?");
      this.deleteMissing =
          connection.prepareStatement("DELETE FROM missing_content WHERE content_hash = ?");
      this.logHas = connection.prepareStatement("SELECT 1 FROM log WHERE hash = ?");
    }

    static WriterSession open(String url) throws SQLException {
      SQLiteConfig config = new SQLiteConfig();
      config.setBusyTimeout(5_000);
      config.setGetGeneratedKeys(false);
      Connection connection = config.createConnection(url);
      try {
        SqliteSchema.apply(connection);
        connection.setAutoCommit(false);
        return new WriterSession(connection);
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
    }

    /**
     * Puts every stored key into a new key filter sized for twice {@code stored}. Runs once, on the
     * opening thread before the writer starts (which publishes the filter to readers).
     */
    void loadKeys(long stored) throws SQLException {
      KeyFilter filter = new KeyFilter(2 * stored);
      try (Statement st = connection.createStatement()) {
        for (String sql : List.of("SELECT hash FROM log", "SELECT hash FROM blobs")) {
          try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
              filter.put(rs.getString(1));
            }
          }
        }
      }
      connection.commit();
      keys = filter;
    }

    /** The key filter; thread-safe. */
    KeyFilter keys() {
      return keys;
    }

    /** Messages, authors, blobs and blob bytes stored now. */
    long[] counts() throws SQLException {
      long[] counts = new long[4];
      try (Statement st = connection.createStatement()) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM log")) {
          counts[0] = rs.next() ? rs.getLong(1) : 0;
        }
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM authors")) {
          counts[1] = rs.next() ? rs.getLong(1) : 0;
        }
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM missing_content")) {
          missingRows = rs.next() ? rs.getLong(1) : 0;
          committedMissingRows = missingRows;
        }
        try (ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(size), 0) FROM blobs")) {
          if (rs.next()) {
            counts[2] = rs.getLong(1);
            counts[3] = rs.getLong(2);
          }
        }
      }
      connection.commit();
      return counts;
    }

    Object apply(WriteOp op, Delta delta) throws SQLException {
      if (op instanceof WriteOp.Add) {
        return add(((WriteOp.Add) op).message, delta);
      }
      if (op instanceof WriteOp.Make) {
        return make(((WriteOp.Make) op).blob, delta);
      }
      if (op instanceof WriteOp.AddWithContent) {
        WriteOp.AddWithContent both = (WriteOp.AddWithContent) op;
        return addWithContent(both.message, both.content, delta);
      }
      if (op instanceof WriteOp.AddAll) {
        List<VerifiedMessage> messages = ((WriteOp.AddAll) op).messages;
        List<Boolean> results = new ArrayList<>(messages.size());
        for (VerifiedMessage m : messages) {
          results.add(add(m, delta));
        }
        return List.copyOf(results);
      }
      if (op instanceof WriteOp.PutName) {
        WriteOp.PutName put = (WriteOp.PutName) op;
        return putName(put.name, put.pubkey.value());
      }
      throw new IllegalStateException("Unknown write " + op.getClass());
    }

    private boolean add(VerifiedMessage m, Delta delta) throws SQLException {
      String author = m.author().value();
      String contentHash = m.contentHash().value();
      if (!insertLog(m, author, delta)) {
        return false;
      }
      blobName.setString(1, contentHash);
      boolean contentStored;
      String name = null;
      try (ResultSet rs = blobName.executeQuery()) {
        contentStored = rs.next();
        if (contentStored) {
          name = rs.getString(1);
        }
      }
      if (name != null) {
        putName(name, author);
      } else if (!contentStored) {
        insertMissing.setString(1, contentHash);
        insertMissing.setString(2, author);
        missingRows += insertMissing.executeUpdate();
      }
      return true;
    }

    /**
     * The content first, then the message: the message finds its content stored, so it takes the
     * name from the blob at hand and never enters {@code missing_content}.
     */
    private AddResult addWithContent(VerifiedMessage m, Blob content, Delta delta)
        throws SQLException {
      boolean contentAdded = storeBlob(content, delta);
      String author = m.author().value();
      if (!insertLog(m, author, delta)) {
        return new AddResult(false, contentAdded);
      }
      if (content.name() != null) {
        putName(content.name(), author);
      }
      return new AddResult(true, contentAdded);
    }

    private boolean insertLog(VerifiedMessage m, String author, Delta delta) throws SQLException {
      insertLog.setString(1, m.hash().value());
      insertLog.setString(2, author);
      insertLog.setString(3, m.opened().timestamp());
      insertLog.setString(4, m.contentHash().value());
      insertLog.setString(5, m.signed().value());
      if (insertLog.executeUpdate() == 0) {
        return false;
      }
      keys.put(m.hash().value());
      delta.keys.add(m.hash().value());
      delta.messages++;
      if (!knownAuthors.contains(author)) {
        insertAuthor.setString(1, author);
        delta.authors += insertAuthor.executeUpdate();
        knownAuthors.add(author);
      }
      return true;
    }

    private Hash make(Blob blob, Delta delta) throws SQLException {
      storeBlob(blob, delta);
      return blob.hash();
    }

    /** Stores the blob unless it is stored; returns whether it was new. */
    private boolean storeBlob(Blob blob, Delta delta) throws SQLException {
      String hash = blob.hash().value();
      if (blob.data().length() == SignedMessage.LENGTH && isLogged(hash)) {
        return false; // a signed message already stored by add
      }
      if (!insertBlob(hash, blob.bytes(), blob.name(), blob.data(), delta)) {
        return false;
      }
      if (missingRows == 0) {
        return true; // no message waits for any content
      }
      authorsMissing.setString(1, hash);
      List<String> authors = new ArrayList<>();
      try (ResultSet rs = authorsMissing.executeQuery()) {
        while (rs.next()) {
          authors.add(rs.getString(1));
        }
      }
      if (!authors.isEmpty()) {
        deleteMissing.setString(1, hash);
        missingRows -= deleteMissing.executeUpdate();
        if (blob.name() != null) {
          for (String author : authors) {
            putName(blob.name(), author);
          }
        }
      }
      return true;
    }

    private boolean isLogged(String hash) throws SQLException {
      logHas.setString(1, hash);
      try (ResultSet rs = logHas.executeQuery()) {
        return rs.next();
      }
    }

    private boolean insertBlob(String hash, int bytes, String name, String data, Delta delta)
        throws SQLException {
      insertBlob.setString(1, hash);
      insertBlob.setInt(2, bytes);
      insertBlob.setString(3, name);
      insertBlob.setString(4, data);
      if (insertBlob.executeUpdate() == 0) {
        return false;
      }
      keys.put(hash);
      delta.keys.add(hash);
      delta.blobs++;
      delta.blobBytes += bytes;
      return true;
    }

    private boolean putName(String name, String pubkey) throws SQLException {
      String pair = name + '\n' + pubkey;
      if (knownNames.contains(pair)) {
        return false;
      }
      knownNames.add(pair);
      insertName.setString(1, name);
      insertName.setString(2, pubkey);
      return insertName.executeUpdate() == 1;
    }

    void commit() throws SQLException {
      connection.commit();
      knownAuthors.commit();
      knownNames.commit();
      committedMissingRows = missingRows;
    }

    /**
     * Copies the WAL into the database file without waiting for readers (a passive checkpoint), so
     * that reads find the pages in the mapped file rather than in the WAL. Returns whether every
     * frame was copied; a failure only leaves pages in the WAL for the next checkpoint.
     *
     * @throws StoreException {@code IO} if the connection cannot be returned to transactions, which
     *     stops the writer rather than letting it commit statement by statement
     */
    boolean checkpoint() {
      boolean complete = false;
      try {
        connection.setAutoCommit(true);
        try (Statement st = connection.createStatement();
            ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
          // busy, frames in the WAL, frames checkpointed
          complete = rs.next() && rs.getInt(1) == 0 && rs.getInt(2) == rs.getInt(3);
        }
      } catch (SQLException e) {
        log.warn("An idle checkpoint of the store failed: {}", e.toString());
      } finally {
        try {
          connection.setAutoCommit(false);
        } catch (SQLException e) {
          throw new StoreException(
              StoreException.Reason.IO,
              "Could not return the write connection to transactions after a checkpoint",
              e);
        }
      }
      return complete;
    }

    void rollbackQuietly() {
      forgetUncommitted();
      try {
        connection.rollback();
      } catch (SQLException e) {
        log.warn("Rolling back a store transaction failed", e);
      }
    }

    private void forgetUncommitted() {
      knownAuthors.rollback();
      knownNames.rollback();
      missingRows = committedMissingRows;
    }

    void close() {
      try {
        connection.close(); // closes its statements too
      } catch (SQLException e) {
        log.warn("Closing the store's write connection failed", e);
      }
    }
  }
}
