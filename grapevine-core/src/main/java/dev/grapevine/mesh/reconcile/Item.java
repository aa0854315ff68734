package dev.grapevine.mesh.reconcile;

import dev.grapevine.anproto.Hash;
import java.util.Objects;

/**
 * One element of a reconciled set: a message's signed timestamp and its id. Items are ordered by
 * timestamp, then by id, so recent messages sit together at the end of the order.
 *
 * @param timestamp epoch milliseconds, from 0 to {@link #MAX_TIMESTAMP}
 * @param id the message's id
 */
public record Item(long timestamp, ItemId id) implements Comparable<Item> {
  /** The largest timestamp an item may have; {@code Long.MAX_VALUE} stands for "infinity". */
  public static final long MAX_TIMESTAMP = Long.MAX_VALUE - 1;

  /** Validates the timestamp. */
  public Item {
    if (timestamp < 0 || timestamp > MAX_TIMESTAMP) {
      throw new IllegalArgumentException(
          "Expected a timestamp from 0 to " + MAX_TIMESTAMP + " but was " + timestamp);
    }
    Objects.requireNonNull(id, "id");
  }

  /** The item of a message: its signed timestamp and msgHash. */
  public static Item of(long timestamp, Hash msgHash) {
    return new Item(timestamp, ItemId.of(msgHash));
  }

  @Override
  public int compareTo(Item o) {
    int c = Long.compare(timestamp, o.timestamp);
    return c != 0 ? c : id.compareTo(o.id);
  }
}
