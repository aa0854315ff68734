package dev.grapevine.tests.conn;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.Conn;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.HubRecorder;
import dev.grapevine.conn.db.ConnDb;
import dev.grapevine.conn.db.PeerData;
import dev.grapevine.conn.hub.ConnDialer;
import dev.grapevine.conn.hub.ConnHub;
import dev.grapevine.conn.hub.ConnState;
import dev.grapevine.conn.hub.HubEntry;
import dev.grapevine.conn.hub.HubEvent;
import dev.grapevine.conn.query.ConnQuery;
import dev.grapevine.conn.scheduler.ConnScheduler;
import dev.grapevine.conn.scheduler.HopSource;
import dev.grapevine.conn.scheduler.SchedulerConfig;
import dev.grapevine.conn.staging.ConnStaging;
import dev.grapevine.conn.staging.HubLookup;
import dev.grapevine.testing.ManualClock;
import dev.grapevine.testing.ManualScheduler;
import dev.grapevine.testing.TestKeys;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * A connection manager on a manual clock: a real {@link ConnHub}, {@link ConnDb} (in memory),
 * {@link ConnStaging}, {@link ConnQuery} and {@link HubRecorder}, with a dialer whose peers accept,
 * refuse or never answer as the test says. The hub's work queues up and runs on the test thread
 * between steps of the clock, so every run is the same for the same seed.
 */
final class SchedulerRig implements AutoCloseable {
  static final Instant START = Instant.parse("2024-05-01T00:00:00Z");
  static final Duration STEP = Duration.ofMillis(100);

  /** How a fake peer answers a dial. */
  enum Answer {
    ACCEPT,
    REFUSE,
    SILENT
  }

  /** A dial the hub made, at clock time {@code millis}. */
  record Dial(long millis, ConnAddress address) {}

  /** A hub event, at clock time {@code millis}. */
  record Event(long millis, HubEvent.Type type, ConnAddress address) {}

  final ManualScheduler timer = ManualScheduler.at(START);
  final ManualClock clock = timer.clock();
  final HubQueue hubThread = new HubQueue();
  final FakeDialer dialer = new FakeDialer();
  final ConnHub hub;
  final ConnDb db;
  final ConnStaging staging;
  final ConnQuery query;
  final HubRecorder recorder;
  final List<Event> events = new ArrayList<>();
  volatile Set<String> network = Set.of("eth0/192.0.2.10");
  ConnScheduler scheduler;

  SchedulerRig() {
    hub = new ConnHub(TestKeys.key(0).publicKey(), dialer, new NoSurface(), clock, hubThread);
    db = ConnDb.inMemory(timer);
    staging = new ConnStaging(clock, HubLookup.of(hub));
    query = new ConnQuery(Conn.dbPool(db), ConnQuery.hub(hub), ConnQuery.staging(staging));
    recorder = HubRecorder.start(hub, db, staging, clock);
    hub.listen(e -> events.add(new Event(clock.millis(), e.type(), e.address())));
  }

  // ---------------------------------------------------------------- peers

  /** Peer {@code i}'s key (1 and up; 0 is this node). */
  static PublicKey key(int i) {
    return TestKeys.key(i).publicKey();
  }

  /** Peer {@code i} at an internet host name. */
  static ConnAddress address(int i) {
    return ConnAddress.parse("ws://peer" + i + ".example.org:8008~shs:" + key(i));
  }

  /** Peer {@code i} at a private LAN address. */
  static ConnAddress lanAddress(int i) {
    return ConnAddress.parse("ws://192.168.1." + i + ":8008~shs:" + key(i));
  }

