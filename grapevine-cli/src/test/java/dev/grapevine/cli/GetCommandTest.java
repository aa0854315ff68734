package dev.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.Node;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class GetCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Node pub;
  private VerifiedMessage first;
  private VerifiedMessage second;

  @BeforeEach
  void startPub() throws Exception {
    pub = Node.builder().ephemeral(true).port(0).start();
    first = pub.publish("first post", Map.of("name", "Pat"));
    second = pub.publish("second post", Map.of("name", "Pat"));
  }

  @AfterEach
  void stopPub() {
    pub.close();
  }

  @Test
  void fromAPubPrintsTheRawContentOfAContentHash() {
    CliRun r = CliRun.run("get", second.contentHash().value(), "--from", pub.httpUrl().toString());
    assertThat(r.status).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(pub.store().get(second.contentHash()).orElseThrow() + System.lineSeparator());
  }

  @Test
  void fromAPubByItsWebSocketUrlPrintsAnAuthorsEntries() throws Exception {
    CliRun r = CliRun.run("get", pub.publicKey().value(), "--from", pub.url().toString());
    assertThat(r.status).as(r.err()).isZero();
    JsonNode entries = JSON.readTree(r.out());
    assertThat(entries).hasSize(2);
    assertThat(entries.get(0).path("hash").asText()).isEqualTo(first.hash().value());
    assertThat(entries.get(1).path("hash").asText()).isEqualTo(second.hash().value());
    assertThat(entries.get(1).path("text").asText()).endsWith("second post");
    assertThat(r.out().strip())
        .isEqualTo(LocalLookup.entriesJson(pub.store().byAuthor(pub.publicKey())));
  }

  @Test
  void fromAPubAMissingKeyIsExitOne() {
    String missing = "A".repeat(43) + "=";
    CliRun r = CliRun.run("get", missing, "--from", pub.url().toString());
    assertThat(r.status).isEqualTo(1);
    assertThat(r.err().strip())
        .isEqualTo("grapevine get: not found: " + missing + " (at " + pub.httpUrl() + ")");
  }

  @Test
  void fromAPubAllPagesOfALongFeedAreJoined() throws Exception {
    try (Node small =
        Node.builder()
            .ephemeral(true)
            .port(0)
            .http(dev.grapevine.http.ApdsLimits.DEFAULT.toBuilder().maxEntries(2).build())
            .start()) {
      for (int i = 0; i < 5; i++) {
        small.publish("post " + i);
      }
      CliRun r = CliRun.run("get", small.publicKey().value(), "--from", small.url().toString());
      assertThat(r.status).as(r.err()).isZero();
      assertThat(r.out().strip())
          .isEqualTo(LocalLookup.entriesJson(small.store().byAuthor(small.publicKey())));
    }
  }

  @Test
  void locallyPrintsBlobsEntriesAndNames() throws Exception {
    Path data = dir.resolve("node");
    VerifiedMessage posted;
    try (Node node = Node.builder().dataDir(data).port(0).start()) {
      posted = node.publish("kept on disk", Map.of("name", "Quinn"));
    }
    String d = data.toString();

    CliRun blob = CliRun.run("get", posted.contentHash().value(), "-d", d);
    assertThat(blob.status).as(blob.err()).isZero();
    assertThat(blob.out())
        .isEqualTo("---\nname: Quinn\n---\nkept on disk" + System.lineSeparator());

    CliRun author = CliRun.run("get", posted.author().value(), "-d", d);
    assertThat(author.status).as(author.err()).isZero();
    JsonNode entries = JSON.readTree(author.out());
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).path("hash").asText()).isEqualTo(posted.hash().value());
    assertThat(entries.get(0).path("sig").asText()).isEqualTo(posted.signed().value());

    CliRun message = CliRun.run("get", posted.hash().value(), "-d", d);
    assertThat(message.status).as(message.err()).isZero();
    assertThat(message.out()).isEqualTo(author.out());

    CliRun name = CliRun.run("get", "Quinn", "-d", d);
    assertThat(name.status).as(name.err()).isZero();
    assertThat(name.out().strip()).isEqualTo("[\"" + posted.author().value() + "\"]");

    CliRun missing = CliRun.run("get", "B".repeat(43) + "=", "-d", d);
    assertThat(missing.status).isEqualTo(1);
    assertThat(missing.err()).startsWith("grapevine get: not found: " + "B".repeat(43) + "=");
  }

  @Test
  void locallyAndFromThePubTheAnswerIsTheSame() throws Exception {
    Path data = dir.resolve("twin");
    try (Node node = Node.builder().dataDir(data).port(0).start()) {
      node.publish("same either way");
      String key = node.publicKey().value();
      String remote = CliRun.run("get", key, "--from", node.url().toString()).out();
      node.close();
      CliRun local = CliRun.run("get", key, "-d", data.toString());
      assertThat(local.status).as(local.err()).isZero();
      assertThat(local.out()).isEqualTo(remote);
    }
  }

  @Test
  void locallyWithoutAStoreSaysSo() {
    CliRun r = CliRun.run("get", "C".repeat(43) + "=", "-d", dir.resolve("empty").toString());
    assertThat(r.status).isEqualTo(1);
    assertThat(r.err()).contains("no store in").contains("--from URL");
    assertThat(dir.resolve("empty")).doesNotExist();
  }

  @Test
  void locallyWhileAServeHoldsTheStoreSuggestsFrom() throws Exception {
    Path data = dir.resolve("busy");
    try (MessageStore held = MessageStore.sqlite(data.resolve("grapevine.db"))) {
      CliRun r = CliRun.run("get", "C".repeat(43) + "=", "-d", data.toString());
      assertThat(r.status).isEqualTo(1);
      assertThat(r.err().strip())
          .startsWith("grapevine get: the store in " + data + " is in use")
          .contains("--from http://127.0.0.1:9000/");
      assertThat(held.count()).isZero();
    }
  }

  @Test
  void argumentsParseIntoARequest() {
    CliRun r = new CliRun();
    r.cli.parseArgs("get", "KEY", "--from", "wss://pub.example/sub", "--timeout", "4", "-d", "x");
    GetCommand cmd = r.cli.getSubcommands().get("get").getCommand();
    assertThat(cmd.request())
        .isEqualTo(
            new GetCommand.Request(
                "KEY",
                Optional.of(URI.create("https://pub.example/sub/")),
                Path.of("x"),
                Duration.ofSeconds(4)));
  }

  @Test
  void aFromThatIsNoWebUrlIsAUsageError() {
    CliRun r = CliRun.run("get", "KEY", "--from", "ftp://pub.example/");
    assertThat(r.status).isEqualTo(2);
    assertThat(r.err()).contains("--from: Expected a ws://, wss://, http:// or https:// URL");
  }

  @Test
  void entriesJsonMatchesThePubsFormat() {
    LogEntry e = pub.store().byHash(first.hash()).orElseThrow();
    assertThat(LocalLookup.entriesJson(java.util.List.of(e))).isEqualTo("[" + e.toJson() + "]");
  }
}
