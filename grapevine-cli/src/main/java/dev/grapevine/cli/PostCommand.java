package dev.grapevine.cli;

import dev.grapevine.Node;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.identity.NodeIdentity;
import dev.grapevine.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Signs a post with the node's identity and publishes it locally or to a pub. */
@Command(
    name = "post",
    mixinStandardHelpOptions = true,
    description = {
      "Sign TEXT with this node's identity and publish it; print its msgHash.",
      "Without --to the post goes into the data directory's store (which fails while `serve`"
          + " uses it). With --to it goes to that pub over a WebSocket, chained after your latest"
          + " message there, and the command waits until the pub's HTTP routes show it."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  grapevine post 'Hello World' --to ws://127.0.0.1:9000/",
      "  grapevine post --name Alice --to wss://pub.example/ hello again",
      "  echo 'a longer post' | grapevine post -"
    })
final class PostCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption dataDir = new DataDirOption();

  @Parameters(
      arity = "1..*",
      paramLabel = "TEXT",
      description = "The post; several words are joined with spaces, - reads it from stdin.")
  List<String> words;

  @Option(
      names = {"-t", "--to"},
      paramLabel = "URL",
      description = "Publish to the pub with this ws:// or wss:// URL.")
  URI to;

  @Option(
      names = {"-n", "--name"},
      paramLabel = "NAME",
      description = "Name front matter of the post (default: the shell's /nick, if set).")
  String name;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Give up on the pub after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 10;

  /** Where {@code -} reads the text from; tests replace it. */
  InputStream stdin = System.in;

  /**
   * The parsed command line.
   *
   * @param text the post's body
   * @param to the pub, or empty for the local store
   * @param name the explicit {@code --name}, or empty to use the nick
   * @param dataDir the data directory with the identity (and the store when posting locally)
   * @param timeout how long to wait for the pub in all
   */
  record Request(
      String text, Optional<URI> to, Optional<String> name, Path dataDir, Duration timeout) {}

  /**
   * Validates the arguments into a {@link Request}.
   *
   * @throws ParameterException if a value is unusable
   */
  Request request() {
    String text = String.join(" ", words);
    if (words.size() == 1 && words.get(0).equals("-")) {
      try {
        text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
      } catch (IOException e) {
        throw new CliException("cannot read the post from stdin: " + e.getMessage(), e);
      }
    }
    if (text.isBlank()) {
      throw new ParameterException(spec.commandLine(), "Expected TEXT to post but it was blank");
    }
    if (to != null) {
      try {
        PubUrls.requireWebSocket(to);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--to: " + e.getMessage());
      }
    }
    if (name != null && Nick.validity(name) != null) {
      throw new ParameterException(spec.commandLine(), "--name: " + Nick.validity(name));
    }
    if (timeoutSeconds < 1) {
      throw new ParameterException(
          spec.commandLine(), "Expected --timeout of at least 1 second but was " + timeoutSeconds);
    }
    return new Request(
        text,
        Optional.ofNullable(to),
        Optional.ofNullable(name),
        dataDir.resolve(),
        Duration.ofSeconds(timeoutSeconds));
  }

  @Override
  public Integer call() throws Exception {
    Request r = request();
    Logging.quiet();
    Optional<String> author = r.name().isPresent() ? r.name() : Nick.load(r.dataDir()).get();
    Map<String, String> meta = author.map(n -> Map.of("name", n)).orElse(Map.of());
    VerifiedMessage posted = r.to().isPresent() ? toPub(r, r.to().get(), meta) : locally(r, meta);
    PrintWriter out = spec.commandLine().getOut();
    out.println(posted.hash());
    out.flush();
    return 0;
  }

  private static VerifiedMessage locally(Request r, Map<String, String> meta) throws IOException {
    try (Node node = Node.builder().dataDir(r.dataDir()).port(0).start()) {
      return publish(node, r.text(), meta);
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.LOCKED) {
        throw new CliException(
            "the store in "
                + r.dataDir()
                + " is in use by a running node (grapevine serve?); post through it with"
                + " --to ws://127.0.0.1:9000/ (its ws URL)",
            e);
      }
      throw e;
    }
  }

  private static VerifiedMessage toPub(Request r, URI pub, Map<String, String> meta)
      throws IOException, InterruptedException {
    KeyPair keys = NodeIdentity.loadOrCreate(r.dataDir());
    Deadline deadline = Deadline.in(r.timeout());
    PubHttp http = new PubHttp(PubUrls.httpBase(pub), deadline.remaining());
    try (Node node = Node.builder().ephemeral(true).keyPair(keys).port(0).start()) {
      http.latest(keys.publicKey(), deadline).ifPresent(node.store()::add);
      node.connect(pub);
      try {
        node.ready().get(deadline.remaining().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new CliException(
            "could not open a WebSocket to " + pub + " within " + deadline.describe(), e);
      } catch (ExecutionException e) {
        throw new CliException("could not connect to " + pub + ": " + e.getCause(), e);
      }
      VerifiedMessage posted = publish(node, r.text(), meta);
      if (!http.awaitMessage(posted.hash(), deadline)) {
        throw new CliException(
            "sent "
                + posted.hash()
                + " but "
                + http.base()
                + " did not confirm it within "
                + deadline.describe());
      }
      return posted;
    }
  }

  private static VerifiedMessage publish(Node node, String text, Map<String, String> meta) {
    try {
      return node.publish(text, meta);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), e);
    }
  }
}
