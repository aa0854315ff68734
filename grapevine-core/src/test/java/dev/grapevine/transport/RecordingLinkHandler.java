package dev.grapevine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Records every call of a {@link LinkHandler}, checks the contract (one onOpen, frames only while
 * open, one onClose, all on a {@code grapevine-io} thread) and lets tests wait for events.
 */
class RecordingLinkHandler implements LinkHandler {
  static final Duration WAIT = Duration.ofSeconds(10);

  /** One handler call. */
  sealed interface Event permits Open, Frame, Close {
    PeerLink link();
  }

  record Open(PeerLink link) implements Event {}

  record Frame(PeerLink link, String text) implements Event {}

  record Close(PeerLink link, CloseReason reason, String detail) implements Event {}

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final Map<PeerLink, String> states = new ConcurrentHashMap<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private volatile Consumer<PeerLink> onOpen = link -> {};
  private volatile BiConsumer<PeerLink, String> onFrame = (link, text) -> {};

  /** A recorder that sends every frame back on its link. */
  static RecordingLinkHandler echoing() {
    RecordingLinkHandler h = new RecordingLinkHandler();
    h.onFrame = PeerLink::send;
    return h;
  }

  /** Runs {@code action} inside each onOpen, after recording it. */
  RecordingLinkHandler onOpen(Consumer<PeerLink> action) {
    this.onOpen = action;
    return this;
  }

  /** Runs {@code action} inside each onFrame, after recording it. */
  RecordingLinkHandler onFrame(BiConsumer<PeerLink, String> action) {
    this.onFrame = action;
    return this;
  }

  @Override
  public void onOpen(PeerLink link) {
    checkThread("onOpen");
    if (states.putIfAbsent(link, "open") != null) {
      violations.add("second onOpen for " + link);
    }
    events.add(new Open(link));
    onOpen.accept(link);
  }

  @Override
  public void onFrame(PeerLink link, String text) {
    checkThread("onFrame");
    if (!"open".equals(states.get(link))) {
      violations.add("onFrame while " + states.get(link) + " for " + link);
    }
    events.add(new Frame(link, text));
    onFrame.accept(link, text);
  }

  @Override
  public void onClose(PeerLink link, CloseReason reason, String detail) {
    checkThread("onClose");
    String before = states.put(link, "closed");
    if (!"open".equals(before)) {
      violations.add("onClose while " + before + " for " + link);
    }
    events.add(new Close(link, reason, detail));
  }

  private void checkThread(String method) {
    String name = Thread.currentThread().getName();
    if (!name.startsWith("grapevine-io-")) {
      violations.add(method + " called on thread " + name);
    }
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  List<PeerLink> opened() {
    return events.stream()
        .filter(e -> e instanceof Open)
        .map(Event::link)
        .collect(Collectors.toList());
  }

  /** Waits for the {@code index}-th (0-based) link to open. */
  PeerLink awaitOpen(int index) {
    await().atMost(WAIT).until(() -> opened().size() > index);
    return opened().get(index);
  }

  /** The frames received on {@code link} so far. */
  List<String> frames(PeerLink link) {
    return events.stream()
        .filter(e -> e instanceof Frame && e.link() == link)
        .map(e -> ((Frame) e).text())
        .collect(Collectors.toList());
  }

  /** Waits for the {@code index}-th (0-based) frame on {@code link}. */
  String awaitFrame(PeerLink link, int index) {
    await().atMost(WAIT).until(() -> frames(link).size() > index);
    return frames(link).get(index);
  }

  /** Waits for {@code link} to close. */
  Close awaitClose(PeerLink link) {
    await().atMost(WAIT).until(() -> close(link) != null);
    return close(link);
  }

  /** The close of {@code link}, or null while it is open. */
  Close close(PeerLink link) {
    return events.stream()
        .filter(e -> e instanceof Close && e.link() == link)
        .map(e -> (Close) e)
        .findFirst()
        .orElse(null);
  }

  /** Asserts that the handler contract held so far. */
  void assertContractKept() {
    assertThat(violations).as("LinkHandler contract violations").isEmpty();
  }
}
