package dev.grapevine.mesh.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Random and hostile bytes never break the decoder; accepted bytes have one encoding. */
class ReconcileCodecProperties {

  @Property(tries = 3_000)
  void arbitraryBytesAreRejectedWithAReasonOrReadAsTheMessageTheyEncode(
      @ForAll @Size(max = 300) byte[] body) {
    byte[] in = new byte[body.length + 1];
    in[0] = (byte) ReconcileCodec.VERSION;
    System.arraycopy(body, 0, in, 1, body.length);
    Message m;
    try {
      m = ReconcileCodec.decode(in, 4096);
    } catch (ReconcileException e) {
      assertThat(e.reason()).isNotNull();
      return;
    }
    assertThat(ReconcileCodec.encode(m)).isEqualTo(in);
  }

  @Property(tries = 500)
  void randomWellFormedMessagesRoundTrip(
      @ForAll long seed, @ForAll @IntRange(min = 0, max = 40) int ranges) {
    Random random = new Random(seed);
    List<Message.Range> out = new ArrayList<>();
    List<Item> pool = Sets.randomItems(random, 4 * ranges + 2, 1 + random.nextInt(1_000), 0);
    pool.sort(null);
    int at = 0;
    for (int r = 0; r < ranges && at + 2 < pool.size(); r++) {
      int take = random.nextInt(3);
      List<Item> inside = new ArrayList<>(pool.subList(at, at + take));
      at += take;
      Item before = pool.get(at);
      Item after = pool.get(at + 1);
      at++;
      long[] a = words(before);
      long[] b = words(after);
      Bound upper =
          r == ranges - 1
              ? Bound.INFINITY
              : Bound.between(before.timestamp(), a, 0, after.timestamp(), b, 0);
      Message.Range range =
          switch (random.nextInt(4)) {
            case 0 -> new Message.Skip(upper);
            case 1 -> new Message.Fingerprints(upper, ItemIndex.of(inside).fingerprint());
            case 2 -> new Message.IdList(upper, inside);
            default -> new Message.IdDiff(upper, inside.size() + 3, List.of(0, 2), inside);
          };
      out.add(range);
    }
    Message m = new Message(out);
    byte[] bytes = ReconcileCodec.encode(m);

    assertThat(ReconcileCodec.decode(bytes, Integer.MAX_VALUE)).isEqualTo(m);
  }

  private static long[] words(Item item) {
    long[] w = new long[4];
    for (int i = 0; i < 4; i++) {
      w[i] = item.id().word(i);
    }
    return w;
  }
}
