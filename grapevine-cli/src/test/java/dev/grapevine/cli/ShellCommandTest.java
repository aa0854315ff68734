package dev.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.anproto.Content;
import dev.grapevine.identity.NodeIdentity;
import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ShellCommandTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

  private final Keyboard keyboard = new Keyboard();

  @AfterEach
  void unplugKeyboard() {
    keyboard.end();
  }

  /**
   * What the user types, as the terminal's input: reads block until something is typed or the input
   * ends (Ctrl-D). JLine's stream terminal may drop lines it has not read yet when its input ends,
   * so tests end a session with /exit and end the input only to test Ctrl-D itself.
   */
  private static final class Keyboard extends InputStream {
    private final BlockingQueue<Integer> keys = new LinkedBlockingQueue<>();
    private static final int END = -1;

    void type(String text) {
      for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
        keys.add(b & 0xff);
      }
    }

    void end() {
      keys.add(END);
    }

    @Override
    public int read() throws IOException {
      try {
        int key = keys.take();
        if (key == END) {
          keys.add(END);
        }
        return key;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException();
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int first = read();
      if (first == END) {
        return -1;
      }
      b[off] = (byte) first;
      int n = 1;
      while (n < len && keys.peek() != null && keys.peek() != END) {
        b[off + n++] = (byte) (int) keys.poll();
      }
      return n;
    }
  }

  private CliRun shellWithInput(String input) {
    keyboard.type(input);
    return shell();
  }

  private CliRun shell() {
    CliRun r = new CliRun();
    ShellCommand shell = r.cli.getSubcommands().get("shell").getCommand();
    // A dumb terminal over the test's streams: output is written synchronously (the builder
    // would make a pseudo-terminal whose output is copied by a thread).
    shell.terminals =
        () -> new DumbTerminal("test", "dumb", keyboard, screen, StandardCharsets.UTF_8);
    return r;
  }

  private String screen() {
    return screen.toString(StandardCharsets.UTF_8);
  }

  @Test
  void runsLinesFromTheTerminalAndKeepsHistoryAndNickInTheDataDir() throws Exception {
    Path data = dir.resolve("node");
    CliRun r = shellWithInput("/nick Bob\nit's a \"quoted\" post with \\ and !!\n/exit\n");
    assertThat(r.cli.execute("shell", "--data-dir", data.toString())).as(r.err()).isZero();

    String id = NodeIdentity.load(data.resolve(NodeIdentity.FILE_NAME)).publicKey().value();
    assertThat(screen()).contains("Grapevine shell. You are " + id, "you now post as Bob");
    assertThat(Files.readString(data.resolve(Nick.FILE_NAME)).strip()).isEqualTo("Bob");
    assertThat(Files.readString(data.resolve(ShellCommand.HISTORY_FILE)))
        .contains("/nick Bob", "quoted");
    try (MessageStore store = MessageStore.sqlite(data.resolve(NodeConfig.STORE_FILE))) {
      LogEntry e = store.getLatest(dev.grapevine.anproto.PublicKey.parse(id)).orElseThrow();
      Content c = Content.parse(e.text().orElseThrow());
      assertThat(c.body()).isEqualTo("it's a \"quoted\" post with \\ and !!");
      assertThat(c.string("name")).contains("Bob");
    }
  }

  @Test
  void ephemeralWritesNothing() throws Exception {
    Path data = dir.resolve("never");
    CliRun r = shellWithInput("/nick Eve\nin memory\n/exit\n");
    assertThat(r.cli.execute("shell", "--ephemeral", "-d", data.toString())).as(r.err()).isZero();
    assertThat(screen()).contains("you now post as Eve", "posted ");
    assertThat(data).doesNotExist();
  }

  @Test
  void connectsOnStartAndPrintsPostsAsTheyArrive() throws Exception {
    try (Node pub = Node.builder().ephemeral(true).port(0).start()) {
      CliRun r = shell();
      CompletableFuture<Integer> exit =
          CompletableFuture.supplyAsync(
              () -> r.cli.execute("shell", "--ephemeral", "--connect", pub.url().toString()));
      await().atMost(WAIT).until(() -> pub.sync().openLinks().size() == 1);
      assertThat(screen()).contains("connecting to " + pub.url());

      pub.publish("news from the pub", Map.of("name", "Herald"));
      await().atMost(WAIT).until(() -> screen().contains("] Herald: news from the pub"));

      keyboard.type("/exit\n");
      assertThat(exit.get(30, TimeUnit.SECONDS)).as(r.err()).isZero();
    }
  }

  @Test
  void endOfInputLeaves() throws Exception {
    keyboard.end();
    CliRun r = shell();
    assertThat(r.cli.execute("shell", "--ephemeral")).as(r.err()).isZero();
  }

  @Test
  void aStoreHeldByServeIsAClearError() throws Exception {
    Path data = dir.resolve("busy");
    try (Node serving = Node.builder().dataDir(data).port(0).start()) {
      CliRun r = shellWithInput("never read\n");
      assertThat(r.cli.execute("shell", "-d", data.toString())).isEqualTo(1);
      assertThat(r.err().strip())
          .startsWith("grapevine shell: the store in " + data + " is in use")
          .contains("--ephemeral");
      assertThat(serving.store().count()).isZero();
    }
  }

  @Test
  void argumentsParseIntoARequest() {
    CliRun r = new CliRun();
    r.cli.parseArgs("shell", "-c", "ws://a:1/", "--connect", "wss://b/", "-d", "d");
    ShellCommand shell = r.cli.getSubcommands().get("shell").getCommand();
    assertThat(shell.request())
        .isEqualTo(
            new ShellCommand.Request(
                Path.of("d"),
                false,
                List.of(URI.create("ws://a:1/"), URI.create("wss://b/")),
                Optional.of(Path.of("d", ShellCommand.HISTORY_FILE))));

    CliRun e = new CliRun();
    e.cli.parseArgs("shell", "--ephemeral", "-d", "d");
    ShellCommand eph = e.cli.getSubcommands().get("shell").getCommand();
    assertThat(eph.request().historyFile()).isEmpty();
  }

  @Test
  void aConnectUrlThatIsNoWebSocketIsAUsageError() {
    CliRun r = CliRun.run("shell", "--connect", "http://127.0.0.1:9000/");
    assertThat(r.status).isEqualTo(2);
    assertThat(r.err()).contains("--connect: Expected a ws:// or wss:// URL");
  }
}
