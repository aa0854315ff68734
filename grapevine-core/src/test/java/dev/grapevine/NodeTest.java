package dev.grapevine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.identity.NodeIdentity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeTest {
  @TempDir Path dir;

  private static final Clock FIXED =
      Clock.fixed(Instant.ofEpochMilli(1755197900000L), ZoneOffset.UTC);

  @Test
  void publishedPostsFormAChainThroughPrevious() throws Exception {
    try (Node node = Node.builder().port(0).ephemeral(true).clock(FIXED).start()) {
      VerifiedMessage first = node.publish("Hello World", Map.of("name", "Alice"));
      VerifiedMessage second = node.publish("Second post", Map.of("name", "Alice"));

      Content firstContent = Content.parse(node.store().get(first.contentHash()).orElseThrow());
      Content secondContent = Content.parse(node.store().get(second.contentHash()).orElseThrow());
      assertThat(firstContent.string("previous")).isEmpty();
      assertThat(secondContent.string("previous")).contains(first.hash().value());
      assertThat(secondContent.text())
          .isEqualTo("---\nname: Alice\nprevious: " + first.hash() + "\n---\nSecond post");
      assertThat(node.store().getLatest(node.publicKey()).orElseThrow().hash())
          .isEqualTo(second.hash());
    }
  }

  @Test
  void timestampsOfOneAuthorIncreaseEvenWhenTheClockStandsStill() throws Exception {
    try (Node node = Node.builder().port(0).ephemeral(true).clock(FIXED).start()) {
      long a = node.publish("one").timestampMillis();
      long b = node.publish("two").timestampMillis();
      long c = node.publish("three").timestampMillis();
      assertThat(a).isEqualTo(FIXED.millis());
      assertThat(b).isEqualTo(a + 1);
      assertThat(c).isEqualTo(b + 1);
    }
  }

  @Test
  void restartKeepsIdentityAndMessages() throws Exception {
    VerifiedMessage posted;
    String id;
    try (Node node = Node.builder().port(0).dataDir(dir).start()) {
      id = node.publicKey().value();
      posted = node.publish("survives a restart");
    }
    assertThat(NodeIdentity.load(dir.resolve(NodeIdentity.FILE_NAME)).publicKey().value())
        .isEqualTo(id);
    try (Node node = Node.builder().port(0).dataDir(dir).start()) {
      assertThat(node.publicKey().value()).isEqualTo(id);
      assertThat(node.store().byHash(posted.hash())).isPresent();
      assertThat(node.store().get(posted.contentHash())).contains("survives a restart");
    }
  }

  @Test
  void ephemeralNodeWritesNothing() throws Exception {
    Path data = dir.resolve("never");
    try (Node node = Node.builder().port(0).dataDir(data).ephemeral(true).start()) {
      node.publish("in memory only");
    }
    assertThat(data).doesNotExist();
  }

  @Test
  void closeIsIdempotent() throws Exception {
    Node node = Node.builder().port(0).ephemeral(true).start();
    node.close();
    node.close();
  }
}
