package dev.grapevine.mesh.reconcile;

import java.util.List;
import java.util.Objects;

/**
 * One reconciliation message as the codec reads and writes it: ranges in increasing order that
 * together cover the item order from the bottom up to the last range's bound; whatever lies above
 * that counts as skipped. A message without ranges says "done".
 *
 * @param ranges the ranges, bounds strictly increasing
 */
record Message(List<Range> ranges) {
  /** Copies the list. */
  Message {
    ranges = List.copyOf(ranges);
  }

  /** Whether this is the end-of-session message (no ranges). */
  boolean isEnd() {
    return ranges.isEmpty();
  }

  /** A range from the previous range's bound (or the bottom) up to {@link #upper()}. */
  sealed interface Range permits Skip, Fingerprints, IdList, IdDiff {
    /** Where the range ends (exclusive). */
    Bound upper();

    /** The wire code of the range's mode. */
    int mode();
  }

  /** Mode 0: nothing to say about this range (it matched, or it is settled). */
  record Skip(Bound upper) implements Range {
    static final int MODE = 0;

    Skip {
      Objects.requireNonNull(upper, "upper");
    }

    @Override
    public int mode() {
      return MODE;
    }
  }

  /** Mode 1: the sender's fingerprint of its items in the range. */
  record Fingerprints(Bound upper, Fingerprint fingerprint) implements Range {
    static final int MODE = 1;

    Fingerprints {
      Objects.requireNonNull(upper, "upper");
      Objects.requireNonNull(fingerprint, "fingerprint");
    }

    @Override
    public int mode() {
      return MODE;
    }
  }

  /** Mode 2: every item the sender has in the range, in order. */
  record IdList(Bound upper, List<Item> items) implements Range {
    static final int MODE = 2;

    IdList {
      Objects.requireNonNull(upper, "upper");
      items = List.copyOf(items);
    }

    @Override
    public int mode() {
      return MODE;
    }
  }

  /**
   * Mode 3: the answer to an {@link IdList} that started at the same lower bound. {@code lacking}
   * are positions in that list whose items the sender lacks; {@code extra} are the items the sender
   * has in the range (up to {@link #upper()}, which may be below the list's bound when the answer
   * did not fit) that the list did not contain.
   *
   * @param listSize the length of the list answered
   * @param lacking ascending positions in that list, each below {@code listSize}
   * @param extra items the list's sender lacks, in order
   */
  record IdDiff(Bound upper, int listSize, List<Integer> lacking, List<Item> extra)
      implements Range {
    static final int MODE = 3;

    IdDiff {
      Objects.requireNonNull(upper, "upper");
      lacking = List.copyOf(lacking);
      extra = List.copyOf(extra);
    }

    @Override
    public int mode() {
      return MODE;
    }
  }
}
