package dev.grapevine.mesh.reconcile;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An ordered set of {@link Item}s that answers range fingerprints in O(log n): a B+-tree whose
 * every node keeps the number of items below it and the sum of their ids modulo 2<sup>256</sup>.
 * The fingerprint of a range is the difference of two prefix sums, each gathered from one
 * root-to-leaf path, so it never scans the range. Inserts and removals update the sums along one
 * path, so a live store can keep the index current.
 *
 * <p>Leaves hold 32 to 64 items in primitive arrays (40 to 80 bytes per item) and are linked in
 * order; inner nodes have up to 32 children. Every node but the root is at least half full.
 *
 * <p><b>Threads.</b> Thread-safe: a read-write lock guards the tree. Reads (and a {@link
 * ReconcileSession} answering one message) share the read lock; {@link #add} and {@link #remove}
 * take the write lock for one path's work. No method blocks on anything but that lock.
 */
public final class ItemIndex {
  static final int LEAF_MAX = 64;
  static final int LEAF_MIN = LEAF_MAX / 2;
  static final int INNER_MAX = 32;
  static final int INNER_MIN = INNER_MAX / 2;

  /** A node: the item count and the id sum of its subtree. */
  abstract static sealed class Node permits Leaf, Inner {
    int count;
    final Sum256 sum = new Sum256();
  }

  /** Items in order: timestamps and ids (four big-endian words per item). */
  static final class Leaf extends Node {
    final long[] ts = new long[LEAF_MAX];
    final long[] ids = new long[4 * LEAF_MAX];
    Leaf next;
  }

  /**
   * Children with separators: every item of {@code kids[i]} is below separator {@code i}, and every
   * item of {@code kids[i + 1]} is at or above it.
   */
  static final class Inner extends Node {
    int n;
    final Node[] kids = new Node[INNER_MAX];
    final long[] sepTs = new long[INNER_MAX - 1];
    final long[] sepIds = new long[4 * (INNER_MAX - 1)];
  }

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private Node root = new Leaf();

  // Results of a split, handed up one level; only touched under the write lock.
  private boolean changed;
  private long splitTs;
  private final long[] splitKey = new long[4];

  /** An empty index. */
  public ItemIndex() {}

  /**
   * An index of {@code items} (duplicates count once), built bottom-up in O(n log n) for the sort
   * and O(n) for the tree.
   */
  public static ItemIndex of(Collection<Item> items) {
    List<Item> sorted = new ArrayList<>(items);
    sorted.sort(null);
    ItemIndex index = new ItemIndex();
    index.root = build(sorted);
    return index;
  }

  // ---- public operations ----

  /** Adds {@code item}; returns false if it was already there. */
  public boolean add(Item item) {
    ItemId id = item.id();
    long k0 = id.word(0);
    long k1 = id.word(1);
    long k2 = id.word(2);
    long k3 = id.word(3);
    lock.writeLock().lock();
    try {
      changed = false;
      Node right = insert(root, item.timestamp(), k0, k1, k2, k3);
      if (right != null) {
        Inner top = new Inner();
        top.kids[0] = root;
        top.kids[1] = right;
        top.n = 2;
        setSeparator(top, 0, splitTs, splitKey, 0);
        recompute(top);
        root = top;
      }
      return changed;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Removes {@code item}; returns false if it was not there. */
  public boolean remove(Item item) {
    ItemId id = item.id();
    lock.writeLock().lock();
    try {
      boolean removed =
          delete(root, item.timestamp(), id.word(0), id.word(1), id.word(2), id.word(3));
      if (root instanceof Inner top && top.n == 1) {
        root = top.kids[0];
      }
      return removed;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether {@code item} is in the index. */
  public boolean contains(Item item) {
    lock.readLock().lock();
    try {
      return containsLocked(item);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The number of items. */
  public int size() {
    lock.readLock().lock();
    try {
      return root.count;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The fingerprint of every item. */
  public Fingerprint fingerprint() {
    lock.readLock().lock();
    try {
      return Fingerprint.of(root.sum, root.count, Fingerprint.sha256());
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The fingerprint of the items with {@code fromTimestamp <= timestamp < toTimestamp}, in O(log
   * n).
   */
  public Fingerprint fingerprint(long fromTimestamp, long toTimestamp) {
    lock.readLock().lock();
    try {
      int from = rankOf(timestampBound(fromTimestamp));
      int to = Math.max(from, rankOf(timestampBound(toTimestamp)));
      return fingerprint(from, to, Fingerprint.sha256());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The number of items with {@code fromTimestamp <= timestamp < toTimestamp}, in O(log n). */
  public int count(long fromTimestamp, long toTimestamp) {
    lock.readLock().lock();
    try {
      int from = rankOf(timestampBound(fromTimestamp));
      return Math.max(0, rankOf(timestampBound(toTimestamp)) - from);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A copy of every item in order; O(n), for tests and tools. */
  public List<Item> items() {
    lock.readLock().lock();
    try {
      List<Item> out = new ArrayList<>(root.count);
      for (Cursor c = cursor(0); c.rank < root.count; c.advance()) {
        out.add(c.item());
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  private static Bound timestampBound(long timestamp) {
    return timestamp <= 0
        ? Bound.MIN
        : new Bound(Math.min(timestamp, Bound.INFINITE_TIMESTAMP), 0, 0, 0, 0, 0);
  }

  // ---- rank operations for sessions: call with readLock() held ----

  /** The lock a session holds while it answers one message. */
  Lock readLock() {
    return lock.readLock();
  }

  /** {@link #contains} under a held lock. */
  boolean containsLocked(Item item) {
    ItemId id = item.id();
    long k0 = id.word(0);
    long k1 = id.word(1);
    long k2 = id.word(2);
    long k3 = id.word(3);
    long ts = item.timestamp();
    Node node = root;
    while (node instanceof Inner in) {
      node = in.kids[childFor(in, ts, k0, k1, k2, k3)];
    }
    Leaf leaf = (Leaf) node;
    int pos = leafLowerBound(leaf, ts, k0, k1, k2, k3);
    return pos < leaf.count && compareAt(leaf.ts, leaf.ids, pos, ts, k0, k1, k2, k3) == 0;
  }

  /** The number of items, under a held lock. */
  int sizeLocked() {
    return root.count;
  }

  /** The rank of the first item at or above {@code bound} ({@link #sizeLocked()} if none). */
  int rankOf(Bound bound) {
    if (bound.isInfinite()) {
      return root.count;
    }
    long ts = bound.timestamp();
    long k0 = bound.w0();
    long k1 = bound.w1();
    long k2 = bound.w2();
    long k3 = bound.w3();
    int rank = 0;
    Node node = root;
    while (node instanceof Inner in) {
      int ci = childFor(in, ts, k0, k1, k2, k3);
      for (int i = 0; i < ci; i++) {
        rank += in.kids[i].count;
      }
      node = in.kids[ci];
    }
    return rank + leafLowerBound((Leaf) node, ts, k0, k1, k2, k3);
  }

  /** The fingerprint of the items with ranks {@code from} (inclusive) to {@code to} (exclusive). */
  Fingerprint fingerprint(int from, int to, MessageDigest sha256) {
    Sum256 sum = new Sum256();
    prefixSum(to, sum);
    Sum256 below = new Sum256();
    prefixSum(from, below);
    sum.subtract(below);
    return Fingerprint.of(sum, to - from, sha256);
  }

  /** Adds the ids of the first {@code rank} items to {@code acc}: one root-to-leaf path. */
  void prefixSum(int rank, Sum256 acc) {
    if (rank >= root.count) {
      acc.add(root.sum);
      return;
    }
    int left = rank;
    Node node = root;
    while (node instanceof Inner in) {
      int i = 0;
      while (in.kids[i].count <= left) {
        acc.add(in.kids[i].sum);
        left -= in.kids[i].count;
        i++;
      }
      node = in.kids[i];
    }
    Leaf leaf = (Leaf) node;
    for (int i = 0; i < left; i++) {
      int o = 4 * i;
      acc.addId(leaf.ids[o], leaf.ids[o + 1], leaf.ids[o + 2], leaf.ids[o + 3]);
    }
  }

  /** A cursor at the item of rank {@code rank} (or past the end). */
  Cursor cursor(int rank) {
    int left = Math.min(rank, root.count);
    Node node = root;
    while (node instanceof Inner in) {
      int i = 0;
      while (i < in.n - 1 && in.kids[i].count <= left) {
        left -= in.kids[i].count;
        i++;
      }
      node = in.kids[i];
    }
    return new Cursor((Leaf) node, left, Math.min(rank, root.count));
  }

  /** Walks items in order from a rank, leaf to leaf; valid while the read lock is held. */
  static final class Cursor {
    Leaf leaf;
    int pos;
    int rank;

    Cursor(Leaf leaf, int pos, int rank) {
      this.leaf = leaf;
      this.pos = pos;
      this.rank = rank;
      settle();
    }

    private void settle() {
      while (leaf != null && pos >= leaf.count && leaf.next != null) {
        pos -= leaf.count;
        leaf = leaf.next;
      }
    }

    void advance() {
      pos++;
      rank++;
      settle();
    }

    long timestamp() {
      return leaf.ts[pos];
    }

    long[] ids() {
      return leaf.ids;
    }

    int offset() {
      return 4 * pos;
    }

    ItemId id() {
      int o = 4 * pos;
      return new ItemId(leaf.ids[o], leaf.ids[o + 1], leaf.ids[o + 2], leaf.ids[o + 3]);
    }

    Item item() {
      return new Item(timestamp(), id());
    }
  }

  // ---- insert ----

  private Node insert(Node node, long ts, long k0, long k1, long k2, long k3) {
    if (node instanceof Leaf leaf) {
      int pos = leafLowerBound(leaf, ts, k0, k1, k2, k3);
      if (pos < leaf.count && compareAt(leaf.ts, leaf.ids, pos, ts, k0, k1, k2, k3) == 0) {
        return null;
      }
      changed = true;
      if (leaf.count < LEAF_MAX) {
        insertAt(leaf, pos, ts, k0, k1, k2, k3);
        return null;
      }
      Leaf right = splitLeaf(leaf);
      if (pos <= leaf.count) {
        insertAt(leaf, pos, ts, k0, k1, k2, k3);
      } else {
        insertAt(right, pos - leaf.count, ts, k0, k1, k2, k3);
      }
      splitTs = right.ts[0];
      System.arraycopy(right.ids, 0, splitKey, 0, 4);
      return right;
    }
    Inner in = (Inner) node;
    int ci = childFor(in, ts, k0, k1, k2, k3);
    Node newKid = insert(in.kids[ci], ts, k0, k1, k2, k3);
    if (!changed) {
      return null;
    }
    in.count++;
    in.sum.addId(k0, k1, k2, k3);
    if (newKid == null) {
      return null;
    }
    if (in.n < INNER_MAX) {
      insertKid(in, ci + 1, newKid, splitTs, splitKey);
      return null;
    }
    return splitInner(in, ci + 1, newKid);
  }

  private static void insertAt(Leaf leaf, int pos, long ts, long k0, long k1, long k2, long k3) {
    int n = leaf.count;
    System.arraycopy(leaf.ts, pos, leaf.ts, pos + 1, n - pos);
    System.arraycopy(leaf.ids, 4 * pos, leaf.ids, 4 * pos + 4, 4 * (n - pos));
    leaf.ts[pos] = ts;
    int o = 4 * pos;
    leaf.ids[o] = k0;
    leaf.ids[o + 1] = k1;
    leaf.ids[o + 2] = k2;
    leaf.ids[o + 3] = k3;
    leaf.count = n + 1;
    leaf.sum.addId(k0, k1, k2, k3);
  }

  private static Leaf splitLeaf(Leaf leaf) {
    int keep = LEAF_MAX / 2;
    int move = leaf.count - keep;
    Leaf right = new Leaf();
    System.arraycopy(leaf.ts, keep, right.ts, 0, move);
    System.arraycopy(leaf.ids, 4 * keep, right.ids, 0, 4 * move);
    right.count = move;
    leaf.count = keep;
    recompute(right);
    leaf.sum.subtract(right.sum);
    right.next = leaf.next;
    leaf.next = right;
    return right;
  }

  private static void insertKid(Inner in, int pos, Node kid, long sepTs, long[] sepKey) {
    int n = in.n;
    System.arraycopy(in.kids, pos, in.kids, pos + 1, n - pos);
    in.kids[pos] = kid;
    int s = pos - 1;
    System.arraycopy(in.sepTs, s, in.sepTs, s + 1, n - 1 - s);
    System.arraycopy(in.sepIds, 4 * s, in.sepIds, 4 * s + 4, 4 * (n - 1 - s));
    setSeparator(in, s, sepTs, sepKey, 0);
    in.n = n + 1;
  }

  /** Splits a full {@code in} while adding {@code kid} at {@code pos}; sets the separator up. */
  private Node splitInner(Inner in, int pos, Node kid) {
    int total = in.n + 1;
    Node[] kids = new Node[total];
    long[] sepTs = new long[total - 1];
    long[] sepIds = new long[4 * (total - 1)];
    System.arraycopy(in.kids, 0, kids, 0, pos);
    kids[pos] = kid;
    System.arraycopy(in.kids, pos, kids, pos + 1, in.n - pos);
    int s = pos - 1;
    System.arraycopy(in.sepTs, 0, sepTs, 0, s);
    System.arraycopy(in.sepIds, 0, sepIds, 0, 4 * s);
    sepTs[s] = splitTs;
    System.arraycopy(splitKey, 0, sepIds, 4 * s, 4);
    System.arraycopy(in.sepTs, s, sepTs, s + 1, in.n - 1 - s);
    System.arraycopy(in.sepIds, 4 * s, sepIds, 4 * s + 4, 4 * (in.n - 1 - s));

    int leftKids = total / 2;
    Inner right = new Inner();
    Arrays.fill(in.kids, null);
    System.arraycopy(kids, 0, in.kids, 0, leftKids);
    System.arraycopy(sepTs, 0, in.sepTs, 0, leftKids - 1);
    System.arraycopy(sepIds, 0, in.sepIds, 0, 4 * (leftKids - 1));
    in.n = leftKids;
    int rightKids = total - leftKids;
    System.arraycopy(kids, leftKids, right.kids, 0, rightKids);
    System.arraycopy(sepTs, leftKids, right.sepTs, 0, rightKids - 1);
    System.arraycopy(sepIds, 4 * leftKids, right.sepIds, 0, 4 * (rightKids - 1));
    right.n = rightKids;
    splitTs = sepTs[leftKids - 1];
    System.arraycopy(sepIds, 4 * (leftKids - 1), splitKey, 0, 4);
    recompute(in);
    recompute(right);
    return right;
  }

  // ---- delete ----

  private boolean delete(Node node, long ts, long k0, long k1, long k2, long k3) {
    if (node instanceof Leaf leaf) {
      int pos = leafLowerBound(leaf, ts, k0, k1, k2, k3);
      if (pos >= leaf.count || compareAt(leaf.ts, leaf.ids, pos, ts, k0, k1, k2, k3) != 0) {
        return false;
      }
      int n = leaf.count;
      System.arraycopy(leaf.ts, pos + 1, leaf.ts, pos, n - pos - 1);
      System.arraycopy(leaf.ids, 4 * pos + 4, leaf.ids, 4 * pos, 4 * (n - pos - 1));
      leaf.count = n - 1;
      leaf.sum.subtractId(k0, k1, k2, k3);
      return true;
    }
    Inner in = (Inner) node;
    int ci = childFor(in, ts, k0, k1, k2, k3);
    if (!delete(in.kids[ci], ts, k0, k1, k2, k3)) {
      return false;
    }
    in.count--;
    in.sum.subtractId(k0, k1, k2, k3);
    if (underfull(in.kids[ci])) {
      rebalance(in, ci);
    }
    return true;
  }

  private static boolean underfull(Node node) {
    return node instanceof Leaf leaf ? leaf.count < LEAF_MIN : ((Inner) node).n < INNER_MIN;
  }

  private static boolean canLend(Node node) {
    return node instanceof Leaf leaf ? leaf.count > LEAF_MIN : ((Inner) node).n > INNER_MIN;
  }

  /** Refills {@code parent.kids[ci]} from a sibling, or merges it with one. */
  private static void rebalance(Inner parent, int ci) {
    if (ci > 0 && canLend(parent.kids[ci - 1])) {
      borrowFromLeft(parent, ci);
    } else if (ci + 1 < parent.n && canLend(parent.kids[ci + 1])) {
      borrowFromRight(parent, ci);
    } else if (ci > 0) {
      merge(parent, ci - 1);
    } else if (parent.n > 1) {
      merge(parent, ci);
    }
  }

  private static void borrowFromLeft(Inner parent, int ci) {
    Node child = parent.kids[ci];
    Node left = parent.kids[ci - 1];
    if (child instanceof Leaf c) {
      Leaf l = (Leaf) left;
      int last = l.count - 1;
      int lo = 4 * last;
      long ts = l.ts[last];
      long k0 = l.ids[lo];
      long k1 = l.ids[lo + 1];
      long k2 = l.ids[lo + 2];
      long k3 = l.ids[lo + 3];
      l.count = last;
      l.sum.subtractId(k0, k1, k2, k3);
      insertAt(c, 0, ts, k0, k1, k2, k3);
      parent.sepTs[ci - 1] = ts;
      System.arraycopy(c.ids, 0, parent.sepIds, 4 * (ci - 1), 4);
      return;
    }
    Inner c = (Inner) child;
    Inner l = (Inner) left;
    Node moved = l.kids[l.n - 1];
    l.kids[l.n - 1] = null;
    System.arraycopy(c.kids, 0, c.kids, 1, c.n);
    System.arraycopy(c.sepTs, 0, c.sepTs, 1, c.n - 1);
    System.arraycopy(c.sepIds, 0, c.sepIds, 4, 4 * (c.n - 1));
    c.kids[0] = moved;
    c.sepTs[0] = parent.sepTs[ci - 1];
    System.arraycopy(parent.sepIds, 4 * (ci - 1), c.sepIds, 0, 4);
    c.n++;
    parent.sepTs[ci - 1] = l.sepTs[l.n - 2];
    System.arraycopy(l.sepIds, 4 * (l.n - 2), parent.sepIds, 4 * (ci - 1), 4);
    l.n--;
    moveTotals(moved, l, c);
  }

  private static void borrowFromRight(Inner parent, int ci) {
    Node child = parent.kids[ci];
    Node right = parent.kids[ci + 1];
    if (child instanceof Leaf c) {
      Leaf r = (Leaf) right;
      long ts = r.ts[0];
      long k0 = r.ids[0];
      long k1 = r.ids[1];
      long k2 = r.ids[2];
      long k3 = r.ids[3];
      int n = r.count;
      System.arraycopy(r.ts, 1, r.ts, 0, n - 1);
      System.arraycopy(r.ids, 4, r.ids, 0, 4 * (n - 1));
      r.count = n - 1;
      r.sum.subtractId(k0, k1, k2, k3);
      insertAt(c, c.count, ts, k0, k1, k2, k3);
      parent.sepTs[ci] = r.ts[0];
      System.arraycopy(r.ids, 0, parent.sepIds, 4 * ci, 4);
      return;
    }
    Inner c = (Inner) child;
    Inner r = (Inner) right;
    Node moved = r.kids[0];
    c.kids[c.n] = moved;
    c.sepTs[c.n - 1] = parent.sepTs[ci];
    System.arraycopy(parent.sepIds, 4 * ci, c.sepIds, 4 * (c.n - 1), 4);
    c.n++;
    parent.sepTs[ci] = r.sepTs[0];
    System.arraycopy(r.sepIds, 0, parent.sepIds, 4 * ci, 4);
    System.arraycopy(r.kids, 1, r.kids, 0, r.n - 1);
    r.kids[r.n - 1] = null;
    System.arraycopy(r.sepTs, 1, r.sepTs, 0, r.n - 2);
    System.arraycopy(r.sepIds, 4, r.sepIds, 0, 4 * (r.n - 2));
    r.n--;
    moveTotals(moved, r, c);
  }

  private static void moveTotals(Node moved, Node from, Node to) {
    from.count -= moved.count;
    from.sum.subtract(moved.sum);
    to.count += moved.count;
    to.sum.add(moved.sum);
  }

  /**
   * Merges {@code parent.kids[i + 1]} into {@code parent.kids[i]} and drops separator {@code i}.
   */
  private static void merge(Inner parent, int i) {
    Node left = parent.kids[i];
    Node right = parent.kids[i + 1];
    if (left instanceof Leaf l) {
      Leaf r = (Leaf) right;
      System.arraycopy(r.ts, 0, l.ts, l.count, r.count);
      System.arraycopy(r.ids, 0, l.ids, 4 * l.count, 4 * r.count);
      l.count += r.count;
      l.sum.add(r.sum);
      l.next = r.next;
    } else {
      Inner l = (Inner) left;
      Inner r = (Inner) right;
      l.sepTs[l.n - 1] = parent.sepTs[i];
      System.arraycopy(parent.sepIds, 4 * i, l.sepIds, 4 * (l.n - 1), 4);
      System.arraycopy(r.kids, 0, l.kids, l.n, r.n);
      System.arraycopy(r.sepTs, 0, l.sepTs, l.n, r.n - 1);
      System.arraycopy(r.sepIds, 0, l.sepIds, 4 * l.n, 4 * (r.n - 1));
      l.n += r.n;
      l.count += r.count;
      l.sum.add(r.sum);
    }
    int n = parent.n;
    System.arraycopy(parent.kids, i + 2, parent.kids, i + 1, n - i - 2);
    parent.kids[n - 1] = null;
    System.arraycopy(parent.sepTs, i + 1, parent.sepTs, i, n - i - 2);
    System.arraycopy(parent.sepIds, 4 * (i + 1), parent.sepIds, 4 * i, 4 * (n - i - 2));
    parent.n = n - 1;
  }

  // ---- bulk build ----

  private static Node build(List<Item> sorted) {
    List<Item> items = new ArrayList<>(sorted.size());
    for (Item it : sorted) {
      if (items.isEmpty() || items.get(items.size() - 1).compareTo(it) != 0) {
        items.add(it);
      }
    }
    int n = items.size();
    if (n == 0) {
      return new Leaf();
    }
    int leaves = (n + LEAF_MAX - 1) / LEAF_MAX;
    List<Node> level = new ArrayList<>(leaves);
    List<Item> mins = new ArrayList<>(leaves);
    Leaf previous = null;
    int at = 0;
    for (int g = 0; g < leaves; g++) {
      int size = n / leaves + (g < n % leaves ? 1 : 0);
      Leaf leaf = new Leaf();
      for (int i = 0; i < size; i++) {
        Item it = items.get(at++);
        ItemId id = it.id();
        insertAt(leaf, i, it.timestamp(), id.word(0), id.word(1), id.word(2), id.word(3));
      }
      if (previous != null) {
        previous.next = leaf;
      }
      previous = leaf;
      level.add(leaf);
      mins.add(items.get(at - size));
    }
    while (level.size() > 1) {
      int m = level.size();
      int groups = (m + INNER_MAX - 1) / INNER_MAX;
      List<Node> up = new ArrayList<>(groups);
      List<Item> upMins = new ArrayList<>(groups);
      int k = 0;
      for (int g = 0; g < groups; g++) {
        int size = m / groups + (g < m % groups ? 1 : 0);
        Inner in = new Inner();
        for (int i = 0; i < size; i++) {
          in.kids[i] = level.get(k + i);
          if (i > 0) {
            Item sep = mins.get(k + i);
            ItemId id = sep.id();
            in.sepTs[i - 1] = sep.timestamp();
            for (int w = 0; w < 4; w++) {
              in.sepIds[4 * (i - 1) + w] = id.word(w);
            }
          }
        }
        in.n = size;
        recompute(in);
        up.add(in);
        upMins.add(mins.get(k));
        k += size;
      }
      level = up;
      mins = upMins;
    }
    return level.get(0);
  }

  // ---- helpers ----

  private static void recompute(Node node) {
    node.sum.clear();
    if (node instanceof Leaf leaf) {
      for (int i = 0; i < leaf.count; i++) {
        int o = 4 * i;
        leaf.sum.addId(leaf.ids[o], leaf.ids[o + 1], leaf.ids[o + 2], leaf.ids[o + 3]);
      }
      return;
    }
    Inner in = (Inner) node;
    int count = 0;
    for (int i = 0; i < in.n; i++) {
      count += in.kids[i].count;
      in.sum.add(in.kids[i].sum);
    }
    in.count = count;
  }

  private static void setSeparator(Inner in, int s, long ts, long[] key, int off) {
    in.sepTs[s] = ts;
    System.arraycopy(key, off, in.sepIds, 4 * s, 4);
  }

  /** The child to descend into: the number of separators at or below the key. */
  private static int childFor(Inner in, long ts, long k0, long k1, long k2, long k3) {
    int lo = 0;
    int hi = in.n - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compareAt(in.sepTs, in.sepIds, mid, ts, k0, k1, k2, k3) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The first position in {@code leaf} whose item is at or above the key. */
  private static int leafLowerBound(Leaf leaf, long ts, long k0, long k1, long k2, long k3) {
    int lo = 0;
    int hi = leaf.count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compareAt(leaf.ts, leaf.ids, mid, ts, k0, k1, k2, k3) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Compares entry {@code i} of the arrays with the key. */
  static int compareAt(
      long[] tsArr, long[] idArr, int i, long ts, long k0, long k1, long k2, long k3) {
    int c = Long.compare(tsArr[i], ts);
    if (c != 0) {
      return c;
    }
    int o = 4 * i;
    c = Long.compareUnsigned(idArr[o], k0);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(idArr[o + 1], k1);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(idArr[o + 2], k2);
    return c != 0 ? c : Long.compareUnsigned(idArr[o + 3], k3);
  }

  // ---- invariants, for tests ----

  /**
   * Checks the tree: order, separators, counts, sums, fill, equal leaf depth and the leaf chain.
   *
   * @throws IllegalStateException naming the first broken invariant
   */
  void checkInvariants() {
    lock.readLock().lock();
    try {
      List<Leaf> leaves = new ArrayList<>();
      int depth = check(root, true, null, null, leaves, 0);
      if (depth < 0) {
        throw new IllegalStateException("Leaves at different depths");
      }
      for (int i = 0; i + 1 < leaves.size(); i++) {
        if (leaves.get(i).next != leaves.get(i + 1)) {
          throw new IllegalStateException("Leaf chain broken at leaf " + i);
        }
      }
      if (!leaves.isEmpty() && leaves.get(leaves.size() - 1).next != null) {
        throw new IllegalStateException("Last leaf has a successor");
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Returns the height of {@code node}, checking that items lie in [lower, upper). */
  private int check(Node node, boolean isRoot, Item lower, Item upper, List<Leaf> leaves, int d) {
    Sum256 sum = new Sum256();
    if (node instanceof Leaf leaf) {
      leaves.add(leaf);
      if (!isRoot && leaf.count < LEAF_MIN) {
        throw new IllegalStateException("Leaf under half full: " + leaf.count);
      }
      Item prev = null;
      for (int i = 0; i < leaf.count; i++) {
        int o = 4 * i;
        Item it =
            new Item(
                leaf.ts[i],
                new ItemId(leaf.ids[o], leaf.ids[o + 1], leaf.ids[o + 2], leaf.ids[o + 3]));
        if (prev != null && prev.compareTo(it) >= 0) {
          throw new IllegalStateException("Leaf items out of order");
        }
        if ((lower != null && it.compareTo(lower) < 0)
            || (upper != null && it.compareTo(upper) >= 0)) {
          throw new IllegalStateException("Item outside its separators: " + it);
        }
        sum.addId(leaf.ids[o], leaf.ids[o + 1], leaf.ids[o + 2], leaf.ids[o + 3]);
        prev = it;
      }
      requireSum(leaf, sum, leaf.count);
      return 1;
    }
    Inner in = (Inner) node;
    if (in.n < (isRoot ? 2 : INNER_MIN) || in.n > INNER_MAX) {
      throw new IllegalStateException("Inner node with " + in.n + " children");
    }
    int height = -1;
    int count = 0;
    for (int i = 0; i < in.n; i++) {
      Item lo = i == 0 ? lower : separator(in, i - 1);
      Item hi = i == in.n - 1 ? upper : separator(in, i);
      int h = check(in.kids[i], false, lo, hi, leaves, d + 1);
      if (height != -1 && h != height) {
        throw new IllegalStateException("Unequal subtree heights");
      }
      height = h;
      count += in.kids[i].count;
      sum.add(in.kids[i].sum);
    }
    requireSum(in, sum, count);
    return height + 1;
  }

  private static Item separator(Inner in, int s) {
    int o = 4 * s;
    return new Item(
        in.sepTs[s],
        new ItemId(in.sepIds[o], in.sepIds[o + 1], in.sepIds[o + 2], in.sepIds[o + 3]));
  }

  private static void requireSum(Node node, Sum256 sum, int count) {
    if (node.count != count
        || node.sum.l0 != sum.l0
        || node.sum.l1 != sum.l1
        || node.sum.l2 != sum.l2
        || node.sum.l3 != sum.l3) {
      throw new IllegalStateException("Count or sum out of date: " + node.count + " vs " + count);
    }
  }
}
