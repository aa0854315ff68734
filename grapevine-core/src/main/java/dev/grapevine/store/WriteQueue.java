package dev.grapevine.store;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writer's bounded queue: at most {@code capacity} slots and about {@code maxBytes} bytes of
 * writes wait at a time (a single write larger than the byte bound is admitted when the queue is
 * empty). Many producers, one consumer. Thread-safe.
 */
final class WriteQueue {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<WriteOp> ops = new ArrayDeque<>();
  private final int capacity;
  private final long maxBytes;
  private int items;
  private long bytes;
  private boolean closed;

  /** While the consumer waits for a batch to fill: the slots at which it wants to be woken. */
  private int fillTarget = Integer.MAX_VALUE;

  WriteQueue(int capacity, long maxBytes) {
    this.capacity = capacity;
    this.maxBytes = maxBytes;
  }

  /**
   * Enqueues {@code op} if there is room now; never blocks.
   *
   * @throws StoreException {@code BUSY} if full, {@code CLOSED} if closed
   */
  void offer(WriteOp op) {
    lock.lock();
    try {
      requireOpen();
      if (!fits(op)) {
        throw busy(op, Duration.ZERO);
      }
      push(op);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Enqueues {@code op}, waiting up to {@code timeout} for room.
   *
   * @throws StoreException {@code BUSY} on timeout, {@code CLOSED}, {@code INTERRUPTED}
   */
  void offer(WriteOp op, Duration timeout) {
    long nanos = timeout.toNanos();
    try {
      lock.lockInterruptibly();
      try {
        while (!closed && !fits(op)) {
          if (nanos <= 0) {
            throw busy(op, timeout);
          }
          nanos = notFull.awaitNanos(nanos);
        }
        requireOpen();
        push(op);
      } finally {
        lock.unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(
          StoreException.Reason.INTERRUPTED, "Interrupted while waiting for room in the queue", e);
    }
  }

  /**
   * Takes the oldest writes, at least one and, after the first, no more than {@code maxItems} slots
   * in total; waits while the queue is empty and open.
   *
   * @return the writes, or an empty list once the queue is closed and empty
   */
  List<WriteOp> take(int maxItems) throws InterruptedException {
    return take(maxItems, Integer.MAX_VALUE, 0);
  }

  /**
   * {@link #take(int)}, but if at least {@code fillFrom} slots are queued (the store is busy),
   * first waits until {@code maxItems} slots are queued, the queue closes, or {@link
   * System#nanoTime()} reaches {@code fillUntil}, so that the batch is larger. A quiet store (fewer
   * than {@code fillFrom} slots queued) never waits for more.
   */
  List<WriteOp> take(int maxItems, int fillFrom, long fillUntil) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (ops.isEmpty()) {
        if (closed) {
          return List.of();
        }
        notEmpty.await();
      }
      if (items >= fillFrom) {
        fillTarget = maxItems;
        try {
          long wait = fillUntil - System.nanoTime();
          while (!closed && items < maxItems && wait > 0) {
            wait = notEmpty.awaitNanos(wait);
          }
        } finally {
          fillTarget = Integer.MAX_VALUE;
        }
      }
      List<WriteOp> batch = new ArrayList<>();
      int taken = 0;
      while (!ops.isEmpty() && (batch.isEmpty() || taken + ops.peekFirst().weight() <= maxItems)) {
        WriteOp op = ops.pollFirst();
        taken += op.weight();
        items -= op.weight();
        bytes -= op.bytes();
        batch.add(op);
      }
      notFull.signalAll();
      return batch;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits up to {@code nanos} for a write to be queued. True if one is queued or the queue closed,
   * false if it stayed empty and open that long.
   */
  boolean awaitWork(long nanos) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      long wait = nanos;
      while (ops.isEmpty() && !closed && wait > 0) {
        wait = notEmpty.awaitNanos(wait);
      }
      return !ops.isEmpty() || closed;
    } finally {
      lock.unlock();
    }
  }

  /** Free slots now (0 when the byte bound is reached or the queue is closed). */
  int remainingCapacity() {
    lock.lock();
    try {
      if (closed || (bytes >= maxBytes && items > 0)) {
        return 0;
      }
      return capacity - items;
    } finally {
      lock.unlock();
    }
  }

  /** Slots in use. */
  int size() {
    lock.lock();
    try {
      return items;
    } finally {
      lock.unlock();
    }
  }

  /** Refuses new writes from now on; {@link #take} still returns what is queued. */
  void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns everything queued. */
  List<WriteOp> drain() {
    lock.lock();
    try {
      List<WriteOp> all = new ArrayList<>(ops);
      ops.clear();
      items = 0;
      bytes = 0;
      notFull.signalAll();
      return all;
    } finally {
      lock.unlock();
    }
  }

  private boolean fits(WriteOp op) {
    if (items == 0) {
      return true;
    }
    return items + op.weight() <= capacity && bytes + op.bytes() <= maxBytes;
  }

  private void push(WriteOp op) {
    ops.addLast(op);
    items += op.weight();
    bytes += op.bytes();
    if (ops.size() == 1 || items >= fillTarget) {
      notEmpty.signal();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new StoreException(
          StoreException.Reason.CLOSED, "Expected an open store but it is closed");
    }
  }

  private StoreException busy(WriteOp op, Duration waited) {
    return new StoreException(
        StoreException.Reason.BUSY,
        "Expected room for "
            + op.weight()
            + " write(s) in the store queue but it holds "
            + items
            + " of "
            + capacity
            + " writes and "
            + bytes
            + " of "
            + maxBytes
            + " bytes"
            + (waited.isZero() ? "" : " after waiting " + waited.toMillis() + " ms"));
  }
}
