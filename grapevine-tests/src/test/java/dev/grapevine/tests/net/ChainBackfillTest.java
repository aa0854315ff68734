package dev.grapevine.tests.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.store.LogEntry;
import dev.grapevine.sync.SyncStats;
import dev.grapevine.testing.SyncRecorder.Kind;
import dev.grapevine.testing.TestNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Backfill over the real network: a follower that only knows an author's public key fetches the
 * author's whole chain by following {@code previous}, message by message, as Wiredove does.
 */
class ChainBackfillTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int CHAIN = 20;

  @Test
  void aFollowerBackfillsAWholeChainFromOnePubkeyRequest() {
    TestNetwork.Builder builder = TestNetwork.builder().nodes(2).seed(21);
    PublicKey author = builder.keyPair(0).publicKey();
    try (TestNetwork net = builder.configure(1, b -> b.follows(List.of(author))).build()) {
      Node a = net.node(0);
      Node b = net.node(1);
      List<VerifiedMessage> chain = new ArrayList<>();
      for (int i = 0; i < CHAIN; i++) {
        chain.add(a.publish("post " + i, Map.of("name", "Alice")));
      }
      assertThat(b.store().count()).isZero();

      net.connect(1, 0).awaitLinked(WAIT);

      await()
          .atMost(WAIT)
          .until(() -> b.store().count() == CHAIN && b.store().missingContent(1).isEmpty());
      List<LogEntry> got = b.store().byAuthor(author);
      assertThat(got.stream().map(LogEntry::hash).collect(Collectors.toList()))
          .as("every message of the chain, in order")
          .containsExactlyElementsOf(
              chain.stream().map(VerifiedMessage::hash).collect(Collectors.toList()));
      for (int i = 0; i < CHAIN; i++) {
        LogEntry e = got.get(i);
        assertThat(e.sig()).isEqualTo(chain.get(i).signed().value());
        assertThat(e.text()).contains(a.store().get(chain.get(i).contentHash()).orElseThrow());
        Content content = Content.parse(e.text().orElseThrow());
        if (i == 0) {
          assertThat(content.hash("previous")).isEmpty();
        } else {
          assertThat(content.hash("previous")).contains(chain.get(i - 1).hash());
        }
      }
      assertThat(b.store().getLatest(author).orElseThrow().hash())
          .isEqualTo(chain.get(CHAIN - 1).hash());

      // The follower announced the key alone (its store was empty): A answered that request with
      // its latest message and everything else was asked for hash by hash.
      assertThat(net.recorder(0).count(Kind.REQUEST_SERVED, new Hash(author.value())))
          .as("A served the pubkey request")
          .isGreaterThanOrEqualTo(1);
      SyncStats aStats = a.sync().stats();
      assertThat(aStats.messagesStored()).as("A received nothing new").isEqualTo(CHAIN);
      assertThat(aStats.requestsIn())
          .as("one pubkey request, then the contents and previous messages one by one")
          .isGreaterThanOrEqualTo(2L * CHAIN);
      assertThat(net.recorder(1).count(Kind.MESSAGE_STORED)).isEqualTo(CHAIN);
      assertThat(net.recorder(1).countsByKey(Kind.MESSAGE_STORED).values())
          .allSatisfy(n -> assertThat(n).isEqualTo(1));
    }
  }
}
