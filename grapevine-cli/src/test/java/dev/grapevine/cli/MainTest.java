package dev.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.anproto.KeyPair;
import dev.grapevine.identity.NodeIdentity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
}
