package dev.grapevine.bench;

import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Posts as a real client makes them: each author keeps a chain whose content carries the front
 * matter a Wiredove client writes ({@code name:} and {@code previous:}, the msgHash of the author's
 * message before), followed by a short body. Deterministic: the same arguments give the same keys,
 * texts and signatures, so runs on different days push the same bytes.
 *
 * <p>Signing runs in parallel across authors (a chain is sequential, since each post names the
 * message before it).
 */
public final class PostCorpus {
  private static final String[] NAMES = {
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yolanda"
  };

  private static final String[] WORDS = {
    "the",
    "pub",
    "gossip",
    "is",
    "quiet",
    "today",
    "and",
    "my",
    "garden",
    "needs",
    "rain",
    "did",
    "you",
    "see",
    "new",
    "release",
    "coffee",
    "with",
    "friends",
    "later",
    "on",
    "a",
    "bicycle",
    "trip",
    "north",
    "photos",
    "soon",
    "signed",
    "messages",
    "travel",
    "far",
    "over",
    "wires"
  };

  /** One post: the signed message and its content text, in the order a client sends them. */
  public record Post(VerifiedMessage message, String content) {
    /** Requires both parts. */
    public Post {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(content, "content");
    }

    /** The signed message frame (208 characters). */
    public String signedFrame() {
      return message.signed().value();
    }
  }

  private PostCorpus() {}

  /**
   * {@code count} posts by {@code authors} authors, interleaved round-robin across authors with
   * strictly increasing timestamps from {@code startMillis} (one millisecond apart).
   *
   * @throws IllegalArgumentException if {@code count < 0} or {@code authors < 1}
   */
  public static List<Post> generate(int count, int authors, long startMillis) {
    if (count < 0) {
      throw new IllegalArgumentException("Expected count >= 0 but was " + count);
    }
    if (authors < 1) {
      throw new IllegalArgumentException("Expected authors >= 1 but was " + authors);
    }
    List<KeyPair> keys = keys(authors);
    List<List<Post>> chains =
        IntStream.range(0, authors)
            .parallel()
            .mapToObj(a -> chain(a, keys.get(a), count, authors, startMillis))
            .collect(Collectors.toList());
    List<Post> posts = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      posts.add(chains.get(i % authors).get(i / authors));
    }
    return Collections.unmodifiableList(posts);
  }

  /** The key pairs of the first {@code authors} authors, from fixed seeds. */
  static List<KeyPair> keys(int authors) {
    Random seeds = new Random(0x67726170L);
    List<KeyPair> keys = new ArrayList<>(authors);
    for (int i = 0; i < authors; i++) {
      byte[] seed = new byte[32];
      seeds.nextBytes(seed);
      keys.add(KeyPair.fromSeed(seed));
    }
    return keys;
  }

  /** Author {@code a}'s posts: global indices a, a + authors, a + 2·authors, ... below count. */
  private static List<Post> chain(int a, KeyPair key, int count, int authors, long startMillis) {
    String name = NAMES[a % NAMES.length] + (a < NAMES.length ? "" : "-" + (a / NAMES.length));
    Random text = new Random(1_000_003L * (a + 1));
    List<Post> chain = new ArrayList<>(count / authors + 1);
    Hash previous = null;
    for (int i = a; i < count; i += authors) {
      Map<String, String> front = new LinkedHashMap<>();
      front.put("name", name);
      if (previous != null) {
        front.put("previous", previous.value());
      }
      Content content = Content.compose(body(text, i), front);
      VerifiedMessage m = AnProto.sign(content.hash(), startMillis + i, key);
      chain.add(new Post(m, content.text()));
      previous = m.hash();
    }
    return chain;
  }

  /** A short post body of 5 to 30 words. */
  private static String body(Random random, int i) {
    int words = 5 + random.nextInt(26);
    StringBuilder b = new StringBuilder("post ").append(i);
    for (int w = 0; w < words; w++) {
      b.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
    }
    return b.append('\n').toString();
  }
}
