package dev.grapevine.conn.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.transport.PeerLink;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The hub on its own thread, driven from the test thread and a "transport" thread. */
class ConnHubThreadTest {
  @Test
  void workRunsOnTheNamedHubThreadAndCloseStopsIt() throws Exception {
    FakeDialer dialer = new FakeDialer();
    List<String> threads = new CopyOnWriteArrayList<>();
    List<HubEvent> events = new CopyOnWriteArrayList<>();
    ConnHub hub =
        new ConnHub(ConnHubTest.MIDDLE, dialer, new RecordingHandler(), ConnHubTest.CLOCK);
    hub.listen(
        e -> {
          threads.add(Thread.currentThread().getName());
          events.add(e);
        });
    CompletableFuture<PeerLink> f = hub.connect(ConnHubTest.TEST_ADDR);
    // The dial is issued on the hub thread; wait for it through a no-op update's future.
    hub.update(ConnHubTest.TEST_ADDR, java.util.Map.of()).get(5, TimeUnit.SECONDS);
    FakeDialer.Pending dial = dialer.last();
    Thread io = new Thread(dial::open, "fake-io");
    io.start();
    io.join(5_000);
    PeerLink link = f.get(5, TimeUnit.SECONDS);
    assertThat(hub.connect(ConnHubTest.TEST_ADDR).get(5, TimeUnit.SECONDS)).isSameAs(link);
    assertThat(hub.entries())
        .singleElement()
        .satisfies(e -> assertThat(e.state()).isEqualTo(ConnState.CONNECTED));

    hub.close();
    assertThat(link.isOpen()).isFalse();
    assertThat(threads).isNotEmpty().allSatisfy(t -> assertThat(t).startsWith("grapevine-conn-"));
    assertThat(events.stream().map(e -> e.type().wireName()))
        .containsExactly("connecting", "connected", "disconnected");
    // An executor reports termination a moment before its thread has finished exiting.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        Thread.getAllStackTraces().keySet().stream()
                            .filter(Thread::isAlive)
                            .map(Thread::getName))
                    .noneMatch(n -> threads.contains(n)));
    hub.close(); // idempotent
  }
}
