package dev.grapevine.mesh.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Any two sets (random sizes and overlaps, identical, disjoint or empty; many equal timestamps or
 * long shared id prefixes; any bucket counts and frame limits) reconcile to exactly their
 * differences, on both sides.
 */
class ReconcileProperties {

  @Property(tries = 200)
  void anyTwoSetsReconcileToExactlyTheirDifferences(
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 3000) int common,
      @ForAll @IntRange(min = 0, max = 400) int onlyA,
      @ForAll @IntRange(min = 0, max = 400) int onlyB,
      @ForAll @IntRange(min = 0, max = 3) int timestampShape,
      @ForAll @IntRange(min = 2, max = 32) int bucketsA,
      @ForAll @IntRange(min = 2, max = 32) int bucketsB,
      @ForAll @IntRange(min = 4096, max = 70_000) int maxMessageBytes) {
    Random random = new Random(seed);
    long spread = new long[] {1, 50, 100_000, 10_000_000_000_000L}[timestampShape];
    int sharedPrefix = random.nextInt(4) == 0 ? random.nextInt(29) : 0;
    List<Item> all = Sets.randomItems(random, common + onlyA + onlyB, spread, sharedPrefix);
    List<Item> a = new ArrayList<>(all.subList(0, common + onlyA));
    List<Item> b = new ArrayList<>(all.subList(0, common));
    b.addAll(all.subList(common + onlyA, all.size()));
    ReconcileConfig configA =
        ReconcileConfig.builder().buckets(bucketsA).maxMessageBytes(maxMessageBytes).build();
    ReconcileConfig configB = configA.toBuilder().buckets(bucketsB).build();

    Sets.Run run = Sets.reconcile(ItemIndex.of(a), ItemIndex.of(b), configA, configB);

    assertThat(run.initiator().have()).containsExactlyInAnyOrderElementsOf(Sets.minus(a, b));
    assertThat(run.initiator().need()).containsExactlyInAnyOrderElementsOf(Sets.minus(b, a));
    assertThat(run.responder().have()).containsExactlyInAnyOrderElementsOf(Sets.minus(b, a));
    assertThat(run.responder().need()).containsExactlyInAnyOrderElementsOf(Sets.minus(a, b));
    assertThat(run.initiator().isTruncated()).isFalse();
    if (onlyA == 0 && onlyB == 0) {
      assertThat(run.roundTrips()).isEqualTo(1);
    }
  }
}
