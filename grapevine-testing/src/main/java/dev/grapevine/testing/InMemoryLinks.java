package dev.grapevine.testing;

import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Dialer;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.net.ConnectException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Links that connect two {@link LinkHandler}s in memory, with the ordering and threading of the
 * real transport: each end delivers its frames in order on its own named thread ({@code mem-out-N},
 * {@code mem-in-N}), asynchronously, and gets exactly one {@code onOpen}, then frames, then exactly
 * one {@code onClose}. {@link #dialer()} connects to handlers registered under a URI, so code that
 * dials (a pub client) runs unchanged.
 *
 * <p>Supported: closing with a reason (the closing end sees its own reason, the other end {@link
 * CloseReason#REMOTE_CLOSED} after the frames already sent to it), pausing delivery with {@link
 * PeerLink#setReading}, and an optional bound on undelivered frames per direction, beyond which
 * {@code send} returns false and closes the sender with {@link CloseReason#SLOW_CONSUMER}. A
 * handler that throws closes its end with {@link CloseReason#INTERNAL_ERROR}.
 *
 * <p>Thread-safe. {@link #close()} closes every open link with {@link CloseReason#SHUTDOWN} and
 * waits for the delivery threads to finish.
 */
public final class InMemoryLinks implements AutoCloseable {
  private final int maxQueuedFrames;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<URI, LinkHandler> servers = new ConcurrentHashMap<>();
  private final List<End> ends = new ArrayList<>(); // guarded by itself
  private final AtomicLong dials = new AtomicLong();

  private InMemoryLinks(int maxQueuedFrames) {
    this.maxQueuedFrames = maxQueuedFrames;
  }

  /** Links with no outbound bound. */
  public static InMemoryLinks create() {
    return new InMemoryLinks(Integer.MAX_VALUE);
  }

  /**
   * Links where at most {@code maxQueuedFrames} frames sent by one end may wait undelivered at the
   * other; one more closes the sender with {@link CloseReason#SLOW_CONSUMER}.
   */
  public static InMemoryLinks withOutboundBound(int maxQueuedFrames) {
    if (maxQueuedFrames < 1) {
      throw new IllegalArgumentException(
          "Expected maxQueuedFrames >= 1 but was " + maxQueuedFrames);
    }
    return new InMemoryLinks(maxQueuedFrames);
  }

  /** Makes {@code server} reachable by {@link #dialer()} at {@code uri}. */
  public void register(URI uri, LinkHandler server) {
    servers.put(uri.normalize(), Objects.requireNonNull(server, "server"));
  }

  /** Makes {@code uri} unreachable again: later dials fail with a {@link ConnectException}. */
  public void unregister(URI uri) {
    servers.remove(uri.normalize());
  }

  /** How many times {@link #dialer()} was asked to dial (successful or not). */
  public long dialCount() {
    return dials.get();
  }

  /**
   * A dialer that connects to the handler registered under the URI, or fails with a {@link
   * ConnectException} if none is. The future completes after the dialling side's {@code onOpen}.
   */
  public Dialer dialer() {
    return (uri, handler) -> {
      dials.incrementAndGet();
      LinkHandler server = servers.get(uri.normalize());
      if (server == null) {
        return CompletableFuture.failedFuture(
            new ConnectException("Connection refused: nothing registered at " + uri));
      }
      return open(uri, handler, server).opened;
    };
  }

  /**
   * Connects {@code client} (an outbound end whose remote is {@code mem://server-N}) to {@code
   * server} (an inbound end). Both {@code onOpen} calls happen asynchronously on the ends' threads.
   */
  public Pair connect(LinkHandler client, LinkHandler server) {
    Pending p = open(null, client, server);
    return new Pair(p.client, p.server);
  }

  /** Both ends of a connection made by {@link #connect}. */
  public static final class Pair {
    private final End client;
    private final End server;

    Pair(End client, End server) {
      this.client = client;
      this.server = server;
    }

    /** The dialling end, handled by the client handler. */
    public End client() {
      return client;
    }

    /** The accepting end, handled by the server handler. */
    public End server() {
      return server;
    }
  }

  /** The ends created so far, open or closed. */
  public List<End> ends() {
    synchronized (ends) {
      return new ArrayList<>(ends);
    }
  }

  /** Closes every open link with {@link CloseReason#SHUTDOWN} and stops the delivery threads. */
  @Override
  public void close() {
    List<End> all = ends();
    for (End e : all) {
      e.close(CloseReason.SHUTDOWN, "in-memory links closed");
    }
    for (End e : all) {
      e.executor.shutdown();
    }
    for (End e : all) {
      try {
        if (!e.executor.awaitTermination(10, TimeUnit.SECONDS)) {
          e.executor.shutdownNow();
        }
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static final class Pending {
    final End client;
    final End server;
    final CompletableFuture<PeerLink> opened = new CompletableFuture<>();

    Pending(End client, End server) {
      this.client = client;
      this.server = server;
    }
  }

  private Pending open(URI dialled, LinkHandler clientHandler, LinkHandler serverHandler) {
    int n = ids.incrementAndGet();
    URI remote = dialled != null ? dialled : URI.create("mem://server-" + n);
    End client = new End("mem-out-" + n, Direction.OUTBOUND, remote, clientHandler);
    End server =
        new End("mem-in-" + n, Direction.INBOUND, URI.create("mem://client-" + n), serverHandler);
    client.peer = server;
    server.peer = client;
    synchronized (ends) {
      ends.add(client);
      ends.add(server);
    }
    Pending p = new Pending(client, server);
    server.start(null);
    client.start(p.opened);
    return p;
  }

  /** A close delivered in order after the frames before it. */
  private static final class CloseMarker {
    final CloseReason reason;
    final String detail;

    CloseMarker(CloseReason reason, String detail) {
      this.reason = reason;
      this.detail = detail;
    }
  }

  /** One end of an in-memory link: the {@link PeerLink} its handler sees. */
  public final class End implements PeerLink {
    private final String id;
    private final Direction direction;
    private final URI remote;
    private final LinkHandler handler;
    private final ExecutorService executor;
    private End peer;

    // Guarded by this: frames and the close marker waiting to be delivered to this end's handler.
    private final ArrayDeque<Object> inbox = new ArrayDeque<>();
    private boolean reading = true;
    private boolean opened;
    private boolean draining;
    private boolean closing;
    private boolean closePending;
    private long sent;
    private long delivered;

    End(String id, Direction direction, URI remote, LinkHandler handler) {
      this.id = id;
      this.direction = direction;
      this.remote = remote;
      this.handler = Objects.requireNonNull(handler, "handler");
      this.executor =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, id);
                t.setDaemon(true);
                return t;
              });
    }

    private void start(CompletableFuture<PeerLink> opened) {
      run(
          () -> {
            boolean ok = true;
            try {
              handler.onOpen(this);
            } catch (RuntimeException e) {
              ok = false;
              close(CloseReason.INTERNAL_ERROR, "onOpen threw " + e);
            }
            synchronized (this) {
              this.opened = true;
            }
            if (opened != null) {
              if (ok) {
                opened.complete(this);
              } else {
                opened.completeExceptionally(new ConnectException("handler failed on open"));
              }
            }
            drain();
          });
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

    /** The other end of this link. */
    public End peer() {
      return peer;
    }

    @Override
    public boolean send(String frame) {
      Objects.requireNonNull(frame, "frame");
      synchronized (this) {
        if (closing) {
          return false;
        }
      }
      int r = peer.enqueue(frame);
      if (r < 0) {
        close(CloseReason.SLOW_CONSUMER, "more than " + maxQueuedFrames + " frames undelivered");
        return false;
      }
      if (r == 0) {
        return false;
      }
      synchronized (this) {
        sent++;
      }
      return true;
    }

    /** Returns 1 if queued, 0 if this end is closed, -1 if over the bound. */
    private int enqueue(String frame) {
      synchronized (this) {
        if (closePending) {
          return 0;
        }
        if (inbox.size() >= maxQueuedFrames) {
          return -1;
        }
        inbox.add(frame);
      }
      scheduleDrain();
      return 1;
    }

    @Override
    public void close(CloseReason reason, String detail) {
      Objects.requireNonNull(reason, "reason");
      synchronized (this) {
        if (closing) {
          return;
        }
        closing = true;
        inbox.clear(); // we stop reading: frames not yet delivered to us are lost
        inbox.add(new CloseMarker(reason, detail));
        closePending = true;
      }
      scheduleDrain();
      peer.remoteClosed(reason, detail);
    }

    private void remoteClosed(CloseReason reason, String detail) {
      synchronized (this) {
        if (closePending) {
          return;
        }
        closing = true;
        inbox.add(
            new CloseMarker(
                CloseReason.REMOTE_CLOSED, "closed by peer: " + reason.wireCode() + " " + detail));
        closePending = true;
      }
      scheduleDrain();
    }

    @Override
    public synchronized boolean isOpen() {
      return !closing;
    }

    @Override
    public void setReading(boolean reading) {
      synchronized (this) {
        this.reading = reading;
      }
      if (reading) {
        scheduleDrain();
      }
    }

    /** Whether this end is reading (not paused by {@link #setReading}). */
    public synchronized boolean isReading() {
      return reading;
    }

    /** Frames waiting to be delivered to this end's handler. */
    public synchronized int queuedFrames() {
      return (int) inbox.stream().filter(o -> o instanceof String).count();
    }

    /** Frames this end has sent that were accepted. */
    public synchronized long sentFrames() {
      return sent;
    }

    /** Frames delivered to this end's handler. */
    public synchronized long deliveredFrames() {
      return delivered;
    }

    private void scheduleDrain() {
      synchronized (this) {
        if (draining || !opened) {
          return;
        }
        draining = true;
      }
      run(this::drain);
    }

    /** Delivers queued frames in order on this end's thread; a pending close ignores the pause. */
    private void drain() {
      while (true) {
        Object next;
        synchronized (this) {
          if (inbox.isEmpty() || (!reading && !closePending)) {
            draining = false;
            return;
          }
          draining = true;
          next = inbox.poll();
        }
        if (next instanceof CloseMarker) {
          CloseMarker m = (CloseMarker) next;
          synchronized (this) {
            inbox.clear();
          }
          try {
            handler.onClose(this, m.reason, m.detail);
          } catch (RuntimeException e) {
            // the link is closed anyway; nothing more to do
          }
          executor.shutdown();
          return;
        }
        synchronized (this) {
          delivered++;
        }
        try {
          handler.onFrame(this, (String) next);
        } catch (RuntimeException e) {
          close(CloseReason.INTERNAL_ERROR, "onFrame threw " + e);
        }
      }
    }

    private void run(Runnable task) {
      try {
        executor.execute(task);
      } catch (RejectedExecutionException e) {
        // the end already delivered its close
      }
    }

    @Override
    public String toString() {
      return id;
    }
  }
}
