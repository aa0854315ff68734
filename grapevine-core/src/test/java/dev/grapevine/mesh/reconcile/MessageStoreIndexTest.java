package dev.grapevine.mesh.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.store.MessageStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageStoreIndexTest {
  private static final long T0 = 1_755_197_900_000L;
  private static final KeyPair ALICE = keys(1);
  private static final KeyPair BOB = keys(2);

  @TempDir Path dir;

  private static KeyPair keys(int i) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) i);
    return KeyPair.fromSeed(seed);
  }

  private static List<VerifiedMessage> posts(KeyPair author, int from, int to) {
    List<VerifiedMessage> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(AnProto.sign(Hash.of("post " + i), T0 + 1_000L * (i % 17), author));
    }
    return out;
  }

  private MessageStore open(String kind, String name) {
    return kind.equals("sqlite") ? MessageStore.sqlite(dir.resolve(name)) : MessageStore.inMemory();
  }

  private static List<Item> itemsOf(List<VerifiedMessage> messages) {
    return messages.stream()
        .map(m -> Item.of(m.timestampMillis(), m.hash()))
        .sorted()
        .collect(Collectors.toList());
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void loadIndexesEveryMessageByItsSignedTimestampAndMsgHash(String kind) {
    try (MessageStore store = open(kind, "a.db")) {
      List<VerifiedMessage> messages = posts(ALICE, 0, 25);
      store.addAll(messages);

      MessageStoreIndex index = MessageStoreIndex.load(store);

      assertThat(index.index().items()).isEqualTo(itemsOf(messages));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void refreshAddsWhatTheStoreCommittedSinceAndNothingTwice(String kind) {
    try (MessageStore store = open(kind, "a.db")) {
      store.addAll(posts(ALICE, 0, 5));
      MessageStoreIndex index = MessageStoreIndex.load(store);
      List<VerifiedMessage> later = posts(BOB, 5, 12);
      store.addAll(later);
      index.add(later.get(0)); // already indexed through the listener path

      assertThat(index.refresh()).isEqualTo(6);
      assertThat(index.refresh()).isZero();
      assertThat(index.index().size()).isEqualTo(12);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void theListenerIndexesEachStoredMessage(String kind) {
    try (MessageStore store = open(kind, "a.db")) {
      MessageStoreIndex index = MessageStoreIndex.load(store);
      VerifiedMessage m = posts(ALICE, 0, 1).get(0);

      index.listener().messageStored(m, "test");

      assertThat(index.index().contains(Item.of(m.timestampMillis(), m.hash()))).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void twoStoresFindTheirMissingMsgHashesAndAgreeAfterTransferring(String kind) {
    try (MessageStore a = open(kind, "a.db");
        MessageStore b = open(kind, "b.db")) {
      List<VerifiedMessage> shared = posts(ALICE, 0, 300);
      List<VerifiedMessage> onlyA = posts(BOB, 300, 310);
      List<VerifiedMessage> onlyB = posts(BOB, 310, 330);
      a.addAll(shared);
      a.addAll(onlyA);
      b.addAll(shared);
      b.addAll(onlyB);
      MessageStoreIndex ia = MessageStoreIndex.load(a);
      MessageStoreIndex ib = MessageStoreIndex.load(b);

      Sets.Run run = Sets.reconcile(ia.index(), ib.index(), ReconcileConfig.DEFAULT);

      List<Hash> need = run.initiator().need().stream().map(i -> i.id().toHash()).toList();
      List<Hash> have = run.initiator().have().stream().map(i -> i.id().toHash()).toList();
      assertThat(need)
          .containsExactlyInAnyOrderElementsOf(onlyB.stream().map(VerifiedMessage::hash).toList());
      assertThat(have)
          .containsExactlyInAnyOrderElementsOf(onlyA.stream().map(VerifiedMessage::hash).toList());

      // transfer both ways, then the stores reconcile in one round trip
      for (Hash h : need) {
        a.add(verified(b, h));
      }
      for (Hash h : have) {
        b.add(verified(a, h));
      }
      ia.refresh();
      ib.refresh();
      Sets.Run again = Sets.reconcile(ia.index(), ib.index(), ReconcileConfig.DEFAULT);
      assertThat(again.roundTrips()).isEqualTo(1);
      assertThat(again.initiator().need()).isEmpty();
    }
  }

  private static VerifiedMessage verified(MessageStore store, Hash msgHash) {
    return SignedMessage.parse(store.get(msgHash).orElseThrow()).verify();
  }
}