  /** Remembers peer {@code a} in the database with {@code fields} (and its key). */
  void remember(ConnAddress a, Object... fields) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", a.key().value());
    for (int i = 0; i < fields.length; i += 2) {
      m.put((String) fields[i], fields[i + 1]);
    }
    db.set(a, PeerData.of(m));
  }

  /** The stored data of {@code a}. */
  PeerData stored(ConnAddress a) {
    return db.get(a).orElseThrow(() -> new AssertionError(a + " is not in the database"));
  }

  /** Hub entries in {@code state}. */
  List<HubEntry> inState(ConnState state) {
    return hub.entries().stream().filter(e -> e.state() == state).toList();
  }

  /** The addresses connected now. */
  List<ConnAddress> connected() {
    return inState(ConnState.CONNECTED).stream().map(HubEntry::address).toList();
  }

  /** The dials of {@code a} so far. */
  List<Dial> dialsOf(ConnAddress a) {
    return dialer.dials.stream().filter(d -> d.address.equals(a)).toList();
  }

  /** Events of {@code type} for {@code a}. */
  List<Event> eventsOf(ConnAddress a, HubEvent.Type type) {
    return events.stream().filter(e -> e.address.equals(a) && e.type == type).toList();
  }

  /** A link from peer {@code i} arrives (it dialled us from an ephemeral port). */
  FakeLink inbound(int i) {
    FakeLink link =
        new FakeLink(
            Direction.INBOUND, URI.create("ws://peer" + i + ".example.org:" + (40_000 + i) + "/"));
    link.onClose = (reason, detail) -> hub.linkClosed(link, reason, detail);
    hub.inbound(link, key(i));
    settle();
    return link;
  }

  // ---------------------------------------------------------------- the scheduler and time

  ConnScheduler start(SchedulerConfig config) {
    return start(config, HopSource.DATABASE);
  }

  ConnScheduler start(SchedulerConfig config, HopSource hops) {
    scheduler =
        ConnScheduler.builder(hub, db, staging, query, timer)
            .config(config)
            .hops(hops)
            .random(new Random(42))
            .network(() -> network)
            .build();
    scheduler.start();
    settle();
    return scheduler;
  }

  /** Runs what is due on the timer and the hub until both are idle, without moving the clock. */
  void settle() {
    for (int i = 0; i < 10_000; i++) {
      int ran = timer.runDue() + hubThread.drain();
      if (ran == 0) {
        return;
      }
    }
    throw new AssertionError("the timer and the hub did not settle");
  }

  /** Moves the clock forward by {@code d} in steps of {@link #STEP}, settling after each. */
  void run(Duration d) {
    long steps = d.toMillis() / STEP.toMillis();
    for (long s = 0; s < steps; s++) {
      timer.advance(STEP);
      settle();
    }
  }

  /**
   * Moves the clock forward by {@code d} without running the timer on the way, as when the machine
   * sleeps, then lets the overdue tasks run.
   */
  void sleep(Duration d) {
    clock.advance(d);
    settle();
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.stop();
    }
    recorder.close();
    hub.close();
    hubThread.drain();
    staging.close();
    db.close();
    timer.close();
  }

  // ---------------------------------------------------------------- fakes

  /** The hub's thread, run by the test: tasks wait until {@link #drain}. */
  static final class HubQueue implements Executor {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable r) {
      tasks.add(r);
    }

    int drain() {
      int ran = 0;
      while (true) {
        Runnable r;
        synchronized (this) {
          r = tasks.poll();
        }
        if (r == null) {
          return ran;
        }
        r.run();
        ran++;
      }
    }
  }

  /** Dials answered as the test says: default {@link Answer#ACCEPT}. */
  final class FakeDialer implements ConnDialer {
    final List<Dial> dials = new ArrayList<>();
    final Map<ConnAddress, Answer> answers = new HashMap<>();
    final List<FakeLink> links = new ArrayList<>();

    void answer(ConnAddress a, Answer answer) {
      answers.put(a, answer);
    }

    @Override
    public CompletableFuture<PeerLink> dial(ConnAddress address, LinkHandler handler) {
      dials.add(new Dial(clock.millis(), address));
      switch (answers.getOrDefault(address, Answer.ACCEPT)) {
        case REFUSE:
          return CompletableFuture.failedFuture(
              new ConnectException("Connection refused: " + address.uri()));
        case SILENT:
          return new CompletableFuture<>();
        default:
          FakeLink link = new FakeLink(Direction.OUTBOUND, address.uri());
          link.onClose = (reason, detail) -> handler.onClose(link, reason, detail);
          links.add(link);
          handler.onOpen(link);
          return CompletableFuture.completedFuture(link);
      }
    }
  }

  /** A link whose close is reported to {@link #onClose} once. */
  static final class FakeLink implements PeerLink {
    private static int ids;
    private final String id = "fake-" + ++ids;
    private final Direction direction;
    private final URI remote;
    private boolean open = true;
    BiConsumer<CloseReason, String> onClose = (r, d) -> {};

    FakeLink(Direction direction, URI remote) {
      this.direction = direction;
      this.remote = remote;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Direction direction() {
      return direction;
    }

    @Override
    public URI remote() {
      return remote;
    }

    @Override
    public boolean send(String frame) {
      return open;
    }

    @Override
    public void close(CloseReason reason, String detail) {
      if (open) {
        open = false;
        onClose.accept(reason, detail);
      }
    }

    /** The peer closed the link. */
    void closedByPeer() {
      close(CloseReason.REMOTE_CLOSED, "closed by the peer");
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void setReading(boolean reading) {}
  }

  /** The protocol on the links, which these tests do not need. */
  private static final class NoSurface implements LinkHandler {
    @Override
    public void onOpen(PeerLink link) {}

    @Override
    public void onFrame(PeerLink link, String text) {}

    @Override
    public void onClose(PeerLink link, CloseReason reason, String detail) {}
  }
}
