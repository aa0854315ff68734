package dev.grapevine.testing;

import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link LinkHandler} for tests that plays a raw peer: it records every frame it receives and
 * lets the test send frames on its link. Built like OkHttp's {@code WebSocketRecorder}: frames go
 * into a queue that the test takes from with a timeout, and a list keeps them all.
 *
 * <p>Thread-safe; one instance handles one link.
 */
public final class RecordingLinkHandler implements LinkHandler {
  /** Default time to wait in {@link #take()} and {@link #link()}. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
  private final List<String> all = new ArrayList<>(); // guarded by itself
  private final CompletableFuture<PeerLink> opened = new CompletableFuture<>();
  private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
  private volatile String closeDetail;

  @Override
  public void onOpen(PeerLink link) {
    opened.complete(link);
  }

  @Override
  public void onFrame(PeerLink link, String text) {
    synchronized (all) {
      all.add(text);
    }
    queue.add(text);
  }

  @Override
  public void onClose(PeerLink link, CloseReason reason, String detail) {
    closeDetail = detail;
    closed.complete(reason);
  }

  /** The link, waiting up to {@link #TIMEOUT} for it to open. */
  public PeerLink link() {
    return await(opened, "the link to open");
  }

  /** Sends a frame on the link (waiting for it to open); returns what {@code send} returned. */
  public boolean send(String frame) {
    return link().send(frame);
  }

  /** Takes the next frame not yet taken, waiting up to {@link #TIMEOUT}. */
  public String take() {
    try {
      String f = queue.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (f == null) {
        throw new AssertionError("Expected a frame within " + TIMEOUT + " but none arrived");
      }
      return f;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for a frame", e);
    }
  }

  /**
   * Takes frames until one equal to {@code frame} arrives (each wait up to {@link #TIMEOUT}),
   * returning the frames taken before it.
   */
  public List<String> takeUntil(String frame) {
    List<String> before = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      String f = take();
      if (f.equals(frame)) {
        return before;
      }
      before.add(f);
    }
    throw new AssertionError("Expected " + frame + " within 100,000 frames");
  }

  /** Every frame received so far, in order (taken or not). */
  public List<String> received() {
    synchronized (all) {
      return new ArrayList<>(all);
    }
  }

  /** How many received frames equal {@code frame}. */
  public int count(String frame) {
    synchronized (all) {
      return (int) all.stream().filter(frame::equals).count();
    }
  }

  /** Completes with the link when it opens. */
  public CompletableFuture<PeerLink> opened() {
    return opened;
  }

  /** Completes with the reason when the link closes. */
  public CompletableFuture<CloseReason> closed() {
    return closed;
  }

  /** The close detail, once closed. */
  public String closeDetail() {
    return closeDetail;
  }

  private static <T> T await(CompletableFuture<T> f, String what) {
    try {
      return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("Expected " + what + " within " + TIMEOUT, e);
    } catch (ExecutionException e) {
      throw new AssertionError("Failed waiting for " + what, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted waiting for " + what, e);
    }
  }
}
