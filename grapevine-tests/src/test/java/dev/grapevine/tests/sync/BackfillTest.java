package dev.grapevine.tests.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.anproto.KeyPair;
import dev.grapevine.store.LogEntry;
import dev.grapevine.sync.PubClient;
import dev.grapevine.testing.InMemoryLinks;
import dev.grapevine.testing.TestKeys;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackfillTest {
  @Test
  void chainIsBackfilledViaPreviousFromAPubkeyRequestAlone() {
    KeyPair author = TestKeys.key(7);
    URI pubA = URI.create("ws://a.test/");
    try (InMemoryLinks net = InMemoryLinks.create();
        SyncNode a = new SyncNode();
        SyncNode b = new SyncNode()) {
      List<Msg> chain = Msg.chain(author, SyncNode.START.toEpochMilli() - 3_600_000, 20);
      chain.forEach(m -> m.storeIn(a.store));
      net.register(pubA, a.sync);

      try (PubClient client =
          PubClient.builder(b.sync, net.dialer())
              .random(new Random(0))
              .follows(List.of(author.publicKey()))
              .build()) {
        client.connect(pubA);

        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    b.store.count() == 20
                        && b.store.byAuthor(author.publicKey()).stream()
                            .allMatch(e -> e.text().isPresent()));
      }
      List<LogEntry> got = b.store.byAuthor(author.publicKey());
      assertThat(got)
          .extracting(LogEntry::sig)
          .containsExactlyElementsOf(chain.stream().map(Msg::sig).toList());
      assertThat(got)
          .extracting(e -> e.text().orElseThrow())
          .containsExactlyElementsOf(chain.stream().map(Msg::content).toList());
      assertThat(b.sync.stats().missingHashes()).isZero();
    }
  }
}
