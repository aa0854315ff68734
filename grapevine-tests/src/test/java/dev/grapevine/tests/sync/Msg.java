package dev.grapevine.tests.sync;

import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.store.MessageStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A signed message with its content, for tests. */
record Msg(VerifiedMessage message, String content) {

  /** Signs {@code content} with {@code keys} at {@code ts}. */
  static Msg sign(KeyPair keys, long ts, String content) {
    return new Msg(AnProto.sign(Hash.of(content), ts, keys), content);
  }

  /**
   * A chain of {@code n} messages by {@code keys}, one second apart from {@code ts0}; each content
   * after the first names the previous message in its {@code previous} front matter.
   */
  static List<Msg> chain(KeyPair keys, long ts0, int n) {
    List<Msg> out = new ArrayList<>();
    Hash previous = null;
    for (int i = 0; i < n; i++) {
      String content =
          previous == null
              ? AnProto.compose("post " + i, Map.of("name", "Chain"))
              : AnProto.compose(
                  "post " + i, orderedMeta("name", "Chain", "previous", previous.value()));
      Msg m = sign(keys, ts0 + 1000L * i, content);
      out.add(m);
      previous = m.hash();
    }
    return out;
  }

  private static Map<String, String> orderedMeta(String k1, String v1, String k2, String v2) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  /** The 208-char signed message. */
  String sig() {
    return message.signed().value();
  }

  /** The msgHash. */
  Hash hash() {
    return message.hash();
  }

  /** The hash of the content. */
  Hash contentHash() {
    return message.contentHash();
  }

  /** Stores the content and the message (blocking). */
  Msg storeIn(MessageStore store) {
    store.make(content);
    store.add(message);
    return this;
  }
}
