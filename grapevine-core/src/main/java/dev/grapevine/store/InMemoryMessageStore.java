package dev.grapevine.store;

import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The store kept in heap memory, for tests and ephemeral nodes: same semantics as {@link
 * SqliteMessageStore} without durability. Writes run on the calling thread under a write lock
 * (sequence numbers are assigned under it, contiguously from 1); reads share a read lock.
 * Thread-safe.
 */
final class InMemoryMessageStore implements MessageStore {
  private static final Comparator<Row> TIMESTAMP_ORDER =
      Comparator.comparing((Row r) -> r.message.opened().timestamp()).thenComparingLong(r -> r.seq);

  /** A log entry without its text, which is joined in when it is read. */
  private static final class Row {
    final long seq;
    final VerifiedMessage message;

    Row(long seq, VerifiedMessage message) {
      this.seq = seq;
      this.message = message;
    }
  }

  private final StoreConfig config;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<Hash, Blob> blobs = new HashMap<>();
  private final List<Row> log = new ArrayList<>();
  private final Map<Hash, Row> byHash = new HashMap<>();
  private final Map<PublicKey, TreeSet<Row>> byAuthor = new LinkedHashMap<>();
  private final TreeSet<Row> byTimestamp = new TreeSet<>(TIMESTAMP_ORDER);
  private final TreeMap<Hash, LinkedHashSet<PublicKey>> missingContent = new TreeMap<>();
  private final Map<String, LinkedHashSet<PublicKey>> names = new LinkedHashMap<>();
  private final Map<PublicKey, LinkedHashSet<String>> namesByKey = new HashMap<>();
  private long blobBytes;
  private boolean closed;

