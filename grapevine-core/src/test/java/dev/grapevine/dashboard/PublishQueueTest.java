package dev.grapevine.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.conn.Conn;
import dev.grapevine.http.RouteTable;
import dev.grapevine.store.MessageStore;
import dev.grapevine.sync.AnprotoSync;
import dev.grapevine.transport.HttpHandler;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.HttpResponse;
import dev.grapevine.transport.PeerLink;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The publish thread and its bounded queue, with a publisher that waits for the test. */
class PublishQueueTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, List<String>> JSON_TYPE =
      Map.of("content-type", List.of("application/json"));
  private final KeyPair keys = KeyPair.generate();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch started = new CountDownLatch(1);
  private Scheduler scheduler;
  private MessageStore store;
  private AnprotoSync sync;
  private Conn conn;
  private ExecutorService reads;
  private Dashboard dashboard;
  private HttpHandler routes;

  @BeforeEach
  void start() {
    scheduler = Scheduler.system("publish-queue-test");
    store = MessageStore.inMemory();
    sync = AnprotoSync.builder(store, scheduler).build();
    conn =
        Conn.builder(
                keys.publicKey(),
                (address, handler) ->
                    CompletableFuture.<PeerLink>failedFuture(new IllegalStateException("no dial")),
                sync,
                scheduler)
            .build();
    reads = Executors.newSingleThreadExecutor();
    dashboard =
        Dashboard.builder()
            .config(DashboardConfig.builder().publishQueue(1).build())
            .node(keys.publicKey(), store, sync, conn)
            .urls(() -> List.of(URI.create("ws://127.0.0.1:1/")))
            .publisher(this::slowPublish)
            .reads(reads)
            .build();
    routes = dashboard.routes(RouteTable.builder(r -> null)).build();
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    dashboard.close();
    reads.shutdown();
    assertThat(reads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    conn.close();
    sync.close();
    store.close();
    scheduler.close();
  }

  private VerifiedMessage slowPublish(String text, Map<String, String> meta) {
    started.countDown();
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return AnProto.sign(dev.grapevine.anproto.Hash.of(text), 1_700_000_000_000L, keys);
  }

  private CompletableFuture<HttpResponse> publish(String text) {
    String body = JSON.createObjectNode().put("text", text).toString();
    return routes.handle(
        new HttpRequest("POST", "/api/publish", Map.of(), JSON_TYPE, body, "127.0.0.1"));
  }

  @Test
  void aPublishBeyondTheQueueGets503WithRetryAfterAndTheOthersComplete() throws Exception {
    CompletableFuture<HttpResponse> running = publish("first");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<HttpResponse> queued = publish("second");

    HttpResponse refused = publish("third").get(10, TimeUnit.SECONDS);

    assertThat(refused.status()).isEqualTo(503);
    assertThat(JSON.readTree(refused.body()).get("error").textValue()).isEqualTo("unavailable");
    assertThat(refused.headers()).containsEntry("Retry-After", "1");
    assertThat(running).isNotDone();
    release.countDown();
    assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(queued.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
  }

  @Test
  void theRoutesAnswerOnTheCallingThreadOnlyForWhatNeedsNoWork() throws Exception {
    HttpResponse bad =
        routes
            .handle(new HttpRequest("POST", "/api/publish", Map.of(), JSON_TYPE, "{", "127.0.0.1"))
            .get(0, TimeUnit.SECONDS);

    assertThat(bad.status()).isEqualTo(400);
    assertThat(started.getCount()).isEqualTo(1);
  }

  @Test
  void closingWaitsForThePublishTakenAndThenRefusesMore() throws Exception {
    CompletableFuture<HttpResponse> running = publish("first");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(dashboard::close);

    release.countDown();
    closing.get(20, TimeUnit.SECONDS);

    assertThat(running).isCompleted();
    assertThat(running.get().status()).isEqualTo(200);
    assertThat(publish("after close").get(10, TimeUnit.SECONDS).status()).isEqualTo(503);
  }
}
