package dev.grapevine.mesh.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The index against a sorted set: same contents, same answers, valid tree, exact fingerprints. */
class ItemIndexProperties {

  @Property(tries = 60)
  void randomAddsAndRemovalsBehaveLikeASortedSetAndKeepTheTreeValid(
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 6_000) int operations,
      @ForAll @IntRange(min = 1, max = 4) int removeWeight) {
    Random random = new Random(seed);
    ItemIndex index = new ItemIndex();
    TreeSet<Item> model = new TreeSet<>();
    List<Item> known = new ArrayList<>();
    for (int i = 0; i < operations; i++) {
      boolean remove = random.nextInt(5) < removeWeight;
      Item item =
          !known.isEmpty() && random.nextInt(3) > 0
              ? known.get(random.nextInt(known.size()))
              : Sets.randomItem(random, 300, random.nextInt(3) == 0 ? 20 : 0);
      known.add(item);
      if (remove) {
        assertThat(index.remove(item)).isEqualTo(model.remove(item));
      } else {
        assertThat(index.add(item)).isEqualTo(model.add(item));
      }
      if (i % 997 == 0) {
        index.checkInvariants();
      }
    }
    index.checkInvariants();
    assertThat(index.size()).isEqualTo(model.size());
    assertThat(index.items()).containsExactlyElementsOf(model);
    for (Item it : known) {
      assertThat(index.contains(it)).isEqualTo(model.contains(it));
    }
    assertThat(index.fingerprint().bytes()).isEqualTo(NaiveFingerprint.of(model));
  }

  @Property(tries = 100)
  void theFingerprintOfAnyRankRangeIsTheHashOfItsIdSumAndCount(
      @ForAll long seed, @ForAll @IntRange(min = 0, max = 5_000) int n) {
    Random random = new Random(seed);
    List<Item> items = Sets.randomItems(random, n, 1 + random.nextInt(10_000), 0);
    Collections.sort(items);
    ItemIndex index = ItemIndex.of(items);
    for (int k = 0; k < 20; k++) {
      int from = random.nextInt(n + 1);
      int to = from + random.nextInt(n - from + 1);

      assertThat(index.fingerprint(from, to, Fingerprint.sha256()).bytes())
          .isEqualTo(NaiveFingerprint.of(items.subList(from, to)));
    }
  }

  @Property(tries = 50)
  void theFingerprintDoesNotDependOnInsertionOrder(
      @ForAll long seed, @ForAll @IntRange(min = 0, max = 3_000) int n) {
    Random random = new Random(seed);
    List<Item> items = Sets.randomItems(random, n, 50, 0);
    ItemIndex bulk = ItemIndex.of(items);
    ItemIndex forward = new ItemIndex();
    items.forEach(forward::add);
    List<Item> shuffled = new ArrayList<>(items);
    Collections.shuffle(shuffled, random);
    ItemIndex churned = new ItemIndex();
    shuffled.forEach(churned::add);
    // remove a third and add it back in another order
    List<Item> third = new ArrayList<>(shuffled.subList(0, n / 3));
    third.forEach(churned::remove);
    Collections.shuffle(third, random);
    third.forEach(churned::add);

    assertThat(forward.fingerprint()).isEqualTo(bulk.fingerprint());
    assertThat(churned.fingerprint()).isEqualTo(bulk.fingerprint());
    assertThat(churned.items()).isEqualTo(bulk.items());
    churned.checkInvariants();
  }
}
