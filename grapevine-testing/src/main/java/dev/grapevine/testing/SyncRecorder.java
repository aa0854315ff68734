package dev.grapevine.testing;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.sync.SyncListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@link SyncListener} that records every event of a node's ANProto protocol, for assertions: how
 * often each message was stored and relayed (exactly once and at most once on a loop-free network),
 * which frames were rejected, which requests were served. Built like OkHttp's {@code
 * WebSocketRecorder}: events are kept in arrival order and {@link #await} waits for one with a
 * timeout instead of sleeping.
 *
 * <p>Thread-safe: the protocol calls it from its worker and I/O threads, tests read it from theirs.
 * Every event is kept until {@link #clear()}, so use one recorder per test.
 */
public final class SyncRecorder implements SyncListener {
  /** What happened. */
  public enum Kind {
    /** {@link SyncListener#messageStored}; the key is the msgHash. */
    MESSAGE_STORED,
    /** {@link SyncListener#messageRelayed}; the key is the msgHash, {@code count} the links. */
    MESSAGE_RELAYED,
    /** {@link SyncListener#blobStored}; the key is the blob's hash, {@code count} its chars. */
    BLOB_STORED,
    /** {@link SyncListener#blobRelayed}; the key is the blob's hash, {@code count} the links. */
    BLOB_RELAYED,
    /** {@link SyncListener#rejected}; the key is the {@link SyncListener.Rejection} name. */
    REJECTED,
    /** {@link SyncListener#requestServed}; the key is the requested hash, {@code count} frames. */
    REQUEST_SERVED
  }

  /**
   * One recorded event.
   *
   * @param kind what happened
   * @param key the hash (or rejection reason) it is about
   * @param origin where the frame came from: a link id, {@code "http"} or {@code "local"} (empty
   *     for relays)
   * @param count links, frames or chars, depending on the kind (0 where it has no meaning)
   * @param detail the rejection's explanation (empty otherwise)
   */
  public record Event(Kind kind, String key, String origin, int count, String detail) {
    /** Validates the parts. */
    public Event {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(origin, "origin");
      Objects.requireNonNull(detail, "detail");
    }
  }

  private final List<Event> events = new ArrayList<>(); // guarded by this

  @Override
  public void messageStored(VerifiedMessage message, String origin) {
    add(new Event(Kind.MESSAGE_STORED, message.hash().value(), origin, 0, ""));
  }

  @Override
  public void messageRelayed(VerifiedMessage message, int links) {
    add(new Event(Kind.MESSAGE_RELAYED, message.hash().value(), "", links, ""));
  }

  @Override
  public void blobStored(Hash hash, int chars, String origin) {
    add(new Event(Kind.BLOB_STORED, hash.value(), origin, chars, ""));
  }

  @Override
  public void blobRelayed(Hash hash, int links) {
    add(new Event(Kind.BLOB_RELAYED, hash.value(), "", links, ""));
  }

  @Override
  public void rejected(Rejection reason, String origin, String detail) {
    add(new Event(Kind.REJECTED, reason.name(), origin, 0, detail == null ? "" : detail));
  }

  @Override
  public void requestServed(Hash key, String origin, int frames) {
    add(new Event(Kind.REQUEST_SERVED, key.value(), origin, frames, ""));
  }

  private synchronized void add(Event event) {
    events.add(event);
    notifyAll();
  }

  /** A copy of every event so far, in the order they were recorded. */
  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** The events of one kind, in order. */
  public synchronized List<Event> events(Kind kind) {
    List<Event> out = new ArrayList<>();
    for (Event e : events) {
      if (e.kind() == kind) {
        out.add(e);
      }
    }
    return out;
  }

  /** How many events of {@code kind} were recorded. */
  public int count(Kind kind) {
    return events(kind).size();
  }

  /** How many events of {@code kind} are about {@code key} (a hash or a rejection name). */
  public int count(Kind kind, String key) {
    int n = 0;
    for (Event e : events(kind)) {
      if (e.key().equals(key)) {
        n++;
      }
    }
    return n;
  }

  /** How many events of {@code kind} are about {@code hash}. */
  public int count(Kind kind, Hash hash) {
    return count(kind, hash.value());
  }

  /** How many rejections for {@code reason} were recorded. */
  public int rejections(Rejection reason) {
    return count(Kind.REJECTED, reason.name());
  }

  /** For each key, how many events of {@code kind} are about it. */
  public Map<String, Integer> countsByKey(Kind kind) {
    Map<String, Integer> out = new HashMap<>();
    for (Event e : events(kind)) {
      out.merge(e.key(), 1, Integer::sum);
    }
    return out;
  }

  /** The sum of {@link Event#count()} over the events of {@code kind} (links reached by relays). */
  public long sumOfCounts(Kind kind) {
    long n = 0;
    for (Event e : events(kind)) {
      n += e.count();
    }
    return n;
  }

  /**
   * Waits up to {@code timeout} for an event matching {@code condition} (one already recorded
   * counts) and returns the first match.
   *
   * @throws AssertionError if none arrives in time; the message lists what was recorded
   */
  public Event await(Predicate<Event> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (true) {
        for (Event e : events) {
          if (condition.test(e)) {
            return e;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "No matching sync event within " + timeout + "; recorded: " + summary());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("Interrupted while waiting for a sync event", e);
        }
      }
    }
  }

  /** Forgets every event recorded so far. */
  public synchronized void clear() {
    events.clear();
  }

  /** Counts per kind, for failure messages. */
  public synchronized String summary() {
    Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    for (Event e : events) {
      counts.merge(e.kind(), 1, Integer::sum);
    }
    return counts.toString();
  }

  @Override
  public String toString() {
    return "SyncRecorder" + summary();
  }
}
