package dev.grapevine.tests.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.InvalidMessageException;
import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import dev.grapevine.sync.AnprotoSync;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.testing.InMemoryLinks;
import dev.grapevine.testing.ManualScheduler;
import dev.grapevine.testing.RecordingLinkHandler;
import dev.grapevine.testing.TestKeys;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionFactory;

/**
 * Fuzz target for a pub's ANProto frame handling: arbitrary frames from one peer, over an in-memory
 * link, into a real {@link AnprotoSync} and store. Whatever arrives, the handler never throws, the
 * store holds only messages that verify and never a junk blob, requests for what the pub holds are
 * answered, and the link is closed only for junk, with 1008, once the junk limit is passed.
 *
 * <p>The input is a list of frames separated by NUL bytes. A frame's first byte picks what is sent:
 * {@code M i} a valid message of a small pool, {@code C i} that message's content, {@code Q i} a
 * request for a key or hash (of the stored message, its author and content, or of the pool), {@code
 * T i p c} the pool message {@code i} with the character at {@code p} replaced by {@code c}, {@code
 * J ...} a 44-character frame made of the rest, and anything else the bytes as UTF-8 text. Seeds
 * under {@code src/test/resources/dev/grapevine/tests/sync/AnprotoSyncFuzzTestInputs/<method>/}.
 */
class AnprotoSyncFuzzTest {
  private static final Instant T0 = Instant.parse("2025-08-14T18:57:21.319Z");
  private static final int MAX_FRAMES = 24;
  private static final int JUNK_LIMIT = 3;
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final SyncConfig CONFIG =
      SyncConfig.builder().verifyThreads(1).junkLimit(JUNK_LIMIT).build();

  /** In the store before the peer connects. */
  private static final Msg KNOWN = Msg.sign(TestKeys.key(1), T0.toEpochMilli(), "known post");

  /** Messages the peer may send. */
  private static final List<Msg> POOL = Msg.chain(TestKeys.key(2), T0.toEpochMilli() + 1_000, 3);

  /** What a request may ask for: the stored message, its author and content, and the pool's. */
  private static final List<String> REQUESTABLE = requestable();

  @FuzzTest
  void framesFromAPeerNeverBreakThePubOrReachTheStoreUnverified(byte[] input) {
    List<String> frames = frames(input);
    MessageStore store = MessageStore.inMemory();
    KNOWN.storeIn(store);
    ManualScheduler scheduler = ManualScheduler.at(T0);
    try (InMemoryLinks links = InMemoryLinks.create();
        AnprotoSync sync = AnprotoSync.builder(store, scheduler).config(CONFIG).build()) {
      Guard pub = new Guard(sync);
      RecordingLinkHandler peer = new RecordingLinkHandler();
      InMemoryLinks.Pair pair = links.connect(peer, pub);
      peer.link();
      int sent = 0;
      for (String frame : frames) {
        if (!peer.send(frame)) {
          break;
        }
        sent++;
      }
      int accepted = sent;
      soon()
          .until(
              () ->
                  (pub.handled.get() == accepted || !pair.server().isOpen())
                      && pub.handled.get() == pair.server().deliveredFrames()
                      && sync.stats().pendingFrames() == 0);
      List<String> delivered = frames.subList(0, (int) pair.server().deliveredFrames());
      boolean closed = !pair.server().isOpen();

      assertThat(pub.failures).as("the handler never throws").isEmpty();
      assertStoreHoldsOnlyWhatItShould(store, delivered, closed);
      long junk = delivered.stream().filter(AnprotoSyncFuzzTest::isJunk).count();
      if (junk > JUNK_LIMIT) {
        soon().until(() -> pub.closes.contains(CloseReason.POLICY_VIOLATION));
        assertThat(peer.closed()).succeedsWithin(WAIT).isEqualTo(CloseReason.REMOTE_CLOSED);
        assertThat(peer.closeDetail()).startsWith("closed by peer: 1008");
      } else {
        assertThat(closed).as("closed with only %d junk frames", junk).isFalse();
        assertAnswered(peer, delivered);
      }
      assertThat(pub.closes).isSubsetOf(CloseReason.POLICY_VIOLATION);
    } finally {
      store.close();
    }
  }

