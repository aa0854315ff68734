package dev.grapevine.tests.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.store.AddResult;
import dev.grapevine.store.MessageStore;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.testing.InMemoryLinks;
import dev.grapevine.testing.RecordingLinkHandler;
import dev.grapevine.testing.TestKeys;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackpressureTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final InMemoryLinks net = InMemoryLinks.create();
  private final GatedStore gated = new GatedStore(MessageStore.inMemory());
  private final SyncNode node =
      new SyncNode(
          gated.proxy,
          SyncConfig.builder()
              .verifyThreads(2)
              .maxPendingVerifications(4)
              .resumeWatermark(1)
              .build());

  @AfterEach
  void tearDown() {
    gated.open();
    net.close();
    node.close();
  }

  @Test
  void pendingVerificationsAtTheMaximumPauseReadingUntilBelowTheWatermark() {
    RecordingLinkHandler peer = new RecordingLinkHandler();
    InMemoryLinks.End serverEnd = net.connect(peer, node.sync).server();
    peer.link();
    await().atMost(WAIT).until(() -> !node.sync.openLinks().isEmpty());
    KeyPair alice = TestKeys.key(1);
    List<Msg> msgs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      msgs.add(Msg.sign(alice, node.now() + i, "message " + i));
    }

    msgs.forEach(m -> peer.send(m.sig()));

    await().atMost(WAIT).until(() -> !serverEnd.isReading());
    assertThat(node.sync.stats().pausedLinks()).isEqualTo(1);
    assertThat(node.sync.stats().pendingFrames()).isGreaterThanOrEqualTo(4);
    assertThat(serverEnd.queuedFrames()).as("the rest waits in the peer's pipe").isPositive();

    gated.open();

    await().atMost(WAIT).until(() -> node.store.count() == 10);
    await().atMost(WAIT).until(serverEnd::isReading);
    assertThat(node.sync.stats().pausedLinks()).isZero();
    assertThat(node.sync.stats().dropped()).isZero();
  }

  @Test
  void aStoreWithoutRoomPausesReadingUntilItHasRoomAgain() {
    RecordingLinkHandler peer = new RecordingLinkHandler();
    InMemoryLinks.End serverEnd = net.connect(peer, node.sync).server();
    peer.link();
    await().atMost(WAIT).until(() -> !node.sync.openLinks().isEmpty());
    gated.open();
    gated.full = true;
    Msg m = Msg.sign(TestKeys.key(1), node.now(), "while the store is full");

    peer.send(m.sig());

    await().atMost(WAIT).until(() -> !serverEnd.isReading());
    await().atMost(WAIT).until(() -> node.sync.stats().pendingFrames() == 0);
    node.scheduler.advance(Duration.ofMillis(100));
    assertThat(serverEnd.isReading()).as("still full").isFalse();

    gated.full = false;
    node.scheduler.advance(Duration.ofMillis(100));
    await().atMost(WAIT).until(serverEnd::isReading);
    assertThat(node.sync.stats().pausedLinks()).isZero();
  }

  /**
   * A store whose {@code addAsync} and {@code addWithContentAsync} wait for the test to open a
   * gate, and whose room is set.
   */
  static final class GatedStore {
    final MessageStore delegate;
    final MessageStore proxy;
    private final List<Runnable> held = new ArrayList<>();
    private boolean open;
    volatile boolean full;

    GatedStore(MessageStore delegate) {
      this.delegate = delegate;
      this.proxy =
          (MessageStore)
              Proxy.newProxyInstance(
                  MessageStore.class.getClassLoader(),
                  new Class<?>[] {MessageStore.class},
                  (p, method, args) -> {
                    switch (method.getName()) {
                      case "addAsync":
                        return add((VerifiedMessage) args[0]);
                      case "addWithContentAsync":
                        return addWithContent((VerifiedMessage) args[0], (Content) args[1]);
                      case "remainingCapacity":
                        return full ? 0 : delegate.remainingCapacity();
                      case "hasRoom":
                        return !full && delegate.hasRoom();
                      default:
                        try {
                          return method.invoke(delegate, args);
                        } catch (InvocationTargetException e) {
                          throw e.getCause();
                        }
                    }
                  });
    }

    private synchronized CompletableFuture<Boolean> add(VerifiedMessage m) {
      if (open) {
        return delegate.addAsync(m);
      }
      CompletableFuture<Boolean> f = new CompletableFuture<>();
      held.add(() -> f.complete(delegate.add(m)));
      return f;
    }

    private synchronized CompletableFuture<AddResult> addWithContent(
        VerifiedMessage m, Content content) {
      if (open) {
        return delegate.addWithContentAsync(m, content);
      }
      CompletableFuture<AddResult> f = new CompletableFuture<>();
      held.add(() -> f.complete(delegate.addWithContentAsync(m, content).join()));
      return f;
    }

    void open() {
      List<Runnable> release;
      synchronized (this) {
        open = true;
        release = new ArrayList<>(held);
        held.clear();
      }
      release.forEach(Runnable::run);
    }
  }
}
