package dev.grapevine.conn.staging;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.hub.ConnHub;

/** What staging asks the hub: whether a peer already has a hub entry (in any state). */
public interface HubLookup {
  /** A lookup that finds nothing, for staging without a hub. */
  HubLookup NONE =
      new HubLookup() {
        @Override
        public boolean hasAddress(ConnAddress address) {
          return false;
        }

        @Override
        public boolean hasKey(PublicKey key) {
          return false;
        }
      };

  /** True if the hub has an entry for {@code address}. */
  boolean hasAddress(ConnAddress address);

  /** True if the hub has an entry for the peer with {@code key}, under any address. */
  boolean hasKey(PublicKey key);

  /** Asks {@code hub}'s latest snapshot; a closed hub has no entries. */
  static HubLookup of(ConnHub hub) {
    return new HubLookup() {
      @Override
      public boolean hasAddress(ConnAddress address) {
        return !hub.isClosed() && hub.entry(address).isPresent();
      }

      @Override
      public boolean hasKey(PublicKey key) {
        return !hub.isClosed() && hub.entryByKey(key).isPresent();
      }
    };
  }
}
