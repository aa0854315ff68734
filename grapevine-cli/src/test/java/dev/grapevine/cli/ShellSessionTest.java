package dev.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.store.LogEntry;
import dev.grapevine.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ShellSessionTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** The pub signs at this time; the shell's clock reads a little later, the same day. */
  private static final Instant PUB_TIME = Instant.parse("2025-08-14T12:34:56Z");

  private static final Clock SHELL_CLOCK =
      Clock.fixed(Instant.parse("2025-08-14T13:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  private final List<String> printed = new CopyOnWriteArrayList<>();
  private int clears;
  private final ShellSession.Console console =
      new ShellSession.Console() {
        @Override
        public void println(String line) {
          printed.add(line);
        }

        @Override
        public void clear() {
          clears++;
        }
      };

  private Node pub;
  private Node shellNode;
  private Nick nick;
  private ShellSession session;

  @BeforeEach
  void start() throws Exception {
    pub =
        Node.builder().ephemeral(true).clock(Clock.fixed(PUB_TIME, ZoneOffset.UTC)).port(0).start();
    shellNode = Node.builder().ephemeral(true).keyPair(TestKeys.key(1)).port(0).start();
    nick = Nick.load(dir);
    session = new ShellSession(shellNode, nick, console, SHELL_CLOCK);
  }

  @AfterEach
  void stop() {
    session.close();
    shellNode.close();
    pub.close();
  }

  private void connectToPub() {
    assertThat(session.handle("/connect " + pub.url())).isTrue();
    assertThat(printed).contains("connecting to " + pub.url() + " (/peers shows when it is open)");
    await().atMost(WAIT).until(() -> shellNode.ready().isDone());
  }

  @Test
  void nickIsSavedInTheDataDirAndNamesLaterPosts() throws Exception {
    assertThat(session.prompt()).isEqualTo("> ");
    assertThat(session.handle("/nick")).isTrue();
    assertThat(printed).containsExactly("no nick set; /nick NAME sets one");

    assertThat(session.handle("/nick Ada Lovelace")).isTrue();
    assertThat(printed).endsWith("you now post as Ada Lovelace");
    assertThat(session.prompt()).isEqualTo("Ada Lovelace> ");
    assertThat(Files.readString(dir.resolve(Nick.FILE_NAME)).strip()).isEqualTo("Ada Lovelace");
    assertThat(Nick.load(dir).get()).contains("Ada Lovelace");

    session.handle("a post with a name");
    LogEntry latest = shellNode.store().getLatest(shellNode.publicKey()).orElseThrow();
    Content c = Content.parse(latest.text().orElseThrow());
    assertThat(c.string("name")).contains("Ada Lovelace");
    assertThat(c.body()).isEqualTo("a post with a name");
    assertThat(printed)
        .last()
        .isEqualTo(
            "posted " + latest.hash() + " (stored here only: no peer is connected; /connect URL)");
  }

  @Test
  void aPostedLineReachesTheConnectedPub() {
    session.handle("/nick Bo");
    connectToPub();
    session.handle("hello over the wire ");
    LogEntry sent = shellNode.store().getLatest(shellNode.publicKey()).orElseThrow();
    assertThat(printed).last().isEqualTo("posted " + sent.hash() + " to 1 peer");

    await()
        .atMost(WAIT)
        .until(() -> pub.store().byHash(sent.hash()).flatMap(LogEntry::text).isPresent());
    Content c = Content.parse(pub.store().byHash(sent.hash()).orElseThrow().text().orElseThrow());
    assertThat(c.body()).isEqualTo("hello over the wire");
    assertThat(c.string("name")).contains("Bo");
  }

  @Test
  void postsArrivingFromOthersArePrintedWithTheirName() throws Exception {
    connectToPub();
    pub.publish("hello from the pub", Map.of("name", "Pubby"));
    await().atMost(WAIT).until(() -> printed.stream().anyMatch(l -> l.contains("hello from")));
    assertThat(printed).contains("[12:34:56] Pubby: hello from the pub");

    // Someone else, connected to the same pub, with no name: shown by a short key.
    KeyPair other = TestKeys.key(2);
    try (Node client = Node.builder().ephemeral(true).keyPair(other).port(0).start()) {
      client.connect(pub.url());
      client.ready().get();
      client.publish("anonymous \u001b[31mred\u001b[0m");
      await().atMost(WAIT).until(() -> printed.stream().anyMatch(l -> l.contains("anonymous")));
    }
    String line = printed.stream().filter(l -> l.contains("anonymous")).findFirst().orElseThrow();
    // Signed on the system clock, not on the shell's day: the date is shown too.
    assertThat(line).matches("\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\] .*");
    assertThat(line)
        .endsWith(
            "] "
                + other.publicKey().value().substring(0, 10)
                + ": anonymous \ufffd[31mred\ufffd[0m");
  }

  @Test
  void ownPostsAreNotEchoed() {
    connectToPub();
    session.handle("mine");
    await()
        .atMost(WAIT)
        .until(
            () -> pub.store().getLatest(shellNode.publicKey()).flatMap(LogEntry::text).isPresent());
    assertThat(printed).noneMatch(l -> l.contains(": mine"));
  }

  @Test
  void peersShowsEachPubAndWhetherItIsOpen() throws Exception {
    session.handle("/peers");
    assertThat(printed).containsExactly("no pubs; /connect URL adds one");

    connectToPub();
    await().atMost(WAIT).until(() -> shellNode.connections().get(0).isOpen());
    printed.clear();
    session.handle("/peers");
    assertThat(printed).containsExactly(pub.url() + "  open");

    java.net.URI gone;
    try (Node closed = Node.builder().ephemeral(true).port(0).start()) {
      gone = closed.url();
    }
    session.handle("/connect " + gone);
    await().atMost(WAIT).until(() -> shellNode.connections().get(1).failures() > 0);
    printed.clear();
    session.handle("/peers");
    assertThat(printed.get(0)).isEqualTo(pub.url() + "  open");
    assertThat(printed.get(1)).startsWith(gone + "  closed (").endsWith(", retrying)");

    printed.clear();
    session.handle("/disconnect " + gone);
    assertThat(printed).containsExactly("disconnected from " + gone);
    assertThat(shellNode.connections()).hasSize(1);
  }

  @Test
  void commandsAndBadInput() {
    assertThat(session.handle("")).isTrue();
    assertThat(session.handle("   ")).isTrue();
    assertThat(printed).isEmpty();

    session.handle("/connect");
    session.handle("/connect http://127.0.0.1:9000/");
    session.handle("/frobnicate now");
    session.handle("/clear");
    session.handle("/help");
    assertThat(printed.subList(0, 3))
        .containsExactly(
            "usage: /connect URL, for example /connect ws://127.0.0.1:9000/",
            "/connect: Expected a ws:// or wss:// URL (for example ws://127.0.0.1:9000/) but was"
                + " http://127.0.0.1:9000/",
            "unknown command /frobnicate; /help lists them");
    assertThat(clears).isEqualTo(1);
    assertThat(printed.subList(3, printed.size())).isEqualTo(ShellSession.HELP);
    assertThat(shellNode.connections()).isEmpty();

    printed.clear();
    session.handle("x".repeat(44));
    assertThat(printed).singleElement().asString().startsWith("not posted: Expected content");

    assertThat(session.handle("/exit")).isFalse();
    assertThat(session.handle("  /exit  ")).isFalse();
  }

  @Test
  void greetingNamesTheIdentity() throws Exception {
    nick.set("Gus");
    assertThat(session.greeting().get(0))
        .isEqualTo("Grapevine shell. You are " + shellNode.publicKey() + " (Gus).");
  }

  @Test
  void inMemoryNickWritesNothing() throws Exception {
    Nick memory = Nick.inMemory();
    memory.set("Temp");
    assertThat(memory.get()).contains("Temp");
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void printableReplacesControlCharactersButKeepsLines() {
    assertThat(ShellSession.printable("a\nb\tc\rd\u001be\u202ef"))
        .isEqualTo("a\nb\tc\ufffdd\ufffde\ufffdf");
  }
}
