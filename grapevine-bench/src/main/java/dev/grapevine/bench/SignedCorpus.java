package dev.grapevine.bench;

import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Pre-signed messages for benchmarks, made in parallel from seeded keys so runs are comparable. */
public final class SignedCorpus {
  private SignedCorpus() {}

  /**
   * {@code count} verified messages by {@code authors} authors, with distinct contents and
   * increasing timestamps from {@code startMillis}.
   */
  public static List<VerifiedMessage> messages(int count, int authors, long startMillis) {
    List<KeyPair> keys = new ArrayList<>();
    Random seeds = new Random(42);
    for (int i = 0; i < authors; i++) {
      byte[] seed = new byte[32];
      seeds.nextBytes(seed);
      keys.add(KeyPair.fromSeed(seed));
    }
    return IntStream.range(0, count)
        .parallel()
        .mapToObj(
            i -> AnProto.sign(AnProto.hash(content(i)), startMillis + i, keys.get(i % keys.size())))
        .collect(Collectors.toList());
  }

  /** The content of message {@code i}, a short post. */
  public static String content(int i) {
    return "benchmark post number " + i;
  }
}
