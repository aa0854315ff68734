package dev.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.identity.NodeIdentity;
import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class PostCommandTest {
  @TempDir Path dir;

  private Node pub;

  @BeforeEach
  void startPub() throws Exception {
    pub = Node.builder().ephemeral(true).port(0).start();
  }

  @AfterEach
  void stopPub() {
    pub.close();
  }

  @Test
  void postToAPubStoresItThereAndTheNextPostChainsAfterIt() throws Exception {
    String data = dir.resolve("me").toString();
    CliRun first = CliRun.run("post", "hello", "pub", "--to", pub.url().toString(), "-d", data);
    assertThat(first.err()).isEmpty();
    assertThat(first.status).isZero();
    Hash firstHash = Hash.parse(first.out().strip());

    LogEntry stored = pub.store().byHash(firstHash).orElseThrow();
    String me =
        NodeIdentity.load(dir.resolve("me").resolve(NodeIdentity.FILE_NAME)).publicKey().value();
    assertThat(stored.author().value()).isEqualTo(me);
    assertThat(stored.text()).contains("hello pub");

    CliRun second =
        CliRun.run("post", "second", "--to", pub.url().toString(), "--name", "Alice", "-d", data);
    assertThat(second.status).as(second.err()).isZero();
    Hash secondHash = Hash.parse(second.out().strip());
    Content content =
        Content.parse(pub.store().byHash(secondHash).orElseThrow().text().orElseThrow());
    assertThat(content.string("previous")).contains(firstHash.value());
    assertThat(content.string("name")).contains("Alice");
    assertThat(content.body()).isEqualTo("second");
    assertThat(pub.store().getLatest(stored.author()).orElseThrow().hash()).isEqualTo(secondHash);
  }

  @Test
  void postWithoutToStoresInTheDataDirectory() throws Exception {
    Path data = dir.resolve("local");
    CliRun r = CliRun.run("post", "written here", "--name", "Bob", "--data-dir", data.toString());
    assertThat(r.status).as(r.err()).isZero();
    Hash hash = Hash.parse(r.out().strip());

    CliRun again = CliRun.run("post", "and again", "--data-dir", data.toString());
    assertThat(again.status).as(again.err()).isZero();
    Hash next = Hash.parse(again.out().strip());

    try (MessageStore store = MessageStore.sqlite(data.resolve(NodeConfig.STORE_FILE))) {
      Content first = Content.parse(store.byHash(hash).orElseThrow().text().orElseThrow());
      assertThat(first.body()).isEqualTo("written here");
      assertThat(first.string("name")).contains("Bob");
      Content second = Content.parse(store.byHash(next).orElseThrow().text().orElseThrow());
      assertThat(second.string("previous")).contains(hash.value());
      assertThat(second.string("name")).isEmpty();
    }
  }

  @Test
  void dashReadsTheTextFromStdinAndTheShellsNickIsTheDefaultName() throws Exception {
    Path data = dir.resolve("nick");
    Nick.load(data).set("Carol");
    PostCommand cmd = new PostCommand();
    picocli.CommandLine cli = new picocli.CommandLine(cmd);
    cli.setOut(new java.io.PrintWriter(new java.io.StringWriter()));
    cmd.stdin = new ByteArrayInputStream("from stdin\n".getBytes(StandardCharsets.UTF_8));
    assertThat(cli.execute("-", "-d", data.toString())).isZero();
    try (MessageStore store = MessageStore.sqlite(data.resolve(NodeConfig.STORE_FILE))) {
      LogEntry latest = store.getLatest(NodeIdentity.loadOrCreate(data).publicKey()).orElseThrow();
      Content c = Content.parse(latest.text().orElseThrow());
      assertThat(c.body()).isEqualTo("from stdin");
      assertThat(c.string("name")).contains("Carol");
    }
  }

  @Test
  void postWithoutToFailsClearlyWhileAServeHoldsTheStore() throws Exception {
    Path data = dir.resolve("busy");
    try (Node serving = Node.builder().dataDir(data).port(0).start()) {
      CliRun r = CliRun.run("post", "blocked", "-d", data.toString());
      assertThat(r.status).isEqualTo(1);
      assertThat(r.err().strip())
          .startsWith("grapevine post: the store in " + data + " is in use")
          .contains("--to ws://127.0.0.1:9000/")
          .doesNotContain("\n");
      assertThat(serving.store().count()).isZero();
    }
  }

  @Test
  void postToARefusingPubFailsWithExitOneAndAClearMessage() throws Exception {
    URI gone;
    try (Node closed = Node.builder().ephemeral(true).port(0).start()) {
      gone = closed.url();
    }
    Instant start = Instant.now();
    CliRun r =
        CliRun.run(
            "post", "nobody home", "--to", gone.toString(), "--timeout", "5", "-d", dir.toString());
    assertThat(r.status).isEqualTo(1);
    assertThat(r.err().strip())
        .startsWith("grapevine post: cannot reach the pub at http://127.0.0.1:")
        .doesNotContain("\n");
    assertThat(r.out()).isEmpty();
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void postToASilentPubGivesUpWithinTheTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String url = "ws://127.0.0.1:" + silent.getLocalPort() + "/";
      Instant start = Instant.now();
      CliRun r = CliRun.run("post", "anyone?", "--to", url, "--timeout", "1", "-d", dir.toString());
      assertThat(r.status).isEqualTo(1);
      assertThat(r.err().strip())
          .isEqualTo(
              "grapevine post: the pub at http://127.0.0.1:"
                  + silent.getLocalPort()
                  + "/ did not answer within 1 s");
      assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void postToAPubChainsAfterWhatThePubAlreadyHasFromThisAuthor() throws Exception {
    Path data = dir.resolve("known");
    VerifiedMessage earlier;
    try (Node elsewhere =
        Node.builder().ephemeral(true).keyPair(NodeIdentity.loadOrCreate(data)).port(0).start()) {
      elsewhere.connect(pub.url());
      elsewhere.ready().get();
      earlier = elsewhere.publish("posted from another device");
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> pub.store().byHash(earlier.hash()).flatMap(LogEntry::text).isPresent());
    }
    CliRun r = CliRun.run("post", "later", "--to", pub.url().toString(), "-d", data.toString());
    assertThat(r.status).as(r.err()).isZero();
    Optional<String> text = pub.store().byHash(Hash.parse(r.out().strip())).orElseThrow().text();
    assertThat(Content.parse(text.orElseThrow()).string("previous"))
        .contains(earlier.hash().value());
  }

  @Test
  void contentOfFortyFourCharactersIsRefusedWithAReason() {
    CliRun r = CliRun.run("post", "x".repeat(44), "-d", dir.resolve("x").toString());
    assertThat(r.status).isEqualTo(1);
    assertThat(r.err()).contains("44 characters");
  }

  @Test
  void aNonWebSocketToIsAUsageError() {
    CliRun r = CliRun.run("post", "hi", "--to", "http://127.0.0.1:9000/");
    assertThat(r.status).isEqualTo(2);
    assertThat(r.err()).contains("--to: Expected a ws:// or wss:// URL");
  }

  @Test
  void argumentsParseIntoARequest() {
    CliRun r = new CliRun();
    r.cli.parseArgs(
        "post",
        "two",
        "words",
        "--to",
        "wss://pub.example/",
        "-n",
        "Dee",
        "--timeout",
        "3",
        "-d",
        "some/dir");
    PostCommand cmd = r.cli.getSubcommands().get("post").getCommand();
    PostCommand.Request req = cmd.request();
    assertThat(req)
        .isEqualTo(
            new PostCommand.Request(
                "two words",
                Optional.of(URI.create("wss://pub.example/")),
                Optional.of("Dee"),
                Path.of("some/dir"),
                Duration.ofSeconds(3)));
    assertThat(Files.exists(Path.of("some/dir"))).isFalse();
  }
}
