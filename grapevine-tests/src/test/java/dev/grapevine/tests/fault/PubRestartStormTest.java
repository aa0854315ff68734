package dev.grapevine.tests.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.store.MessageStore;
import dev.grapevine.sync.AnprotoSync;
import dev.grapevine.sync.PubClient;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.testing.ManualScheduler;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Dialer;
import dev.grapevine.transport.HttpResponse;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import dev.grapevine.transport.Transport;
import dev.grapevine.transport.TransportConfig;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pub on 127.0.0.1 that goes down and comes back, again and again, with several clients ({@link
 * PubClient}s dialling over a real transport) whose reconnect timers run on a {@link
 * ManualScheduler}. Every dial attempt is counted against the backoff schedule: during an outage
 * the gaps grow as documented (doubling from the initial delay up to the maximum, within the
 * jitter), so there is no storm, and once the pub is back every client returns with exactly one
 * more dial, within the maximum delay.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PubRestartStormTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration STEP = Duration.ofMillis(100);
  private static final Duration OUTAGE = Duration.ofSeconds(40);
  private static final int CLIENTS = 3;
  private static final int RESTARTS = 3;
  private static final SyncConfig SYNC =
      SyncConfig.builder()
          .reconnectInitial(Duration.ofSeconds(1))
          .reconnectMax(Duration.ofSeconds(8))
          .reconnectJitter(0.2)
          .build();

  @Test
  void clientsBackOffOnTheScheduleAndReturnWithOneDialAfterEachRestart() throws Exception {
    ManualScheduler scheduler = ManualScheduler.at(T0);
    Node pub = startPub(0);
    int port = pub.localAddress().getPort();
    URI url = pub.url();
    List<Client> clients = new ArrayList<>();
    try (Transport transport =
        Transport.start(
            TransportConfig.builder().port(0).build(),
            new Refuse(),
            Map.of(),
            request -> CompletableFuture.completedFuture(HttpResponse.json(404, "{}")))) {
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(new Client(i, transport, scheduler));
      }
      for (Client c : clients) {
        c.connection = c.pubs.connect(url);
      }
      soon().until(() -> clients.stream().allMatch(c -> c.connection.isOpen()));

      for (int restart = 0; restart < RESTARTS; restart++) {
        pub.close();
        soon().until(() -> clients.stream().allMatch(c -> c.connection.failures() == 1));
        List<Integer> before = dials(clients);

        runClock(scheduler, clients, OUTAGE);

        for (Client c : clients) {
          List<Long> times = c.dialer.times.subList(before.get(c.index), c.dialer.times.size());
          assertBackoff(c.index, times, scheduler);
        }
        List<Integer> beforeReturn = dials(clients);
        pub = startPub(port);

        Duration waited = Duration.ZERO;
        while (!clients.stream().allMatch(c -> c.connection.isOpen())
            && waited.compareTo(SYNC.reconnectMax()) <= 0) {
          runClock(scheduler, clients, STEP);
          waited = waited.plus(STEP);
        }
        assertThat(clients)
            .as("every client is back within the largest delay after restart %d", restart + 1)
            .allMatch(c -> c.connection.isOpen());
        for (Client c : clients) {
          assertThat(c.dialer.times.size() - beforeReturn.get(c.index))
              .as("client %d returned with one dial", c.index)
              .isEqualTo(1);
        }
      }
    } finally {
      for (Client c : clients) {
        c.close();
      }
      pub.close();
    }
  }

  /**
   * The first dial of an outage comes after the first delay, each later one after the next: {@code
   * initial * 2^k} capped at the maximum, times a factor within the jitter, measured on the manual
   * clock to the step it was advanced by.
   */
  private static void assertBackoff(int client, List<Long> times, ManualScheduler scheduler) {
    assertThat(times).as("client %d dialled during the outage", client).isNotEmpty();
    long initial = SYNC.reconnectInitial().toMillis();
    long max = SYNC.reconnectMax().toMillis();
    double j = SYNC.reconnectJitter();
    long step = STEP.toMillis();
    for (int k = 1; k < times.size(); k++) {
      long base = Math.min(max, initial << Math.min(k, 20));
      long gap = times.get(k) - times.get(k - 1);
      assertThat(gap)
          .as("client %d, gap before retry %d of %s", client, k + 1, times)
          .isBetween(
              (long) Math.floor((1 - j) * base) - step,
              Math.min(max, (long) Math.ceil((1 + j) * base)) + step);
    }
    long fastest = 0;
    int most = 0;
    for (int k = 0; fastest <= OUTAGE.toMillis(); k++) {
      fastest += (long) ((1 - j) * Math.min(max, initial << Math.min(k, 20)));
      most++;
    }
    assertThat(times.size())
        .as("client %d made no more dials than the schedule allows", client)
        .isLessThanOrEqualTo(most);
  }

  /** Advances the clock step by step; after each step waits until no dial is in flight. */
  private static void runClock(ManualScheduler scheduler, List<Client> clients, Duration total) {
    for (long t = 0; t < total.toMillis(); t += STEP.toMillis()) {
      scheduler.advance(STEP);
      soon().until(() -> clients.stream().allMatch(c -> c.dialer.inFlight.get() == 0));
    }
  }

  private static List<Integer> dials(List<Client> clients) {
    List<Integer> out = new ArrayList<>();
    for (Client c : clients) {
      out.add(c.dialer.times.size());
    }
    return out;
  }

  private static Node startPub(int port) throws Exception {
    return Node.builder()
        .ephemeral(true)
        .transport(TransportConfig.builder().port(port).build())
        .start();
  }

  private static ConditionFactory soon() {
    return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
  }

  /** One client node: its own store and protocol, a pub client and a counting dialer. */
  private static final class Client implements AutoCloseable {
    final int index;
    final MessageStore store = MessageStore.inMemory();
    final AnprotoSync sync;
    final CountingDialer dialer;
    final PubClient pubs;
    PubClient.Connection connection;

    Client(int index, Transport transport, ManualScheduler scheduler) {
      this.index = index;
      this.sync = AnprotoSync.builder(store, scheduler).config(SYNC).build();
      this.dialer = new CountingDialer(transport, scheduler);
      this.pubs = PubClient.builder(sync, dialer).random(new Random(index)).build();
    }

    @Override
    public void close() {
      pubs.close();
      sync.close();
      store.close();
    }
  }

  /** Dials through the real transport, noting each attempt's time on the manual clock. */
  private static final class CountingDialer implements Dialer {
    final Transport transport;
    final ManualScheduler scheduler;
    final List<Long> times = new CopyOnWriteArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();

    CountingDialer(Transport transport, ManualScheduler scheduler) {
      this.transport = transport;
      this.scheduler = scheduler;
    }

    @Override
    public CompletableFuture<PeerLink> dial(URI uri, LinkHandler handler) {
      times.add(scheduler.clock().millis());
      inFlight.incrementAndGet();
      CompletableFuture<PeerLink> result = new CompletableFuture<>();
      transport
          .dial(uri, handler)
          .whenComplete(
              (link, error) -> {
                // The client's own reaction (a retry scheduled) runs inside these completions.
                if (error != null) {
                  result.completeExceptionally(error);
                } else {
                  result.complete(link);
                }
                inFlight.decrementAndGet();
              });
      return result;
    }
  }

  /** The client transport accepts no links of its own. */
  private static final class Refuse implements LinkHandler {
    @Override
    public void onOpen(PeerLink link) {
      link.close(CloseReason.NORMAL, "this transport only dials");
    }

    @Override
    public void onFrame(PeerLink link, String text) {}

    @Override
    public void onClose(PeerLink link, CloseReason reason, String detail) {}
  }
}
