package dev.grapevine.mesh.reconcile;

import dev.grapevine.mesh.reconcile.Message.Fingerprints;
import dev.grapevine.mesh.reconcile.Message.IdDiff;
import dev.grapevine.mesh.reconcile.Message.IdList;
import dev.grapevine.mesh.reconcile.Message.Range;
import dev.grapevine.mesh.reconcile.Message.Skip;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One side of a range-based set reconciliation with one peer: it finds which items this side has
 * that the peer lacks ({@link #have()}) and which the peer has that this side lacks ({@link
 * #need()}), exchanging messages that are small when the sets are close.
 *
 * <p>The initiator calls {@link #start()} and sends the result; each side then passes every message
 * it receives to {@link #receive(byte[])} and sends back what that returns, until it returns
 * nothing. A side that has nothing more to say sends a message without ranges (the version byte
 * alone) and is done; a side that receives one is done and sends nothing. When both sets are equal
 * that takes one round trip.
 *
 * <p>Each message covers the item order with ranges. For a range whose fingerprints differ, the
 * receiver answers with {@link ReconcileConfig#buckets()} fingerprints of sub-ranges of equal size,
 * or, when it has fewer than twice that many items there, with the list of its items. The receiver
 * of a list answers with what the list lacks and a bitmap of the list's items it lacks itself, so
 * both sides learn both directions. An answer never exceeds {@link
 * ReconcileConfig#maxMessageBytes()}: what does not fit goes back as one fingerprint of the rest,
 * reconciled in later rounds.
 *
 * <p><b>Threads.</b> Not thread-safe: confine a session to one thread at a time (for example the
 * link's I/O thread). It reads the {@link ItemIndex} under the index's read lock while it answers
 * one message and never blocks otherwise, so it may run on an I/O thread. The index may change
 * between messages; an item added meanwhile is found in a later round or a later session.
 */
public final class ReconcileSession {
  /**
   * Counters of one session.
   *
   * @param messagesSent messages returned by {@code start} and {@code receive}
   * @param messagesReceived messages passed to {@code receive}
   * @param bytesSent their binary length, summed
   * @param bytesReceived the binary length of the received ones, summed
   */
  public record Stats(int messagesSent, int messagesReceived, long bytesSent, long bytesReceived) {}

  /** A list this side sent, kept until the next message so its answer's bitmap can be read. */
  private record SentList(Bound upper, List<Item> items) {}

  private final ItemIndex index;
  private final ReconcileConfig config;
  private final boolean initiator;
  private final MessageDigest sha256 = Fingerprint.sha256();
  private final Set<Item> have = new LinkedHashSet<>();
  private final Set<Item> need = new LinkedHashSet<>();

  /** {@link #need} in the order found, for {@link #needFrom}. */
  private final List<Item> needOrder = new ArrayList<>();

  private TreeMap<Bound, SentList> sentLists = new TreeMap<>();
  private boolean started;
  private boolean done;
  private boolean truncated;
  private int messagesSent;
  private int messagesReceived;
  private long bytesSent;
  private long bytesReceived;

  private ReconcileSession(ItemIndex index, ReconcileConfig config, boolean initiator) {
    this.index = Objects.requireNonNull(index, "index");
    this.config = Objects.requireNonNull(config, "config");
    this.initiator = initiator;
  }

  /** The side that opens the exchange with {@link #start()}. */
  public static ReconcileSession initiator(ItemIndex index, ReconcileConfig config) {
    return new ReconcileSession(index, config, true);
  }

  /** The side that answers the initiator's first message. */
  public static ReconcileSession responder(ItemIndex index, ReconcileConfig config) {
    return new ReconcileSession(index, config, false);
  }

  /**
   * The initiator's first message: fingerprints of {@code buckets} equal parts of the whole set, or
   * the list of its items if it has fewer than {@code 2 * buckets}.
   *
   * @throws ReconcileException {@code PROTOCOL} on a responder or when called twice
   */
  public byte[] start() {
    if (!initiator || started) {
      throw new ReconcileException(
          ReconcileException.Reason.PROTOCOL,
          initiator ? "Expected start() once per session" : "Expected start() on an initiator");
    }
    started = true;
    Output out = new Output();
    index.readLock().lock();
    try {
      out.append(split(0, index.sizeLocked(), Bound.INFINITY), index.sizeLocked());
    } finally {
      index.readLock().unlock();
    }
    return send(out);
  }

  /** {@link #start()} as base64 text, for the envelope's payload. */
  public String startBase64() {
    return ReconcileCodec.toBase64(start());
  }

  /**
   * Takes the peer's next message and returns the answer to send, or nothing when the session is
   * done. Differences found are added to {@link #have()} and {@link #need()}.
   *
   * @throws ReconcileException if the message is malformed, too large, of another version, out of
   *     turn, or the session exceeded {@link ReconcileConfig#maxRounds()}; the session is then done
   */
  public Optional<byte[]> receive(byte[] message) {
    if (done) {
      throw new ReconcileException(
          ReconcileException.Reason.PROTOCOL, "Expected no message after the session ended");
    }
    if (initiator && !started) {
      throw new ReconcileException(
          ReconcileException.Reason.PROTOCOL, "Expected start() before the first message");
    }
    started = true;
    messagesReceived++;
    bytesReceived += message.length;
    try {
      if (messagesReceived > config.maxRounds()) {
        throw new ReconcileException(
            ReconcileException.Reason.TOO_MANY_ROUNDS,
            "Expected at most " + config.maxRounds() + " messages in a session");
      }
      Message in = ReconcileCodec.decode(message, config.maxMessageBytes());
      if (in.isEnd()) {
        done = true;
        return Optional.empty();
      }
      Output out;
      index.readLock().lock();
      try {
        out = answer(in);
      } finally {
        index.readLock().unlock();
      }
      if (have.size() + need.size() >= config.maxDifferences()) {
        truncated = true;
        out = new Output();
      }
      if (out.ranges.isEmpty()) {
        done = true;
      }
      return Optional.of(send(out));
    } catch (ReconcileException e) {
      done = true;
      throw e;
    }
  }

  /**
   * {@link #receive(byte[])} for base64 text, answering in base64.
   *
   * @throws ReconcileException also {@code BAD_BASE64}, or {@code TOO_LARGE} before decoding
   */
  public Optional<String> receiveBase64(String message) {
    if (done) {
      throw new ReconcileException(
          ReconcileException.Reason.PROTOCOL, "Expected no message after the session ended");
    }
    byte[] bytes;
    try {
      bytes = ReconcileCodec.fromBase64(message, config.maxMessageBytes());
    } catch (ReconcileException e) {
      done = true;
      throw e;
    }
    return receive(bytes).map(ReconcileCodec::toBase64);
  }

  /** Whether the initiator side. */
  public boolean isInitiator() {
    return initiator;
  }

  /** Whether the session is over: completed, stopped early, or failed. */
  public boolean isDone() {
    return done;
  }

  /**
   * Whether the session stopped early at {@link ReconcileConfig#maxDifferences()}: {@link #have()}
   * and {@link #need()} are true but incomplete.
   */
  public boolean isTruncated() {
    return truncated;
  }

  /**
   * Items this side has that the peer lacks, in the order found. Complete once {@link #isDone()}
   * (unless truncated or failed).
   */
  public Set<Item> have() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(have));
  }

  /**
   * Items the peer has that this side lacks (with the peer's timestamps), in the order found. An
   * item stored here while the session ran may still be listed: check before fetching.
   */
  public Set<Item> need() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(need));
  }

  /** How many items {@link #need()} holds. */
  public int needCount() {
    return needOrder.size();
  }

  /**
   * The items of {@link #need()} after the first {@code from}, in the order found: what was found
   * since a caller last looked, so that it can fetch while the session still runs.
   *
   * @throws IndexOutOfBoundsException if {@code from} is negative or above {@link #needCount()}
   */
  public List<Item> needFrom(int from) {
    return List.copyOf(needOrder.subList(from, needOrder.size()));
  }

  private void addNeed(Item item) {
    if (need.add(item)) {
      needOrder.add(item);
    }
  }

  /** The session's counters. */
  public Stats stats() {
    return new Stats(messagesSent, messagesReceived, bytesSent, bytesReceived);
  }

  private byte[] send(Output out) {
    byte[] bytes = ReconcileCodec.encode(new Message(out.ranges));
    sentLists = out.lists;
    messagesSent++;
    bytesSent += bytes.length;
    return bytes;
  }

  // ---- answering: called with the index's read lock held ----

  private Output answer(Message in) {
    Output out = new Output();
    Bound lower = Bound.MIN;
    int lowerRank = 0;
    boolean skipPending = false;
    for (Range range : in.ranges()) {
      Bound upper = range.upper();
      int upperRank = index.rankOf(upper);
      List<Range> parts = List.of();
      if (range instanceof Fingerprints f) {
        if (!index.fingerprint(lowerRank, upperRank, sha256).equals(f.fingerprint())) {
          parts = split(lowerRank, upperRank, upper);
        }
      } else if (range instanceof IdList list) {
        Answer a = answerList(out, skipPending, lower, lowerRank, upper, upperRank, list);
        if (a.stop) {
          return out;
        }
        parts = a.parts;
      } else if (range instanceof IdDiff diff) {
        absorb(lower, diff);
      }
      if (!parts.isEmpty()) {
        List<Range> emitted = parts;
        if (skipPending) {
          emitted = new ArrayList<>(parts.size() + 1);
          emitted.add(new Skip(lower));
          emitted.addAll(parts);
        }
        if (!out.fits(emitted)) {
          out.appendRest();
          return out;
        }
        out.append(emitted, upperRank);
        skipPending = false;
      } else {
        skipPending = true;
      }
      lower = upper;
      lowerRank = upperRank;
    }
    return out;
  }

  /**
   * Our items in [lowerRank, upperRank) as {@code buckets} fingerprints of equal parts, or as a
   * list when there are fewer than {@code 2 * buckets}.
   */
  private List<Range> split(int lowerRank, int upperRank, Bound upper) {
    int n = upperRank - lowerRank;
    int buckets = config.buckets();
    if (n < 2 * buckets) {
      List<Item> items = new ArrayList<>(n);
      for (ItemIndex.Cursor c = index.cursor(lowerRank); c.rank < upperRank; c.advance()) {
        items.add(c.item());
      }
      return List.of(new IdList(upper, items));
    }
    List<Range> parts = new ArrayList<>(buckets);
    int per = n / buckets;
    int extra = n % buckets;
    int from = lowerRank;
    // each bucket's fingerprint is the difference of two prefix sums; neighbours share one
    Sum256 below = new Sum256();
    index.prefixSum(lowerRank, below);
    for (int i = 0; i < buckets; i++) {
      int to = from + per + (i < extra ? 1 : 0);
      Bound bound;
      if (i == buckets - 1) {
        bound = upper;
      } else {
        ItemIndex.Cursor c = index.cursor(to - 1);
        long ts = c.timestamp();
        long[] before = new long[4];
        System.arraycopy(c.ids(), c.offset(), before, 0, 4);
        c.advance();
        bound = Bound.between(ts, before, 0, c.timestamp(), c.ids(), c.offset());
      }
      Sum256 upTo = new Sum256();
      index.prefixSum(to, upTo);
      Sum256 sum = new Sum256(upTo);
      sum.subtract(below);
      parts.add(new Fingerprints(bound, Fingerprint.of(sum, to - from, sha256)));
      below = upTo;
      from = to;
    }
    return parts;
  }

  /** What to emit for a received list, or that the message is full. */
  private record Answer(List<Range> parts, boolean stop) {}

  /**
   * Compares the peer's list of [lower, upper) with our items there. Records what each side lacks
   * and answers with an {@link IdDiff}, cut short at a bound when our extra items do not fit.
   */
  private Answer answerList(
      Output out,
      boolean skipPending,
      Bound lower,
      int lowerRank,
      Bound upper,
      int upperRank,
      IdList list) {
    List<Item> theirs = list.items();
    List<Integer> lacking = new ArrayList<>();
    for (int i = 0; i < theirs.size(); i++) {
      if (!index.containsLocked(theirs.get(i))) {
        lacking.add(i);
      }
    }
    long base = out.base;
    int budget =
        config.maxMessageBytes()
            - out.size
            - ReconcileCodec.REST_BYTES
            - (skipPending ? ReconcileCodec.boundSize(lower, base) + 1 : 0)
            - ReconcileCodec.MAX_BOUND_BYTES
            - 1
            - Varint.size(theirs.size())
            - (theirs.size() + 7) / 8
            - Varint.MAX_BYTES;
    List<Item> extra = new ArrayList<>();
    int cut = -1;
    int j = 0;
    long previous = lower.timestamp(); // list items count from the range's lower bound
    for (ItemIndex.Cursor c = index.cursor(lowerRank); c.rank < upperRank; c.advance()) {
      Item ours = c.item();
      while (j < theirs.size() && theirs.get(j).compareTo(ours) < 0) {
        j++;
      }
      if (j < theirs.size() && theirs.get(j).equals(ours)) {
        j++;
        continue;
      }
      int cost = ReconcileCodec.itemSize(ours, previous);
      if (cost > budget) {
        cut = c.rank;
        break;
      }
      budget -= cost;
      previous = ours.timestamp();
      extra.add(ours);
    }
    for (int position : lacking) {
      addNeed(theirs.get(position));
    }
    if (cut < 0) {
      have.addAll(extra);
      if (extra.isEmpty() && lacking.isEmpty()) {
        return new Answer(List.of(), false);
      }
      return new Answer(List.of(new IdDiff(upper, theirs.size(), lacking, extra)), false);
    }
    if (extra.isEmpty()) {
      // Not even one item fits after what is already in the message: leave the range to the rest.
      out.appendRest();
      return new Answer(List.of(), true);
    }
    have.addAll(extra);
    ItemIndex.Cursor c = index.cursor(cut - 1);
    long ts = c.timestamp();
    long[] before = new long[4];
    System.arraycopy(c.ids(), c.offset(), before, 0, 4);
    c.advance();
    Bound end = Bound.between(ts, before, 0, c.timestamp(), c.ids(), c.offset());
    List<Range> emitted = new ArrayList<>(2);
    if (skipPending) {
      emitted.add(new Skip(lower));
    }
    emitted.add(new IdDiff(end, theirs.size(), lacking, extra));
    out.append(emitted, cut);
    out.appendRest();
    return new Answer(List.of(), true);
  }

  /** Takes the peer's answer to a list we sent from {@code lower}. */
  private void absorb(Bound lower, IdDiff diff) {
    SentList sent = sentLists.get(lower);
    if (sent == null) {
      throw new ReconcileException(
          ReconcileException.Reason.PROTOCOL,
          "Expected an answer to a list this side sent, but none started at " + lower);
    }
    if (diff.listSize() != sent.items().size() || diff.upper().compareTo(sent.upper()) > 0) {
      throw new ReconcileException(
          ReconcileException.Reason.PROTOCOL,
          "Expected an answer to the list of "
              + sent.items().size()
              + " items but it answers "
              + diff.listSize());
    }
    for (int position : diff.lacking()) {
      have.add(sent.items().get(position));
    }
    for (Item item : diff.extra()) {
      if (!index.containsLocked(item)) {
        addNeed(item);
      }
    }
  }

  /** The answer being built: ranges, its encoded size so far, and the lists it carries. */
  private final class Output {
    final List<Range> ranges = new ArrayList<>();
    final TreeMap<Bound, SentList> lists = new TreeMap<>();
    int size = 1;
    long base = 0;
    Bound last = Bound.MIN;
    int lastRank = 0;

    boolean fits(List<Range> parts) {
      int s = 0;
      long b = base;
      for (Range r : parts) {
        s += ReconcileCodec.rangeSize(r, b);
        b = ReconcileCodec.nextBase(r, b);
      }
      return size + s + ReconcileCodec.REST_BYTES <= config.maxMessageBytes();
    }

    /** Appends ranges that end at the item of rank {@code upperRank}. */
    void append(List<Range> parts, int upperRank) {
      for (Range r : parts) {
        if (r instanceof IdList l) {
          lists.put(last, new SentList(l.upper(), l.items()));
        }
        size += ReconcileCodec.rangeSize(r, base);
        base = ReconcileCodec.nextBase(r, base);
        last = r.upper();
        ranges.add(r);
      }
      lastRank = upperRank;
    }

    /**
     * Ends the message with one fingerprint of our items above the last bound written: the peer
     * splits it again, and the exchange goes on in the next rounds.
     */
    void appendRest() {
      Range rest =
          new Fingerprints(Bound.INFINITY, index.fingerprint(lastRank, index.sizeLocked(), sha256));
      size += ReconcileCodec.rangeSize(rest, base);
      ranges.add(rest);
    }
  }
}
