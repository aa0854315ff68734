package dev.grapevine.conn.lan;

import dev.grapevine.conn.ConnAddress;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP beacon for LAN discovery. Every {@link LanConfig#interval()} it sends this node's address
 * to {@link LanConfig#broadcastAddress()} on the bound port, and it reports the valid beacons of
 * other nodes to a listener, which the node wires to {@code ConnStaging.stage(beacon.address(),
 * beacon.stagingData())}. A node that is still there announces itself every interval, so a staged
 * LAN peer is refreshed long before ssb-conn's 10 s unstaging of LAN entries.
 *
 * <p><b>Beacon format.</b> One UDP datagram whose payload is the UTF-8 JSON object {@code
 * {"v":1,"address":"ws://192.168.1.5:9000~shs:<key>"}}: {@code v} is the format version and {@code
 * address} this node's {@link ConnAddress} in canonical form. Readers accept any positive integer
 * {@code v} and ignore fields they do not know, so later versions may add fields but must keep
 * {@code address}.
 *
 * <p><b>Filtering.</b> A datagram is dropped and counted (see {@link Stats}) when it is longer than
 * {@link LanConfig#maxDatagramBytes()}, when its source IP has used up its {@link
 * LanConfig#sourceLimit()} in the current window, when it is not a valid beacon, or when it
 * announces our own key. Every other beacon is reported, each time it arrives: the listener
 * deduplicates if it wants to.
 *
 * <p><b>Threads and lifecycle.</b> {@link #start} binds the socket (failing with {@link
 * IOException} if it cannot) and starts one daemon thread, {@code grapevine-lan-N}, which sends the
 * first beacon at once, then receives, sends and calls the listener until {@link #close()}. The
 * listener runs on that thread, one beacon at a time; it must be quick and must not block (a
 * listener that throws is logged and kept). A failure to send (no route to the broadcast address,
 * for example) is counted and logged and does not stop discovery. {@link #close()} is idempotent,
 * may be called from any thread, closes the socket and waits for the thread to end (except when
 * called from the listener, on that thread itself). {@link #localAddress()} and {@link #stats()}
 * may be called from any thread.
 */
public final class LanDiscovery implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LanDiscovery.class);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();
  private static final long CLOSE_WAIT_SECONDS = 10;

  private final ConnAddress self;
  private final LanConfig config;
  private final Consumer<LanBeacon> listener;
  private final DatagramSocket socket;
  private final InetSocketAddress localAddress;
  private final InetSocketAddress target;
  private final byte[] payload;
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Rate-limit windows per source IP. LAN thread only. */
  private final Map<InetAddress, Window> windows = new HashMap<>();

  // Counters: written by the LAN thread, read by any thread.
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong sendFailures = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong reported = new AtomicLong();
  private final AtomicLong own = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final AtomicLong oversize = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();

  private LanDiscovery(
      ConnAddress self, LanConfig config, Consumer<LanBeacon> listener, DatagramSocket socket) {
    this.self = self;
    this.config = config;
    this.listener = listener;
    this.socket = socket;
    this.localAddress = (InetSocketAddress) socket.getLocalSocketAddress();
    this.target = new InetSocketAddress(config.broadcastAddress(), socket.getLocalPort());
    this.payload = BeaconCodec.encode(self);
    this.thread = new Thread(this::run, "grapevine-lan-" + THREAD_IDS.incrementAndGet());
    thread.setDaemon(true);
  }

  /**
   * Binds the socket and starts announcing {@code self} and listening.
   *
   * @param self this node's address, as peers on the LAN should dial it (a LAN IP, not loopback, in
   *     production)
   * @param config where to bind and announce
   * @param listener called on the LAN thread with each valid beacon of another node
   * @throws IOException if the socket cannot be bound or configured
   */
  public static LanDiscovery start(ConnAddress self, LanConfig config, Consumer<LanBeacon> listener)
      throws IOException {
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(listener, "listener");
    DatagramSocket socket = new DatagramSocket(null);
    try {
      socket.setReuseAddress(config.reuseAddress());
      socket.setBroadcast(true);
      socket.bind(new InetSocketAddress(config.bindAddress(), config.port()));
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
    LanDiscovery discovery = new LanDiscovery(self, config, listener, socket);
    discovery.thread.start();
    log.debug(
        "LAN discovery on {} announcing {} to {}", discovery.localAddress, self, discovery.target);
    return discovery;
  }

  /** The bound address and port. */
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  /** Where beacons are sent: the broadcast address on the bound port. */
  public InetSocketAddress target() {
    return target;
  }

  /** The LAN thread's name, {@code grapevine-lan-N}. */
  public String threadName() {
    return thread.getName();
  }

  /** A snapshot of the counters. */
  public Stats stats() {
    return new Stats(
        sent.get(),
        sendFailures.get(),
        received.get(),
        reported.get(),
        own.get(),
        invalid.get(),
        oversize.get(),
        rateLimited.get());
  }

  /** Stops announcing and listening and waits for the LAN thread to end. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      socket.close();
    }
    if (Thread.currentThread() == thread) {
      return;
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
      if (thread.isAlive()) {
        log.warn(
            "{} did not stop within {} s; interrupting it", thread.getName(), CLOSE_WAIT_SECONDS);
        thread.interrupt();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- LAN thread ----

  private void run() {
    long intervalNanos = config.interval().toNanos();
    byte[] buffer = new byte[config.maxDatagramBytes() + 1];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    long nextSend = System.nanoTime();
    while (!closed.get()) {
      long now = System.nanoTime();
      if (now - nextSend >= 0) {
        send();
        nextSend = now + intervalNanos;
      }
      try {
        long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextSend - now + 999_999));
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, waitMillis));
        packet.setLength(buffer.length);
        socket.receive(packet);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException e) {
        if (!closed.get()) {
          log.warn("LAN discovery on {} stopped: cannot receive", localAddress, e);
        }
        return;
      }
      handle(packet, System.nanoTime());
    }
  }

  private void send() {
    try {
      socket.send(new DatagramPacket(payload, payload.length, target));
      sent.incrementAndGet();
    } catch (IOException e) {
      if (closed.get()) {
        return;
      }
      if (sendFailures.getAndIncrement() == 0) {
        log.warn("LAN discovery cannot send to {}: {}", target, e.toString());
      } else {
        log.debug("LAN discovery cannot send to {}: {}", target, e.toString());
      }
    }
  }

  private void handle(DatagramPacket packet, long now) {
    received.incrementAndGet();
    InetSocketAddress source = (InetSocketAddress) packet.getSocketAddress();
    if (!admitSource(source.getAddress(), now)) {
      rateLimited.incrementAndGet();
      return;
    }
    if (packet.getLength() > config.maxDatagramBytes()) {
      oversize.incrementAndGet();
      return;
    }
    Optional<ConnAddress> address =
        BeaconCodec.decode(packet.getData(), packet.getOffset(), packet.getLength());
    if (address.isEmpty()) {
      invalid.incrementAndGet();
      return;
    }
    if (address.get().key().equals(self.key())) {
      own.incrementAndGet();
      return;
    }
    reported.incrementAndGet();
    LanBeacon beacon = new LanBeacon(address.get(), source);
    try {
      listener.accept(beacon);
    } catch (RuntimeException e) {
      log.warn("LAN discovery listener failed on {}", beacon, e);
    }
  }

  /** Counts a datagram from {@code ip} in its window; false if the window is used up. */
  private boolean admitSource(InetAddress ip, long now) {
    long windowNanos = config.sourceWindow().toNanos();
    Window w = windows.get(ip);
    if (w != null && now - w.start >= windowNanos) {
      w = null;
      windows.remove(ip);
    }
    if (w == null) {
      if (windows.size() >= config.maxSources()) {
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
          if (now - it.next().start >= windowNanos) {
            it.remove();
          }
        }
        if (windows.size() >= config.maxSources()) {
          return false;
        }
      }
      w = new Window(now);
      windows.put(ip, w);
    }
    w.count++;
    return w.count <= config.sourceLimit();
  }

  /** A source's fixed rate-limit window. LAN thread only. */
  private static final class Window {
    final long start;
    int count;

    Window(long start) {
      this.start = start;
    }
  }

  /**
   * Counters since start.
   *
   * @param sent beacons sent
   * @param sendFailures beacons that could not be sent
   * @param received datagrams received, whatever they held
   * @param reported beacons of other nodes passed to the listener
   * @param own our own beacons (our key), ignored
   * @param invalid datagrams that were not a valid beacon, ignored
   * @param oversize datagrams longer than {@link LanConfig#maxDatagramBytes()}, ignored
   * @param rateLimited datagrams dropped by the per-source rate limit
   */
  public record Stats(
      long sent,
      long sendFailures,
      long received,
      long reported,
      long own,
      long invalid,
      long oversize,
      long rateLimited) {}
}
