package dev.grapevine.mesh.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.anproto.Hash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ItemIndexTest {

  private static Item item(long ts, int... leadingBytes) {
    byte[] id = new byte[32];
    for (int i = 0; i < leadingBytes.length; i++) {
      id[i] = (byte) leadingBytes[i];
    }
    return new Item(ts, ItemId.of(id));
  }

  @Test
  void emptyIndexFingerprintIsTheHashOfAZeroSumAndCountZero() {
    byte[] input = new byte[33]; // 32 zero bytes, then varint(0)
    byte[] expected = Arrays.copyOf(NaiveFingerprint.sha256(input), 16);

    assertThat(new ItemIndex().fingerprint().bytes()).isEqualTo(expected);
  }

  @Test
  void idSumWrapsModulo2To256() {
    byte[] max = new byte[32];
    Arrays.fill(max, (byte) 0xff);
    byte[] one = new byte[32];
    one[0] = 1; // little-endian: the number 1
    ItemIndex index =
        ItemIndex.of(List.of(new Item(5, ItemId.of(max)), new Item(6, ItemId.of(one))));
    byte[] input = new byte[33];
    input[32] = 2; // sum 0, count 2

    assertThat(index.fingerprint().bytes())
        .isEqualTo(Arrays.copyOf(NaiveFingerprint.sha256(input), 16));
  }

  @Test
  void idSumCarriesAcrossEveryLimb() {
    byte[] low = new byte[32];
    Arrays.fill(low, 0, 31, (byte) 0xff); // 2^248 - 1
    byte[] one = new byte[32];
    one[0] = 1;
    ItemIndex index =
        ItemIndex.of(List.of(new Item(1, ItemId.of(low)), new Item(2, ItemId.of(one))));
    byte[] input = new byte[33];
    input[31] = 1; // 2^248, little-endian
    input[32] = 2;

    assertThat(index.fingerprint().bytes())
        .isEqualTo(Arrays.copyOf(NaiveFingerprint.sha256(input), 16));
  }

  @Test
  void itemsAreOrderedByTimestampThenByIdBytesAsUnsignedNumbers() {
    Item a = item(10, 0x7f);
    Item b = item(10, 0x80);
    Item c = item(9, 0xff);
    ItemIndex index = new ItemIndex();
    index.add(b);
    index.add(a);
    index.add(c);

    assertThat(index.items()).containsExactly(c, a, b);
  }

  @Test
  void addRemoveAndContainsReportWhetherTheSetChanged() {
    ItemIndex index = new ItemIndex();
    Item x = item(1, 1);

    assertThat(index.add(x)).isTrue();
    assertThat(index.add(x)).isFalse();
    assertThat(index.contains(x)).isTrue();
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.remove(x)).isTrue();
    assertThat(index.remove(x)).isFalse();
    assertThat(index.contains(x)).isFalse();
    assertThat(index.size()).isZero();
    assertThat(index.fingerprint()).isEqualTo(new ItemIndex().fingerprint());
  }

  @Test
  void countAndFingerprintByTimestampCoverHalfOpenRanges() {
    List<Item> items = new ArrayList<>();
    for (int ts = 0; ts < 1000; ts++) {
      items.add(item(ts, ts % 256, ts / 256));
    }
    ItemIndex index = ItemIndex.of(items);

    assertThat(index.count(100, 200)).isEqualTo(100);
    assertThat(index.count(200, 100)).isZero();
    assertThat(index.count(0, Long.MAX_VALUE)).isEqualTo(1000);
    assertThat(index.fingerprint(100, 200).bytes())
        .isEqualTo(NaiveFingerprint.of(items.subList(100, 200)));
    assertThat(index.fingerprint(0, Long.MAX_VALUE)).isEqualTo(index.fingerprint());
  }

  @Test
  void bulkBuiltTreesOfEverySizeAroundNodeBoundariesAreValid() {
    Random random = new Random(1);
    int[] sizes = {0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 2047, 2048, 2049, 4097, 70_000};
    for (int n : sizes) {
      List<Item> items = Sets.randomItems(random, n, 1_000, 0);
      ItemIndex index = ItemIndex.of(items);

      index.checkInvariants();
      assertThat(index.size()).isEqualTo(n);
      List<Item> sorted = new ArrayList<>(items);
      Collections.sort(sorted);
      assertThat(index.items()).isEqualTo(sorted);
      assertThat(index.fingerprint().bytes()).isEqualTo(NaiveFingerprint.of(items));
    }
  }

  @Test
  void bulkBuildCountsDuplicatesOnce() {
    Item x = item(3, 3);
    ItemIndex index = ItemIndex.of(List.of(x, x, item(4, 4)));

    assertThat(index.size()).isEqualTo(2);
    index.checkInvariants();
  }

  @Test
  void emptyingAGrownTreeShrinksItBackToOneValidLeaf() {
    Random random = new Random(2);
    List<Item> items = Sets.randomItems(random, 20_000, 100, 0);
    ItemIndex index = new ItemIndex();
    for (Item it : items) {
      index.add(it);
    }
    index.checkInvariants();
    Collections.shuffle(items, random);
    TreeSet<Item> model = new TreeSet<>(items);
    for (int i = 0; i < items.size(); i++) {
      assertThat(index.remove(items.get(i))).isTrue();
      model.remove(items.get(i));
      if (i % 1_000 == 0) {
        index.checkInvariants();
        assertThat(index.fingerprint().bytes()).isEqualTo(NaiveFingerprint.of(model));
      }
    }
    index.checkInvariants();
    assertThat(index.size()).isZero();
    assertThat(index.items()).isEmpty();
  }

  @Test
  void itemsOfAMessageComeFromItsTimestampAndMsgHash() {
    Hash msgHash = Hash.of("a message");
    Item it = Item.of(1_755_000_000_000L, msgHash);

    assertThat(it.id().toHash()).isEqualTo(msgHash);
    assertThat(it.timestamp()).isEqualTo(1_755_000_000_000L);
    assertThat(ItemId.of(it.id().bytes())).isEqualTo(it.id());
  }

  @Test
  void timestampsOutsideTheRangeAndIdsOfTheWrongLengthAreRefused() {
    assertThatThrownBy(() -> new Item(-1, ItemId.of(new byte[32])))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Item(Long.MAX_VALUE, ItemId.of(new byte[32])))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ItemId.of(new byte[31])).isInstanceOf(IllegalArgumentException.class);
  }
}
