package dev.grapevine.bench;

import dev.grapevine.mesh.reconcile.Item;
import dev.grapevine.mesh.reconcile.ItemId;
import dev.grapevine.mesh.reconcile.ItemIndex;
import dev.grapevine.mesh.reconcile.ReconcileConfig;
import dev.grapevine.mesh.reconcile.ReconcileSession;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Set reconciliation between two in-memory indexes of {@link Options#items()} items that differ by
 * d items, against sending every msgHash (44 characters each, as ANProto peers announce what they
 * have).
 *
 * <ol>
 *   <li>Generates the items from a fixed seed: timestamps uniform over the year before {@link
 *       IngestBench#START_MILLIS}, random 32-byte ids. Builds two identical indexes from them.
 *   <li>For every d, and for two placements of the differing items: <b>scattered</b> (chosen at
 *       random over the whole order) and <b>recent</b> (the d newest items), removes every other
 *       chosen item from one index and the rest from the other, so each side lacks d/2 items the
 *       other has. d = 0 is one case, identical sets.
 *   <li>Runs an initiator session on the first index against a responder on the second, in this
 *       thread, and counts round trips (answers the initiator received), messages and bytes each
 *       way; wire bytes are the base64 text that travels in the mesh's JSON envelope.
 *   <li>Checks that both sides found exactly the removed items, then puts them back.
 * </ol>
 *
 * <p>Floors: identical sets in 1 round trip and at most {@link Options#identicalMaxBytes()} wire
 * bytes; d = 100 (both placements) at least {@link Options#floorRatio()} times fewer wire bytes
 * than sending every hash.
 */
public final class ReconcileBench {
  /** One year of milliseconds: the span of the generated timestamps. */
  static final long SPAN_MILLIS = 365L * 24 * 3600 * 1000;

  /** Bytes of sending every msgHash the ANProto way: one 44-character frame each. */
  static final int HASH_CHARS = 44;

  private final Options options;
  private final Consumer<String> progress;

  /** A run with {@code options}, reporting progress lines to {@code progress}. */
  public ReconcileBench(Options options, Consumer<String> progress) {
    this.options = Objects.requireNonNull(options, "options");
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /**
   * Settings of a run.
   *
   * @param items items in each index (default 1,000,000)
   * @param differences the values of d (default 0, 100, 1,000)
   * @param config the sessions' settings (default {@link ReconcileConfig#DEFAULT})
   * @param seed the seed of the generated items
   * @param timeout the whole run fails past this
   * @param floorRatio smallest passing ratio of the hash-list bytes to the wire bytes at d = 100
   * @param identicalMaxBytes largest passing wire bytes for identical sets
   */
  public record Options(
      int items,
      List<Integer> differences,
      ReconcileConfig config,
      long seed,
      Duration timeout,
      double floorRatio,
      int identicalMaxBytes) {

    /** The defaults. */
    public static final Options DEFAULT =
        new Options(
            1_000_000,
            List.of(0, 100, 1_000),
            ReconcileConfig.DEFAULT,
            42,
            Duration.ofMinutes(10),
            100,
            1_024);

    /** Validates the settings. */
    public Options {
      if (items < 1) {
        throw new IllegalArgumentException("Expected items >= 1 but was " + items);
      }
      differences = List.copyOf(differences);
      if (differences.isEmpty()) {
        throw new IllegalArgumentException("Expected at least one value of d");
      }
      for (int d : differences) {
        if (d < 0 || d > items) {
          throw new IllegalArgumentException("Expected d from 0 to " + items + " but was " + d);
        }
      }
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("Expected timeout > 0 but was " + timeout);
      }
      if (!(floorRatio >= 0) || identicalMaxBytes < 0) {
        throw new IllegalArgumentException("Expected floors >= 0");
      }
    }

    /** These settings with other items, differences and session settings. */
    public Options with(int items, List<Integer> differences, ReconcileConfig config) {
      return new Options(items, differences, config, seed, timeout, floorRatio, identicalMaxBytes);
    }
  }

  /** Runs every case; blocks until done. */
  public ReconcileReport run() {
    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long deadline = System.nanoTime() + options.timeout().toNanos();
    progress.accept("Generating " + options.items() + " items");
    List<Item> items = generate(options.items(), options.seed());
    long buildStart = System.nanoTime();
    ItemIndex a = ItemIndex.of(items);
    long buildMillis = (System.nanoTime() - buildStart) / 1_000_000;
    ItemIndex b = ItemIndex.of(items);
    List<Item> sorted = a.items();
    items = null; // only the indexes and the sorted copy are needed from here
    long naive = (long) HASH_CHARS * options.items();
    List<ReconcileReport.Case> cases = new ArrayList<>();
    String failure = null;
    Random random = new Random(options.seed() + 1);
    for (int d : options.differences()) {
      for (String placement : d == 0 ? List.of("identical") : List.of("scattered", "recent")) {
        if (System.nanoTime() > deadline) {
          failure = "timed out after " + options.timeout().toSeconds() + " s";
          break;
        }
        progress.accept("d=" + d + " " + placement);
        List<Item> chosen =
            placement.equals("recent")
                ? sorted.subList(sorted.size() - d, sorted.size())
                : pick(sorted, d, random);
        ReconcileReport.Case c = runCase(a, b, d, placement, chosen, naive);
        cases.add(c);
        if (!c.exact()) {
          failure = "d=" + d + " " + placement + ": the sides did not find exactly the differences";
        }
        if (!a.fingerprint().equals(b.fingerprint())) {
          failure = "the indexes differ after putting the items back";
        }
      }
      if (failure != null) {
        break;
      }
    }
    return ReconcileReport.of(date, options, buildMillis, naive, cases, failure, Machine.current());
  }

  private ReconcileReport.Case runCase(
      ItemIndex a, ItemIndex b, int d, String placement, List<Item> chosen, long naive) {
    Set<Item> onlyA = new HashSet<>();
    Set<Item> onlyB = new HashSet<>();
    for (int i = 0; i < chosen.size(); i++) {
      Item item = chosen.get(i);
      if (i % 2 == 0) {
        b.remove(item);
        onlyA.add(item);
      } else {
        a.remove(item);
        onlyB.add(item);
      }
    }
    ReconcileSession initiator = ReconcileSession.initiator(a, options.config());
    ReconcileSession responder = ReconcileSession.responder(b, options.config());
    long start = System.nanoTime();
    byte[] message = initiator.start();
    long toResponder = message.length;
    long wireToResponder = base64Length(message.length);
    long toInitiator = 0;
    long wireToInitiator = 0;
    int messages = 1;
    int largest = message.length;
    int roundTrips = 0;
    ReconcileSession next = responder;
    while (true) {
      Optional<byte[]> reply = next.receive(message);
      if (next == initiator) {
        roundTrips++;
      }
      if (reply.isEmpty()) {
        break;
      }
      message = reply.get();
      messages++;
      largest = Math.max(largest, message.length);
      if (next == responder) {
        toInitiator += message.length;
        wireToInitiator += base64Length(message.length);
      } else {
        toResponder += message.length;
        wireToResponder += base64Length(message.length);
      }
      next = next == responder ? initiator : responder;
    }
    long micros = (System.nanoTime() - start) / 1_000;
    boolean exact =
        initiator.have().equals(onlyA)
            && initiator.need().equals(onlyB)
            && responder.have().equals(onlyB)
            && responder.need().equals(onlyA);
    for (Item item : onlyA) {
      b.add(item);
    }
    for (Item item : onlyB) {
      a.add(item);
    }
    long wire = wireToResponder + wireToInitiator;
    return new ReconcileReport.Case(
        d,
        placement,
        roundTrips,
        messages,
        toResponder,
        toInitiator,
        wireToResponder,
        wireToInitiator,
        wire,
        largest,
        Reports.round1((double) naive / wire),
        micros / 1000.0,
        exact);
  }

  /** Wire length of a message: its padded base64 text. */
  static long base64Length(int bytes) {
    return (bytes + 2L) / 3 * 4;
  }

  private static List<Item> pick(List<Item> sorted, int d, Random random) {
    Set<Integer> positions = new HashSet<>();
    while (positions.size() < d) {
      positions.add(random.nextInt(sorted.size()));
    }
    List<Item> out = new ArrayList<>(d);
    for (int p : positions) {
      out.add(sorted.get(p));
    }
    return out;
  }

  /** {@code n} distinct items: timestamps over the year before the start, random ids. */
  static List<Item> generate(int n, long seed) {
    Random random = new Random(seed);
    List<Item> out = new ArrayList<>(n);
    byte[] id = new byte[ItemId.BYTES];
    long from = IngestBench.START_MILLIS - SPAN_MILLIS;
    for (int i = 0; i < n; i++) {
      random.nextBytes(id);
      out.add(new Item(from + Math.floorMod(random.nextLong(), SPAN_MILLIS), ItemId.of(id)));
    }
    return out;
  }
}
