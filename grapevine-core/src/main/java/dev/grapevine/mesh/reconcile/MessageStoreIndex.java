package dev.grapevine.mesh.reconcile;

import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.store.MessageStore;
import dev.grapevine.store.TimedHash;
import dev.grapevine.store.TimedHashPage;
import dev.grapevine.sync.SyncListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link ItemIndex} of every message in a {@link MessageStore}: one item per log entry, its
 * signed timestamp and msgHash. {@link #load} reads the log in pages of msgHash and timestamp only
 * ({@link MessageStore#timedHashLog}); the index is then kept current in two ways that may be
 * combined, since adding an item twice changes nothing: {@link #refresh()} reads what the store
 * committed since the last read (call it before a session), and {@link #listener()} adds each
 * message the frame protocol stores as it is stored.
 *
 * <p><b>Threads.</b> Thread-safe. {@link #load} and {@link #refresh()} block on store reads, so
 * call them off I/O threads; refreshes are serialised. {@link #add} and the listener only touch the
 * index and never block but for its lock.
 */
public final class MessageStoreIndex {
  /** Entries read per store call. */
  static final int PAGE = 10_000;

  private final MessageStore store;
  private final ItemIndex index;
  private final Object refreshLock = new Object();
  private long cursor; // guarded by refreshLock

  private MessageStoreIndex(MessageStore store, ItemIndex index, long cursor) {
    this.store = store;
    this.index = index;
    this.cursor = cursor;
  }

  /**
   * Reads every log entry of {@code store} and builds the index in one pass.
   *
   * @throws dev.grapevine.store.StoreException if the store fails or is closed
   */
  public static MessageStoreIndex load(MessageStore store) {
    Objects.requireNonNull(store, "store");
    List<Item> items = new ArrayList<>();
    long next = 0;
    while (true) {
      TimedHashPage page = store.timedHashLog(next, PAGE);
      if (page.entries().isEmpty()) {
        break;
      }
      for (TimedHash e : page.entries()) {
        items.add(Item.of(e.timestampMillis(), e.hash()));
      }
      next = page.next();
    }
    return new MessageStoreIndex(store, ItemIndex.of(items), next);
  }

  /** The index; share it with every session that reconciles this store. */
  public ItemIndex index() {
    return index;
  }

  /**
   * Adds the entries the store committed since the last {@link #load} or refresh and returns how
   * many were not in the index yet. Blocks on store reads.
   */
  public int refresh() {
    synchronized (refreshLock) {
      int added = 0;
      while (true) {
        TimedHashPage page = store.timedHashLog(cursor, PAGE);
        if (page.entries().isEmpty()) {
          return added;
        }
        for (TimedHash e : page.entries()) {
          if (index.add(Item.of(e.timestampMillis(), e.hash()))) {
            added++;
          }
        }
        cursor = page.next();
      }
    }
  }

  /** Adds a stored message; returns false if it was already indexed. Does not touch the store. */
  public boolean add(VerifiedMessage message) {
    return index.add(Item.of(message.timestampMillis(), message.hash()));
  }

  /**
   * A listener that adds every message the frame protocol commits, for {@code
   * Node.addListener(..)}. It runs on the protocol's workers and only takes the index's lock.
   */
  public SyncListener listener() {
    return new SyncListener() {
      @Override
      public void messageStored(VerifiedMessage message, String origin) {
        add(message);
      }
    };
  }
}
