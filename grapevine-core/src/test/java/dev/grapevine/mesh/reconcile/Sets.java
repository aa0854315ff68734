package dev.grapevine.mesh.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/** Random item sets and a driver that runs two sessions against each other, for tests. */
final class Sets {
  private Sets() {}

  /**
   * A random item. Timestamps come from {@code [0, spread)} so small spreads give many equal
   * timestamps; with {@code sharedPrefix} the ids start with the same bytes, so bounds need long
   * prefixes.
   */
  static Item randomItem(Random random, long spread, int sharedPrefix) {
    byte[] id = new byte[32];
    random.nextBytes(id);
    for (int i = 0; i < sharedPrefix && i < 32; i++) {
      id[i] = (byte) 0xab;
    }
    return new Item(spread <= 1 ? 0 : Math.floorMod(random.nextLong(), spread), ItemId.of(id));
  }

  /** {@code n} distinct random items ({@code sharedPrefix} at most 28, so there are enough). */
  static List<Item> randomItems(Random random, int n, long spread, int sharedPrefix) {
    if (sharedPrefix > 28) {
      throw new IllegalArgumentException("Expected a shared prefix <= 28: " + sharedPrefix);
    }
    Set<Item> out = new HashSet<>();
    while (out.size() < n) {
      out.add(randomItem(random, spread, sharedPrefix));
    }
    return new ArrayList<>(out);
  }

  /** The items of {@code a} not in {@code b}. */
  static Set<Item> minus(List<Item> a, List<Item> b) {
    Set<Item> out = new TreeSet<>(a);
    out.removeAll(new HashSet<>(b));
    return out;
  }

  /** What one exchange did; round trips are the answers the initiator received. */
  record Run(
      ReconcileSession initiator,
      ReconcileSession responder,
      int roundTrips,
      int messages,
      long bytes,
      int largestMessage) {}

  /**
   * Runs a whole exchange between {@code a} (initiator) and {@code b} (responder), checking that no
   * message exceeds its sender's limit and that both sides end.
   */
  static Run reconcile(ItemIndex a, ItemIndex b, ReconcileConfig ca, ReconcileConfig cb) {
    ReconcileSession initiator = ReconcileSession.initiator(a, ca);
    ReconcileSession responder = ReconcileSession.responder(b, cb);
    byte[] message = initiator.start();
    assertThat(message.length).isLessThanOrEqualTo(ca.maxMessageBytes());
    int roundTrips = 0;
    int messages = 1;
    long bytes = message.length;
    int largest = message.length;
    ReconcileSession next = responder;
    for (int step = 0; step < 100_000; step++) {
      Optional<byte[]> reply = next.receive(message);
      if (next == initiator) {
        roundTrips++;
      }
      if (reply.isEmpty()) {
        break;
      }
      message = reply.get();
      int limit = next == responder ? cb.maxMessageBytes() : ca.maxMessageBytes();
      assertThat(message.length).isLessThanOrEqualTo(limit);
      messages++;
      bytes += message.length;
      largest = Math.max(largest, message.length);
      next = next == responder ? initiator : responder;
    }
    assertThat(initiator.isDone()).as("initiator done").isTrue();
    assertThat(responder.isDone()).as("responder done").isTrue();
    return new Run(initiator, responder, roundTrips, messages, bytes, largest);
  }

  static Run reconcile(ItemIndex a, ItemIndex b, ReconcileConfig config) {
    return reconcile(a, b, config, config);
  }
}
