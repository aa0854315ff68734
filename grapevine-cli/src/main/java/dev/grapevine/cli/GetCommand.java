package dev.grapevine.cli;

import dev.grapevine.NodeConfig;
import dev.grapevine.store.MessageStore;
import dev.grapevine.store.StoreException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints what a pub or the local store has under a key. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Print what a pub or the local store has under KEY: entries, a blob or a name.",
      "The answer is the pub's GET /KEY: a public key gives the author's entries and a msgHash"
          + " [entry] (JSON arrays), a content or image hash the raw blob, a name the JSON array"
          + " of its public keys. Without --from it reads the data directory's store (which"
          + " fails while `serve` uses it)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  grapevine get $(grapevine id) --from ws://127.0.0.1:9000/",
      "  grapevine get CONTENT_HASH --from https://pub.example/",
      "  grapevine get MSG_HASH"
    })
final class GetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption dataDir = new DataDirOption();

  @Parameters(
      index = "0",
      paramLabel = "KEY",
      description = "A public key, msgHash or blob hash (44 chars), or a name.")
  String key;

  @Option(
      names = {"-f", "--from"},
      paramLabel = "URL",
      description = "Ask this pub (ws://, wss://, http:// or https://) instead of the local store.")
  URI from;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Give up on the pub after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 10;

  /**
   * The parsed command line.
   *
   * @param key what to look up
   * @param from the base of the pub's HTTP routes, or empty for the local store
   * @param dataDir the data directory whose store is read without {@code from}
   * @param timeout how long to wait for the pub
   */
  record Request(String key, Optional<URI> from, Path dataDir, Duration timeout) {}

  /**
   * Validates the arguments into a {@link Request}.
   *
   * @throws ParameterException if a value is unusable
   */
  Request request() {
    if (key.isBlank()) {
      throw new ParameterException(spec.commandLine(), "Expected a KEY but it was blank");
    }
    URI base = null;
    if (from != null) {
      try {
        base = PubUrls.httpBase(from);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--from: " + e.getMessage());
      }
    }
    if (timeoutSeconds < 1) {
      throw new ParameterException(
          spec.commandLine(), "Expected --timeout of at least 1 second but was " + timeoutSeconds);
    }
    return new Request(
        key, Optional.ofNullable(base), dataDir.resolve(), Duration.ofSeconds(timeoutSeconds));
  }

  @Override
  public Integer call() {
    Request r = request();
    Logging.quiet();
    String found = r.from().isPresent() ? fromPub(r, r.from().get()) : locally(r);
    PrintWriter out = spec.commandLine().getOut();
    out.println(found);
    out.flush();
    return 0;
  }

  private static String fromPub(Request r, URI base) {
    Deadline deadline = Deadline.in(r.timeout());
    PubHttp http = new PubHttp(base, deadline.remaining());
    PubHttp.Answer a = http.getAll(r.key(), deadline);
    if (a.status() == 404) {
      throw new CliException("not found: " + r.key() + " (at " + base + ")");
    }
    if (!a.ok()) {
      throw http.unexpectedAnswer(r.key(), a);
    }
    return a.body();
  }

  private static String locally(Request r) {
    Path file = r.dataDir().resolve(NodeConfig.STORE_FILE);
    if (!Files.isRegularFile(file)) {
      throw new CliException(
          "no store in " + r.dataDir() + " (nothing posted there yet); ask a pub with --from URL");
    }
    try (MessageStore store = MessageStore.sqlite(file)) {
      return LocalLookup.find(store, r.key())
          .orElseThrow(() -> new CliException("not found: " + r.key() + " (in " + file + ")"));
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.LOCKED) {
        throw new CliException(
            "the store in "
                + r.dataDir()
                + " is in use by a running node (grapevine serve?); ask it with"
                + " --from http://127.0.0.1:9000/ (its http URL)",
            e);
      }
      throw new CliException("cannot read the store in " + r.dataDir() + ": " + e.getMessage(), e);
    }
  }
}
