package dev.grapevine.tests.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.conn.Conn;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.HubRecorder;
import dev.grapevine.conn.db.ConnDb;
import dev.grapevine.conn.db.PeerData;
import dev.grapevine.conn.hub.ConnDialer;
import dev.grapevine.conn.hub.ConnHub;
import dev.grapevine.conn.hub.ConnState;
import dev.grapevine.conn.hub.HubEvent;
import dev.grapevine.conn.query.ConnQuery;
import dev.grapevine.conn.scheduler.ConnScheduler;
import dev.grapevine.conn.scheduler.SchedulerConfig;
import dev.grapevine.conn.staging.ConnStaging;
import dev.grapevine.conn.staging.HubLookup;
import dev.grapevine.testing.ManualScheduler;
import dev.grapevine.testing.TestKeys;
import dev.grapevine.testing.TestNetwork;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.HttpResponse;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import dev.grapevine.transport.Transport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cooldown scheduler over real WebSocket transports on 127.0.0.1: a real hub with its own
 * thread dials through a {@link Transport}, the peer database is a {@code conn.json} file, and only
 * the scheduler's timer runs on a manual clock. After every step of the clock the test waits until
 * the hub has settled every dial, so the clock never runs ahead of the network.
 */
class SchedulerNetworkTest {
  private static final Duration STEP = Duration.ofMillis(100);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ConnAddress BARRIER =
      ConnAddress.parse("ws://barrier.invalid:1~shs:" + TestKeys.key(99).publicKey());

  @TempDir Path dir;

  private final ManualScheduler timer = ManualScheduler.at(SchedulerRig.START);
  private final List<SchedulerRig.Event> events = new CopyOnWriteArrayList<>();
  private final List<PeerLink> accepted = new CopyOnWriteArrayList<>();
  private Transport transport;
  private Transport peer;
  private ConnHub hub;
  private ConnDb db;
  private ConnStaging staging;
  private HubRecorder recorder;
  private ConnScheduler scheduler;

  @BeforeEach
  void start() {
    transport = Transport.start(TestNetwork.TEST_TRANSPORT, new Quiet(), Map.of(), r -> notFound());
    hub =
        new ConnHub(
            TestKeys.key(0).publicKey(),
            ConnDialer.of(transport),
            new Quiet(),
            timer.clock(),
            null);
    db = ConnDb.open(dir, timer);
    staging = new ConnStaging(timer.clock(), HubLookup.of(hub));
    recorder = HubRecorder.start(hub, db, staging, timer.clock());
    hub.listen(
        e -> events.add(new SchedulerRig.Event(timer.clock().millis(), e.type(), e.address())));
    ConnQuery query =
        new ConnQuery(Conn.dbPool(db), ConnQuery.hub(hub), ConnQuery.staging(staging));
    scheduler =
        ConnScheduler.builder(hub, db, staging, query, timer)
            .config(SchedulerConfig.DEFAULT)
            .random(new Random(7))
            .network(() -> Set.of("eth0/192.0.2.10"))
            .build();
  }

  @AfterEach
  void stop() {
    scheduler.stop();
    recorder.close();
    hub.close();
    staging.close();
    db.close();
    transport.close();
    if (peer != null) {
      peer.close();
    }
    timer.close();
  }

  private static CompletableFuture<HttpResponse> notFound() {
    return CompletableFuture.completedFuture(HttpResponse.json(404, "{\"error\":\"not_found\"}"));
  }

  @Test
  void aDeadAddressAccumulatesFailuresInTheDatabaseAndIsRetriedLessAndLessOften() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    ConnAddress dead =
        ConnAddress.parse("ws://127.0.0.1:" + closedPort + "~shs:" + TestKeys.key(1).publicKey());
    db.set(dead, PeerData.of(Map.of("type", "pub", "key", dead.key().value())));
    scheduler.start();
    run(Duration.ofMinutes(12));