  private static void assertStoreHoldsOnlyWhatItShould(
      MessageStore store, List<String> delivered, boolean closed) {
    Set<Hash> expected = new HashSet<>();
    expected.add(KNOWN.hash());
    for (Msg m : POOL) {
      if (delivered.contains(m.sig())) {
        expected.add(m.hash());
      }
    }
    List<LogEntry> log = store.query();
    for (LogEntry e : log) {
      assertThat(AnProto.open(e.sig())).isEqualTo(e.opened());
      assertThat(Hash.of(e.sig())).isEqualTo(e.hash());
    }
    assertThat(log.stream().map(LogEntry::hash)).containsExactlyInAnyOrderElementsOf(expected);

    Set<Hash> contents = new HashSet<>();
    contents.add(KNOWN.contentHash());
    Set<Hash> legitimate = new HashSet<>(expected);
    legitimate.add(KNOWN.contentHash());
    for (Msg m : POOL) {
      contents.add(m.contentHash());
      legitimate.add(m.contentHash());
      boolean both = delivered.contains(m.sig()) && delivered.contains(m.content());
      if (both && !closed) {
        assertThat(store.has(m.contentHash()))
            .as("content of a message that arrived with it is stored")
            .isTrue();
      }
    }
    long stored = contents.stream().filter(store::has).count();
    assertThat(store.stats().blobs()).as("no junk blob is stored").isEqualTo(stored);
    for (String frame : delivered) {
      Hash h = Hash.of(frame);
      if (!legitimate.contains(h)) {
        assertThat(store.has(h)).as("junk never reaches the store").isFalse();
      }
    }
  }

  /** Requests for what the pub held from the start are answered with it. */
  private static void assertAnswered(RecordingLinkHandler peer, List<String> delivered) {
    List<String> wanted = new ArrayList<>();
    for (String frame : delivered) {
      if (frame.equals(KNOWN.hash().value()) || frame.equals(KNOWN.message().author().value())) {
        wanted.add(KNOWN.sig());
      } else if (frame.equals(KNOWN.contentHash().value())) {
        wanted.add(KNOWN.content());
      }
    }
    soon().until(() -> peer.received().containsAll(wanted));
  }

  /** Polls every millisecond from the start: an iteration is over in a few milliseconds. */
  private static ConditionFactory soon() {
    return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1));
  }

  /** Junk as the protocol defines it: a 44-char non-hash, or a signed message that fails. */
  private static boolean isJunk(String frame) {
    if (frame.length() == Hash.LENGTH) {
      return !Hash.isValid(frame);
    }
    boolean looksSigned =
        frame.length() == 208
            && frame.endsWith("==")
            && Hash.isValid(frame.substring(0, Hash.LENGTH));
    if (!looksSigned) {
      return false;
    }
    try {
      AnProto.open(frame);
      return false;
    } catch (InvalidMessageException e) {
      return true;
    }
  }

  private static List<String> frames(byte[] input) {
    List<String> frames = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= input.length && frames.size() < MAX_FRAMES; i++) {
      if (i == input.length || input[i] == 0) {
        if (i > start) {
          frames.add(frame(input, start, i));
        }
        start = i + 1;
      }
    }
    return frames;
  }

  private static String frame(byte[] in, int from, int to) {
    int arg = to - from > 1 ? in[from + 1] & 0xff : 0;
    switch (in[from]) {
      case 'M':
        return POOL.get(arg % POOL.size()).sig();
      case 'C':
        return POOL.get(arg % POOL.size()).content();
      case 'Q':
        return REQUESTABLE.get(arg % REQUESTABLE.size());
      case 'T':
        {
          char[] sig = POOL.get(arg % POOL.size()).sig().toCharArray();
          int at = to - from > 2 ? in[from + 2] & 0xff : 0;
          char c = to - from > 3 ? (char) (in[from + 3] & 0xff) : 'A';
          sig[at % sig.length] = c;
          return new String(sig);
        }
      case 'J':
        {
          String rest = new String(in, from + 1, to - from - 1, StandardCharsets.UTF_8);
          return (rest + "=".repeat(Hash.LENGTH)).substring(0, Hash.LENGTH);
        }
      default:
        return new String(in, from, to - from, StandardCharsets.UTF_8);
    }
  }

  private static List<String> requestable() {
    List<String> out = new ArrayList<>();
    for (Msg m : concat(KNOWN, POOL)) {
      out.add(m.hash().value());
      out.add(m.contentHash().value());
      out.add(m.message().author().value());
    }
    return out;
  }

  private static List<Msg> concat(Msg first, List<Msg> rest) {
    List<Msg> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all;
  }

  /** The pub's handler, recording what it threw and why its link closed. */
  private static final class Guard implements LinkHandler {
    final LinkHandler delegate;
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final List<CloseReason> closes = new CopyOnWriteArrayList<>();

    /** Frames whose onFrame returned (the link counts them before the call). */
    final AtomicLong handled = new AtomicLong();

    Guard(LinkHandler delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onOpen(PeerLink link) {
      run(() -> delegate.onOpen(link));
    }

    @Override
    public void onFrame(PeerLink link, String text) {
      run(() -> delegate.onFrame(link, text));
      handled.incrementAndGet();
    }

    @Override
    public void onClose(PeerLink link, CloseReason reason, String detail) {
      if (reason != CloseReason.SHUTDOWN) { // the test's own teardown
        closes.add(reason);
      }
      run(() -> delegate.onClose(link, reason, detail));
    }

    private void run(Runnable call) {
      try {
        call.run();
      } catch (RuntimeException | Error e) {
        failures.add(e);
        throw e;
      }
    }
  }
}
