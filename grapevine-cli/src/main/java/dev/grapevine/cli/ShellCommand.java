package dev.grapevine.cli;

import dev.grapevine.Node;
import dev.grapevine.NodeConfig;
import dev.grapevine.store.StoreException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** An interactive client: post lines, see what arrives, manage pub connections. */
@Command(
    name = "shell",
    mixinStandardHelpOptions = true,
    description = {
      "Interactive client: post lines and see others' posts as they arrive (like APDS cli.js).",
      "Each line you type is signed and posted to the connected pubs. Commands: /connect URL,"
          + " /disconnect URL, /nick NAME, /peers, /clear, /help, /exit (or Ctrl-D). The shell"
          + " runs its own node on a free port with the data directory's identity, store, nick"
          + " and history, so it cannot share a data directory with a running `serve`."
    },
    footerHeading = "%nExample:%n",
    footer = {"  grapevine shell --connect ws://127.0.0.1:9000/ --data-dir ~/.grapevine-chat"})
final class ShellCommand implements Callable<Integer> {
  /** The history file's name inside the data directory. */
  static final String HISTORY_FILE = "shell_history";

  @Spec CommandSpec spec;
  @Mixin DataDirOption dataDir = new DataDirOption();

  @Option(
      names = {"-c", "--connect"},
      paramLabel = "URL",
      description = "A pub to connect to on start (ws:// or wss://); repeatable.")
  List<URI> connect = new ArrayList<>();

  @Option(
      names = "--ephemeral",
      description =
          "Use a fresh identity and keep the store, nick and history in memory; nothing is"
              + " written.")
  boolean ephemeral;

  /** Opens the terminal; tests give one over streams. */
  TerminalFactory terminals =
      () -> TerminalBuilder.builder().name("grapevine").system(true).dumb(true).build();

  /** Opens a terminal. */
  interface TerminalFactory {
    Terminal open() throws IOException;
  }

  /**
   * The parsed command line.
   *
   * @param dataDir the data directory (unused for files when ephemeral)
   * @param ephemeral whether nothing is written
   * @param connect pubs to connect to on start
   * @param historyFile where the line history is kept, if anywhere
   */
  record Request(Path dataDir, boolean ephemeral, List<URI> connect, Optional<Path> historyFile) {}

  /**
   * Validates the arguments into a {@link Request}.
   *
   * @throws ParameterException if a URL is not a WebSocket URL
   */
  Request request() {
    for (URI url : connect) {
      try {
        PubUrls.requireWebSocket(url);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--connect: " + e.getMessage());
      }
    }
    Path dir = dataDir.resolve();
    return new Request(
        dir,
        ephemeral,
        List.copyOf(connect),
        ephemeral ? Optional.empty() : Optional.of(dir.resolve(HISTORY_FILE)));
  }

  @Override
  public Integer call() throws Exception {
    Request r = request();
    Logging.quiet();
    Nick nick = r.ephemeral() ? Nick.inMemory() : Nick.load(r.dataDir());
    try (Node node = startNode(r);
        Terminal terminal = terminals.open()) {
      LineReader reader = lineReader(terminal, r);
      ShellSession.Console console =
          new ShellSession.Console() {
            @Override
            public void println(String line) {
              reader.printAbove(line);
            }

            @Override
            public void clear() {
              terminal.puts(InfoCmp.Capability.clear_screen);
              terminal.flush();
            }
          };
      try (ShellSession session =
          new ShellSession(node, nick, console, Clock.systemDefaultZone())) {
        session.greeting().forEach(console::println);
        for (URI pub : r.connect()) {
          console.println("connecting to " + pub);
        }
        loop(reader, session);
      } finally {
        reader.getHistory().save();
      }
    }
    return 0;
  }

  private static void loop(LineReader reader, ShellSession session) {
    while (true) {
      String line;
      try {
        line = reader.readLine(session.prompt());
      } catch (UserInterruptException e) {
        if (e.getPartialLine() == null || e.getPartialLine().isBlank()) {
          return;
        }
        continue;
      } catch (EndOfFileException e) {
        return;
      }
      if (!session.handle(line)) {
        return;
      }
    }
  }

  private static Node startNode(Request r) throws IOException {
    NodeConfig.Builder b = Node.builder().dataDir(r.dataDir()).ephemeral(r.ephemeral()).port(0);
    r.connect().forEach(b::connect);
    try {
      return b.start();
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.LOCKED) {
        throw new CliException(
            "the store in "
                + r.dataDir()
                + " is in use by a running node (grapevine serve?); start the shell with another"
                + " --data-dir (or --ephemeral) and /connect ws://127.0.0.1:9000/",
            e);
      }
      throw e;
    }
  }

  private static LineReader lineReader(Terminal terminal, Request r) {
    LineReaderBuilder b =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("grapevine")
            // Lines are posts, taken literally: no quoting, escapes or !history expansion.
            .parser(new DefaultParser().quoteChars(new char[0]).escapeChars(null))
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.HISTORY_IGNORE_DUPS, true);
    r.historyFile().ifPresent(f -> b.variable(LineReader.HISTORY_FILE, f));
    return b.build();
  }
}
