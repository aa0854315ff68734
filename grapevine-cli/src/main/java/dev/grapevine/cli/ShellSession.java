package dev.grapevine.cli;

import dev.grapevine.Node;
import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.store.StoreException;
import dev.grapevine.sync.AnprotoSync;
import dev.grapevine.sync.PubClient;
import dev.grapevine.sync.SyncListener;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The line handling of {@code grapevine shell}, apart from the terminal: the commands of APDS's
 * {@code cli.js} ({@code /connect}, {@code /nick}, {@code /clear}, {@code /exit}) plus {@code
 * /peers}, {@code /disconnect} and {@code /help}; any other line is posted. Unlike {@code cli.js},
 * posts that arrive from peers are printed as they are stored.
 *
 * <p><b>Threads.</b> {@link #handle} is called by one thread, the line loop. Received posts are
 * printed from the node's sync worker threads, so the {@link Console} must be thread-safe (JLine's
 * {@code printAbove} is). {@link #close()} stops the printing.
 */
final class ShellSession implements AutoCloseable {
  /** At most this many stored messages wait for their content before printing; more are skipped. */
  static final int MAX_AWAITING_CONTENT = 1_000;

  /** Characters of a public key shown when the author has no name. */
  static final int SHORT_KEY_CHARS = 10;

  private static final DateTimeFormatter TODAY = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final DateTimeFormatter OTHER_DAY =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  static final List<String> HELP =
      List.of(
          "/connect URL     keep a connection to a pub (ws:// or wss://)",
          "/disconnect URL  stop keeping a pub connected",
          "/nick NAME       post as NAME from now on (/nick alone shows it)",
          "/peers           list the pubs and whether each is connected",
          "/clear           clear the screen",
          "/exit            leave (Ctrl-D too)",
          "anything else is signed and posted to every connected peer");

  /** Where the session writes. */
  interface Console {
    /** Prints one line (it may contain line breaks) above the prompt. Thread-safe. */
    void println(String line);

    /** Clears the screen; does nothing where there is none. */
    default void clear() {}
  }

  private final Node node;
  private final Nick nick;
  private final Console console;
  private final Clock clock;
  private final Map<Hash, VerifiedMessage> awaitingContent = new ConcurrentHashMap<>();
  private final AutoCloseable registration;

  /** Starts printing the posts {@code node} receives to {@code console}. */
  ShellSession(Node node, Nick nick, Console console, Clock clock) {
    this.node = node;
    this.nick = nick;
    this.console = console;
    this.clock = clock;
    this.registration = node.addListener(new Receiver());
  }

  /** The lines to show when the shell starts. */
  List<String> greeting() {
    return List.of(
        "Grapevine shell. You are "
            + node.publicKey()
            + nick.get().map(n -> " (" + n + ")").orElse("")
            + ".",
        "Type a line to post it, /help for commands, /exit or Ctrl-D to leave.");
  }

  /** The prompt: the nick, if set, then {@code "> "}. */
  String prompt() {
    return nick.get().map(n -> n + "> ").orElse("> ");
  }

  /**
   * Handles one line typed by the user.
   *
   * @return false when the session should end ({@code /exit})
   */
  boolean handle(String line) {
    String text = line.strip();
    if (text.isEmpty()) {
      return true;
    }
    if (!text.startsWith("/")) {
      post(line.stripTrailing());
      return true;
    }
    int space = text.indexOf(' ');
    String command = space < 0 ? text : text.substring(0, space);
    String arg = space < 0 ? "" : text.substring(space + 1).strip();
    switch (command) {
      case "/exit", "/quit" -> {
        return false;
      }
      case "/connect" -> connect(arg);
      case "/disconnect" -> disconnect(arg);
      case "/nick" -> nick(arg);
      case "/peers" -> peers();
      case "/clear" -> console.clear();
      case "/help" -> HELP.forEach(console::println);
      default -> console.println("unknown command " + command + "; /help lists them");
    }
    return true;
  }

  /** Stops printing received posts. */
  @Override
  public void close() {
    try {
      registration.close();
    } catch (Exception e) {
      throw new IllegalStateException("Removing the shell's listener failed", e);
    }
  }

  // ---- commands ----

  private void post(String body) {
    Map<String, String> meta = nick.get().map(n -> Map.of("name", n)).orElse(Map.of());
    try {
      VerifiedMessage m = node.publish(body, meta);
      int peers = node.sync().openLinks().size();
      console.println(
          "posted "
              + m.hash()
              + (peers == 0
                  ? " (stored here only: no peer is connected; /connect URL)"
                  : " to " + peers + (peers == 1 ? " peer" : " peers")));
    } catch (IllegalArgumentException | StoreException e) {
      console.println("not posted: " + e.getMessage());
    }
  }

  private void connect(String arg) {
    Optional<URI> url = pubUrl("/connect", arg);
    if (url.isPresent()) {
      node.connect(url.get());
      console.println("connecting to " + url.get() + " (/peers shows when it is open)");
    }
  }

  private void disconnect(String arg) {
    Optional<URI> url = pubUrl("/disconnect", arg);
    if (url.isPresent()) {
      console.println(
          node.disconnect(url.get())
              ? "disconnected from " + url.get()
              : "not connected to " + url.get() + "; /peers lists the pubs");
    }
  }

  private Optional<URI> pubUrl(String command, String arg) {
    if (arg.isEmpty()) {
      console.println(
          "usage: " + command + " URL, for example " + command + " ws://127.0.0.1:9000/");
      return Optional.empty();
    }
    try {
      return Optional.of(PubUrls.requireWebSocket(URI.create(arg)));
    } catch (IllegalArgumentException e) {
      console.println(command + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  private void nick(String arg) {
    if (arg.isEmpty()) {
      console.println(
          nick.get().map(n -> "you post as " + n).orElse("no nick set; /nick NAME sets one"));
      return;
    }
    try {
      nick.set(arg);
      console.println("you now post as " + arg);
    } catch (IllegalArgumentException e) {
      console.println("/nick: " + e.getMessage());
    } catch (IOException e) {
      console.println("/nick: could not save the name: " + e.getMessage());
    }
  }

  private void peers() {
    List<PubClient.Connection> pubs = node.connections();
    if (pubs.isEmpty()) {
      console.println("no pubs; /connect URL adds one");
    }
    for (PubClient.Connection c : pubs) {
      String state;
      if (c.isOpen()) {
        state = "open";
      } else if (c.failures() == 0) {
        state = "connecting";
      } else {
        state =
            "closed ("
                + c.failures()
                + (c.failures() == 1 ? " failed attempt" : " failed attempts")
                + ", retrying)";
      }
      console.println(c.uri() + "  " + state);
    }
    int inbound =
        node.sync().openLinks().size() - (int) pubs.stream().filter(c -> c.isOpen()).count();
    if (inbound > 0) {
      console.println(inbound + (inbound == 1 ? " peer" : " peers") + " connected to this node");
    }
  }

  // ---- received posts ----

  /** Prints a stored message once both it and its content are here. */
  private void printWhenComplete(VerifiedMessage m) {
    Optional<String> content = node.store().get(m.contentHash());
    if (content.isPresent() && awaitingContent.remove(m.hash()) != null) {
      console.println(format(m, content.get()));
    }
  }

  /** One received post as a line: time, author, body. */
  String format(VerifiedMessage m, String contentText) {
    Content content = Content.parse(contentText);
    String who =
        content
            .string("name")
            .filter(n -> Nick.validity(n) == null)
            .or(() -> lastName(m))
            .orElse(m.author().value().substring(0, SHORT_KEY_CHARS));
    ZonedDateTime at = Instant.ofEpochMilli(m.timestampMillis()).atZone(clock.getZone());
    boolean today = at.toLocalDate().equals(LocalDate.now(clock));
    return "["
        + (today ? TODAY : OTHER_DAY).format(at)
        + "] "
        + printable(who)
        + ": "
        + printable(content.body());
  }

  private Optional<String> lastName(VerifiedMessage m) {
    List<String> names = node.store().namesOf(m.author());
    return names.isEmpty() ? Optional.empty() : Optional.of(names.get(names.size() - 1));
  }

  /**
   * {@code text} without the control characters a stranger's post could use to drive the terminal
   * (escape sequences, carriage returns); line breaks and tabs stay.
   */
  static String printable(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = Character.getType(c) == Character.CONTROL;
      boolean invisibleFormat =
          c == '\u202e' || c == '\u202d' || c == '\u2066' || c == '\u2067' || c == '\u2068';
      b.append((control && c != '\n' && c != '\t') || invisibleFormat ? '\ufffd' : c);
    }
    return b.toString();
  }

  /** Observes the node: posts stored from peers wait for their content, then print. */
  private final class Receiver implements SyncListener {
    @Override
    public void messageStored(VerifiedMessage message, String origin) {
      if (AnprotoSync.LOCAL_ORIGIN.equals(origin)) {
        return;
      }
      if (awaitingContent.size() >= MAX_AWAITING_CONTENT) {
        // Content that never came; forget one so new posts still print.
        awaitingContent.keySet().stream().findAny().ifPresent(awaitingContent::remove);
      }
      awaitingContent.put(message.hash(), message);
      printWhenComplete(message);
    }

    @Override
    public void blobStored(Hash hash, int chars, String origin) {
      for (VerifiedMessage m : awaitingContent.values()) {
        if (m.contentHash().equals(hash)) {
          printWhenComplete(m);
        }
      }
    }
  }
}