    List<Long> attempts =
        events.stream()
            .filter(e -> e.address().equals(dead) && e.type() == HubEvent.Type.CONNECTING)
            .map(SchedulerRig.Event::millis)
            .toList();
    long failures =
        events.stream()
            .filter(e -> e.address().equals(dead) && e.type() == HubEvent.Type.CONNECTING_FAILED)
            .count();
    assertThat(attempts).hasSizeBetween(5, 8);
    assertThat(failures).isEqualTo(attempts.size());
    assertThat(db.get(dead).orElseThrow().failure()).isEqualTo(attempts.size());
    List<Long> gaps = new ArrayList<>();
    for (int k = 1; k < attempts.size(); k++) {
      long gap = attempts.get(k) - attempts.get(k - 1);
      // (1 s hop + 4 s + k³ × 10 s) × 0.1 (nothing connected) × 3 (only failures), the 0.3 coin
      // halving it at most once; a round comes at most a tick plus the fuzz late.
      double cooldown = (5_000 + Math.pow(k, 3) * 10_000) * 0.3;
      assertThat(gap)
          .as("gap after %d failures", k)
          .isBetween((long) (cooldown * 0.5), (long) cooldown + 3_600);
      gaps.add(gap);
    }
    assertThat(gaps).isSorted().doesNotHaveDuplicates();

    db.flush();
    assertThat(Files.readString(dir.resolve(ConnDb.FILE_NAME)))
        .contains("\"failure\": " + attempts.size());
  }

  @Test
  void aRememberedLivePeerIsConnectedByTheSchedulerAndItsLifetimeRecorded() throws Exception {
    peer =
        Transport.start(
            TestNetwork.TEST_TRANSPORT,
            new Quiet() {
              @Override
              public void onOpen(PeerLink link) {
                accepted.add(link);
              }
            },
            Map.of(),
            r -> notFound());
    ConnAddress live =
        ConnAddress.parse(
            "ws://127.0.0.1:"
                + peer.localAddress().getPort()
                + "~shs:"
                + TestKeys.key(2).publicKey());
    db.set(live, PeerData.of(Map.of("type", "pub", "key", live.key().value())));
    scheduler.start();
    for (int i = 0; i < 100 && hub.state(live).filter(ConnState.CONNECTED::equals).isEmpty(); i++) {
      step();
    }

    assertThat(hub.entry(live))
        .hasValueSatisfying(
            e -> {
              assertThat(e.state()).isEqualTo(ConnState.CONNECTED);
              assertThat(e.isClient()).isTrue();
            });
    await().atMost(WAIT).until(() -> accepted.size() == 1);
    PeerData stored = db.get(live).orElseThrow();
    assertThat(stored.failure()).isZero();
    assertThat(stored.stateChange()).isPresent();

    run(Duration.ofSeconds(30));
    peer.close();
    await()
        .atMost(WAIT)
        .until(
            () ->
                events.stream()
                    .anyMatch(
                        e -> e.address().equals(live) && e.type() == HubEvent.Type.DISCONNECTED));
    barrier();
    assertThat(db.get(live).orElseThrow().duration())
        .hasValueSatisfying(
            d -> {
              assertThat(d.count()).isEqualTo(1);
              assertThat(d.mean()).isGreaterThanOrEqualTo(30_000);
            });

    run(Duration.ofSeconds(10));
    assertThat(db.get(live).orElseThrow().failure())
        .as("the peer is gone; the scheduler's redial is refused and counted")
        .isPositive();
  }

  /** Steps the manual clock through {@code d}, letting the hub settle after each step. */
  private void run(Duration d) throws Exception {
    for (long i = 0; i < d.toMillis() / STEP.toMillis(); i++) {
      step();
    }
  }

  private void step() throws Exception {
    timer.advance(STEP);
    barrier(); // the round's connect requests have reached the hub
    if (hub.entries().stream().anyMatch(e -> e.state() == ConnState.CONNECTING)) {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(2))
          .until(() -> hub.entries().stream().noneMatch(e -> e.state() == ConnState.CONNECTING));
      barrier(); // the listeners of the settling event have run
    }
  }

  /** Returns once the hub thread has run everything queued before this call. */
  private void barrier() throws Exception {
    hub.update(BARRIER, Map.of()).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A link handler that ignores everything. */
  private static class Quiet implements LinkHandler {
    @Override
    public void onOpen(PeerLink link) {}

    @Override
    public void onFrame(PeerLink link, String text) {}

    @Override
    public void onClose(PeerLink link, CloseReason reason, String detail) {}
  }
}