  InMemoryMessageStore(StoreConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  // ---- writes ----

  @Override
  public Hash make(String data) {
    Blob blob = Blob.of(data, config.maxBlobBytes());
    return write(() -> makeLocked(blob));
  }

  @Override
  public CompletableFuture<Hash> makeAsync(String data) {
    return async(() -> make(data));
  }

  @Override
  public CompletableFuture<Hash> makeAsync(Content content) {
    return async(
        () -> {
          Blob blob = Blob.of(content, config.maxBlobBytes());
          return write(() -> makeLocked(blob));
        });
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
    return async(
        () ->
            write(
                () -> {
                  int before = blobs.size();
                  makeLocked(blob);
                  boolean contentAdded = blobs.size() > before;
                  return new AddResult(addLocked(message), contentAdded);
                }));
  }

  @Override
  public boolean add(VerifiedMessage message) {
    Objects.requireNonNull(message, "message");
    return write(() -> addLocked(message));
  }

  @Override
  public CompletableFuture<Boolean> addAsync(VerifiedMessage message) {
    Objects.requireNonNull(message, "message");
    return async(() -> add(message));
  }

  @Override
  public List<Boolean> addAll(List<VerifiedMessage> messages) {
    List<VerifiedMessage> all = List.copyOf(messages);
    return write(
        () -> {
          List<Boolean> results = new ArrayList<>(all.size());
          for (VerifiedMessage m : all) {
            results.add(addLocked(m));
          }
          return List.copyOf(results);
        });
  }

  @Override
  public boolean putName(String name, PublicKey pubkey) {
    Blob.requireUsableName(name);
    Objects.requireNonNull(pubkey, "pubkey");
    return write(() -> putNameLocked(name, pubkey));
  }

  private Hash makeLocked(Blob blob) {
    if (blob.data().length() == SignedMessage.LENGTH && byHash.containsKey(blob.hash())) {
      return blob.hash(); // a signed message already stored by add
    }
    if (blobs.putIfAbsent(blob.hash(), blob) != null) {
      return blob.hash();
    }
    blobBytes += blob.bytes();
    LinkedHashSet<PublicKey> waiting = missingContent.remove(blob.hash());
    if (waiting != null && blob.name() != null) {
      for (PublicKey author : waiting) {
        putNameLocked(blob.name(), author);
      }
    }
    return blob.hash();
  }

  private boolean addLocked(VerifiedMessage m) {
    if (byHash.containsKey(m.hash())) {
      return false;
    }
    Row row = new Row(log.size() + 1L, m);
    log.add(row);
    byHash.put(m.hash(), row);
    byAuthor.computeIfAbsent(m.author(), k -> new TreeSet<>(TIMESTAMP_ORDER)).add(row);
    byTimestamp.add(row);
    Blob content = blobs.get(m.contentHash());
    if (content == null) {
      missingContent.computeIfAbsent(m.contentHash(), k -> new LinkedHashSet<>()).add(m.author());
    } else if (content.name() != null) {
      putNameLocked(content.name(), m.author());
    }
    return true;
  }

  private boolean putNameLocked(String name, PublicKey pubkey) {
    boolean added = names.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(pubkey);
    namesByKey.computeIfAbsent(pubkey, k -> new LinkedHashSet<>()).add(name);
    return added;
  }

  // ---- reads ----

  @Override
  public Optional<String> get(Hash key) {
    Objects.requireNonNull(key, "key");
    return read(
        () -> {
          Blob blob = blobs.get(key);
          if (blob != null) {
            return Optional.of(blob.data());
          }
          return Optional.ofNullable(byHash.get(key)).map(r -> r.message.signed().value());
        });
  }

  @Override
  public boolean has(Hash key) {
    Objects.requireNonNull(key, "key");
    return read(() -> blobs.containsKey(key) || byHash.containsKey(key));
  }

  @Override
  public Optional<LogEntry> getLatest(PublicKey author) {
    Objects.requireNonNull(author, "author");
    return read(
        () -> {
          TreeSet<Row> rows = byAuthor.get(author);
          return rows == null ? Optional.empty() : Optional.of(entry(rows.last()));
        });
  }

  @Override
  public List<PublicKey> getPubkeys() {
    return read(() -> List.copyOf(byAuthor.keySet()));
  }

  @Override
  public List<Hash> hashLog() {
    return read(
        () -> {
          List<Hash> out = new ArrayList<>(log.size());
          for (Row row : log) {
            out.add(row.message.hash());
          }
          return out;
        });
  }

  @Override
  public HashPage hashLog(long afterSeq, int limit) {
    int n = pageLimit(limit);
    return read(
        () -> {
          List<Hash> out = new ArrayList<>();
          long next = afterSeq;
          for (Row row : page(afterSeq, n)) {
            out.add(row.message.hash());
            next = row.seq;
          }
          return new HashPage(out, next);
        });
  }

  @Override
  public TimedHashPage timedHashLog(long afterSeq, int limit) {
    int n = pageLimit(limit);
    return read(
        () -> {
          List<TimedHash> out = new ArrayList<>();
          long next = afterSeq;
          for (Row row : page(afterSeq, n)) {
            out.add(new TimedHash(row.seq, row.message.hash(), row.message.timestampMillis()));
            next = row.seq;
          }
          return new TimedHashPage(out, next);
        });
  }

  @Override
  public long lastSeq() {
    return read(() -> (long) log.size());
  }

  @Override
  public List<Hash> missingContent(int limit) {
    int n = pageLimit(limit);
    return read(() -> missingContent.keySet().stream().limit(n).toList());
  }

  @Override
  public Poll poll(long afterSeq, int limit) {
    int n = pageLimit(limit);
    return read(
        () -> {
          List<LogEntry> out = entries(page(afterSeq, n));
          return new Poll(out, out.isEmpty() ? afterSeq : out.get(out.size() - 1).seq());
        });
  }

  @Override
  public List<LogEntry> query() {
    return read(() -> entries(byTimestamp));
  }

  @Override
  public List<LogEntry> byAuthor(PublicKey author) {
    Objects.requireNonNull(author, "author");
    return read(() -> entries(byAuthor.getOrDefault(author, new TreeSet<>(TIMESTAMP_ORDER))));
  }

  @Override
  public Optional<LogEntry> byHash(Hash msgHash) {
    Objects.requireNonNull(msgHash, "msgHash");
    return read(() -> Optional.ofNullable(byHash.get(msgHash)).map(this::entry));
  }

  @Override
  public List<LogEntry> byHashes(Collection<Hash> msgHashes) {
    return read(
        () -> {
          List<LogEntry> out = new ArrayList<>(msgHashes.size());
          for (Hash h : msgHashes) {
            Row row = byHash.get(Objects.requireNonNull(h, "msgHash"));
            if (row != null) {
              out.add(entry(row));
            }
          }
          return out;
        });
  }

  @Override
  public List<LogEntry> search(String text) {
    String needle = Blob.lower(Objects.requireNonNull(text, "text"));
    return read(
        () -> {
          List<LogEntry> out = new ArrayList<>();
          for (Row row : byTimestamp) {
            Blob content = blobs.get(row.message.contentHash());
            if (content != null && Blob.containsLowered(content.data(), needle)) {
              out.add(LogEntry.of(row.seq, row.message, content.data()));
            }
          }
          return out;
        });
  }

  @Override
  public List<PublicKey> lookupName(String name) {
    Objects.requireNonNull(name, "name");
    return read(() -> List.copyOf(names.getOrDefault(name, new LinkedHashSet<>())));
  }

  @Override
  public List<String> namesOf(PublicKey pubkey) {
    Objects.requireNonNull(pubkey, "pubkey");
    return read(() -> List.copyOf(namesByKey.getOrDefault(pubkey, new LinkedHashSet<>())));
  }

  @Override
  public Map<String, List<PublicKey>> names() {
    return read(
        () -> {
          Map<String, List<PublicKey>> out = new LinkedHashMap<>();
          names.forEach((k, v) -> out.put(k, List.copyOf(v)));
          return Collections.unmodifiableMap(out);
        });
  }

  @Override
  public long count() {
    return read(() -> (long) log.size());
  }

  @Override
  public StoreStats stats() {
    return read(() -> new StoreStats(log.size(), byAuthor.size(), blobs.size(), blobBytes, 0));
  }

  @Override
  public int remainingCapacity() {
    lock.readLock().lock();
    try {
      return closed ? 0 : config.queueCapacity();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- helpers ----

  private List<Row> page(long afterSeq, int limit) {
    int from = (int) Math.max(0, Math.min(afterSeq, log.size()));
    return log.subList(from, Math.min(log.size(), from + limit));
  }

  private int pageLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("Expected a page limit >= 1 but was " + limit);
    }
    return Math.min(limit, config.maxPageSize());
  }

  private LogEntry entry(Row row) {
    Blob content = blobs.get(row.message.contentHash());
    return LogEntry.of(row.seq, row.message, content == null ? null : content.data());
  }

  private List<LogEntry> entries(Iterable<Row> rows) {
    List<LogEntry> out = new ArrayList<>();
    for (Row row : rows) {
      out.add(entry(row));
    }
    return out;
  }

  private <T> T read(Supplier<T> body) {
    lock.readLock().lock();
    try {
      requireOpen();
      return body.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  private <T> T write(Supplier<T> body) {
    lock.writeLock().lock();
    try {
      requireOpen();
      return body.get();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static <T> CompletableFuture<T> async(Supplier<T> body) {
    try {
      return CompletableFuture.completedFuture(body.get());
    } catch (StoreException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new StoreException(
          StoreException.Reason.CLOSED, "Expected an open store but it is closed");
    }
  }
}
