package dev.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.identity.NodeIdentity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return cli.execute(args);
  }

  @Test
  void helpListsEveryCommand() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString())
        .contains("serve", "shell", "post", "get", "keygen", "id", "help")
        .contains("Interactive client", "Sign TEXT", "Print what a pub or the local store has");
  }

  @Test
  void eachNewCommandHasHelp() {
    for (String command : new String[] {"shell", "post", "get"}) {
      out.getBuffer().setLength(0);
      assertThat(run(command, "--help")).isZero();
      assertThat(out.toString()).contains("Usage: grapevine " + command, "--data-dir");
    }
    out.getBuffer().setLength(0);
    assertThat(run("help", "post")).isZero();
    assertThat(out.toString()).contains("--to=URL", "--name=NAME", "--timeout=SECONDS");
  }

  @Test
  void keygenPrintsAParseableKeyPairAndWritesNothing() throws Exception {
    assertThat(run("keygen")).isZero();
    String line = out.toString().strip();
    assertThat(line).hasSize(132);
    assertThat(KeyPair.parse(line).publicKey().value()).isEqualTo(line.substring(0, 44));
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void idCreatesAnOwnerOnlyKeyPairOnceAndPrintsItsPublicKey() throws Exception {
    Path data = dir.resolve("node");
    assertThat(run("id", "--data-dir", data.toString())).isZero();
    String first = out.toString().strip();
    Path file = data.resolve(NodeIdentity.FILE_NAME);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(NodeIdentity.load(file).publicKey().value()).isEqualTo(first);

    out.getBuffer().setLength(0);
    assertThat(run("id", "-d", data.toString())).isZero();
    assertThat(out.toString().strip()).isEqualTo(first);
  }

  @Test
  void unknownOptionFailsWithUsage() {
    assertThat(run("serve", "--no-such-option")).isEqualTo(2);
    assertThat(out.toString()).contains("Unknown option");
  }

  @Test
  void serveStartsANodeOnItsDataDirAndStopsCleanly() throws Exception {
    Path data = dir.resolve("served");
    ServeCommand serve = new ServeCommand();
    CommandLine cli = new CommandLine(serve);
    cli.setOut(new PrintWriter(out, true));
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> cli.execute("--data-dir", data.toString(), "--port", "0"));
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> out.toString().contains("Press Ctrl-C"));
    String printed = out.toString();
    String id = NodeIdentity.load(data.resolve(NodeIdentity.FILE_NAME)).publicKey().value();
    assertThat(printed).contains("node id:  " + id).contains("data dir: " + data);
    serve.stop();
    assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    assertThat(out.toString()).contains("stopped");
    assertThat(data.resolve("grapevine.db")).exists();
  }

  @Test
  void serveWithVerboseLogsConnectionEventsAtDebug() throws Exception {
    LoggerContext logs = (LoggerContext) LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.Logger root = logs.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level before = root.getLevel();
    List<ILoggingEvent> seen = new CopyOnWriteArrayList<>();
    AppenderBase<ILoggingEvent> recorder =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent e) {
            seen.add(e);
          }
        };
    recorder.start();
    root.setLevel(Level.INFO);
    root.addAppender(recorder);
    ServeCommand serve = new ServeCommand();
    CommandLine cli = new CommandLine(serve);
    cli.setOut(new PrintWriter(out, true));
    try {
      CompletableFuture<Integer> exit =
          CompletableFuture.supplyAsync(
              () -> cli.execute("--ephemeral", "--port", "0", "--verbose"));
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(() -> out.toString().contains("Press Ctrl-C"));
      assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
      Matcher events = Pattern.compile("events: +(ws://\\S+)").matcher(out.toString());
      assertThat(events.find()).as(out.toString()).isTrue();

      WebSocket ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create(events.group(1)), new WebSocket.Listener() {})
              .get(30, TimeUnit.SECONDS);
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(
              () ->
                  seen.stream()
                      .anyMatch(
                          e ->
                              e.getLevel() == Level.DEBUG
                                  && e.getLoggerName().startsWith("dev.grapevine.events")
                                  && e.getFormattedMessage().contains("connected from")));
      ws.abort();
      serve.stop();
      assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    } finally {
      serve.stop();
      root.detachAppender(recorder);
      root.setLevel(before);
      logs.getLogger("io.netty").setLevel(null);
    }
  }
}
