package dev.grapevine.tests.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.testing.InMemoryLinks;
import dev.grapevine.testing.RecordingLinkHandler;
import dev.grapevine.testing.TestKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpFrameTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final InMemoryLinks net = InMemoryLinks.create();
  private final SyncNode node = new SyncNode();
  private final KeyPair alice = TestKeys.key(1);

  @AfterEach
  void tearDown() {
    net.close();
    node.close();
  }

  private RecordingLinkHandler wsPeer() {
    RecordingLinkHandler p = new RecordingLinkHandler();
    net.connect(p, node.sync);
    p.link();
    await().atMost(WAIT).until(() -> !node.sync.openLinks().isEmpty());
    return p;
  }

  private List<String> post(String frame) {
    return node.sync.handleHttpFrame(frame).join();
  }

  @Test
  void requestForAKnownPubkeyReturnsItsLatestSignedMessage() {
    Msg.sign(alice, node.now() - 5000, "old").storeIn(node.store);
    Msg latest = Msg.sign(alice, node.now() - 1000, "latest").storeIn(node.store);

    assertThat(post(alice.publicKey().value())).containsExactly(latest.sig());
  }

  @Test
  void requestForAStoredBlobReturnsTheBlob() {
    Msg m = Msg.sign(alice, node.now(), "the content").storeIn(node.store);

    assertThat(post(m.contentHash().value())).containsExactly(m.content());
  }

  @Test
  void requestForAnUnknownHashIsEchoedAndAskedOfWebSocketPeers() {
    RecordingLinkHandler ws = wsPeer();
    Hash unknown = Hash.of("nobody has this yet");

    assertThat(post(unknown.value())).containsExactly(unknown.value());
    assertThat(ws.take()).isEqualTo(unknown.value());
    assertThat(node.sync.gossip().isWanted(unknown)).isTrue();
  }

  @Test
  void postedSignedMessageIsStoredRelayedAndItsContentAskedOfThePoster() {
    RecordingLinkHandler ws = wsPeer();
    Msg m = Msg.sign(alice, node.now(), "posted over http");

    assertThat(post(m.sig())).containsExactly(m.contentHash().value());
    assertThat(node.store.byHash(m.hash())).isPresent();
    assertThat(ws.takeUntil(m.sig())).doesNotContain(m.sig());

    assertThat(post(m.content())).isEmpty();
    assertThat(node.store.get(m.contentHash())).contains(m.content());
    ws.takeUntil(m.content());
  }

  @Test
  void postedContentAsksForItsMissingPrevious() {
    Hash previous = Hash.of("an earlier message we lack");
    String content = AnProto.compose("second", Map.of("previous", previous.value()));
    Msg m = Msg.sign(alice, node.now(), content);

    assertThat(post(m.sig())).containsExactly(m.contentHash().value());
    assertThat(post(content)).containsExactly(previous.value());
  }

  @Test
  void duplicatesAndJunkReturnNothing() {
    Msg m = Msg.sign(alice, node.now(), "already here").storeIn(node.store);

    assertThat(post(m.sig())).isEmpty();
    assertThat(post("!".repeat(44))).isEmpty();
    assertThat(post("an unwanted blob")).isEmpty();
    assertThat(node.store.has(Hash.of("an unwanted blob"))).isFalse();
    assertThat(node.sync.stats().junk()).isEqualTo(1);
  }
}
