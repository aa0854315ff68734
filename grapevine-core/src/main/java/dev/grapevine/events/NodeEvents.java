package dev.grapevine.events;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's event bus: the node's parts publish what happens, and in-process listeners and the event
 * API's clients ({@code /ws}) receive it. Get it from {@code Node.events()}.
 *
 * <p><b>Publishing</b> never blocks and never throws for a full bus: {@link #publish} puts the
 * event on a bounded queue ({@link EventsConfig#busCapacity()}) and returns false, counting a drop,
 * if it is full or the bus is closed. The helpers ({@link #peerConnected}, {@link #alert}, …) build
 * the documented {@code data} for the common types, so every publisher uses the same field names.
 *
 * <p><b>Threads.</b> Any thread may publish. One thread, {@code grapevine-events-N}, takes events
 * in order and hands each to every {@link EventListener} and to the event API; listeners must
 * return quickly. After each batch it pauses for a millisecond before it waits again, so a stream
 * of events costs the publishers no wake-up each. {@link #close()} delivers what is queued, then
 * stops and joins the thread.
 */
public final class NodeEvents implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeEvents.class);

  /** Distinct alert kinds whose throttling is tracked one by one; more share one slot. */
  private static final int MAX_ALERT_KINDS = 1024;

  private final EventsConfig config;
  private final Clock clock;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger queuedEvents = new AtomicInteger();
  private final List<EventListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, AlertThrottle> throttles = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder published = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder listenerFailures = new LongAdder();
  private final LongAdder alertsSuppressed = new LongAdder();
  private final Thread thread;

  /** The event API's fan-out; set once before the node serves. Event thread only. */
  private volatile Consumer<Event> sink = e -> {};

  private NodeEvents(EventsConfig config, Clock clock, String threadName) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
  }

  /**
   * Starts a bus with its event thread.
   *
   * @param config the bus capacity and alert throttling
   * @param clock the time stamped on events and used to throttle alerts
   * @param threadName the event thread's name
   */
  public static NodeEvents start(EventsConfig config, Clock clock, String threadName) {
    NodeEvents bus = new NodeEvents(config, clock, threadName);
    bus.thread.start();
    return bus;
  }

  /** The settings the bus runs with. */
  public EventsConfig config() {
    return config;
  }

  /** Publishes an event of one of the node's types on its topic. See {@link #publish(Event)}. */
  public boolean publish(EventType type, Map<String, ?> data) {
    return publish(type.topic(), type.wireName(), data);
  }

  /**
   * Publishes an event of any type on {@code topic}, for parts and applications with events of
   * their own. See {@link #publish(Event)}.
   */
  public boolean publish(Topic topic, String type, Map<String, ?> data) {
    return publish(new Event(topic, type, copy(data), clock.instant()));
  }

  /**
   * Queues {@code event} for the listeners and the event API. Never blocks.
   *
   * @return false if the bus is full or closed: the event was dropped (and counted)
   */
  public boolean publish(Event event) {
    Objects.requireNonNull(event, "event");
    if (closed.get()) {
      dropped.increment();
      return false;
    }
    if (queuedEvents.incrementAndGet() > config.busCapacity()) {
      queuedEvents.decrementAndGet();
      dropped.increment();
      return false;
    }
    published.increment();
    queue.add(event);
    return true;
  }

  /**
   * Adds a listener for every event from now on. Close the handle to remove it.
   *
   * @see EventListener for its thread and rules
   */
  public AutoCloseable addListener(EventListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  // ---- helpers that give the common events their documented data ----

  /**
   * Publishes {@code peer_connected}.
   *
   * @param id the peer's id as the publishing part knows it (a link id, a node id, a public key)
   * @param address where the peer is, for example {@code ws://10.0.0.2:9000/}
   * @param protocol the surface, for example {@code "anproto"} or {@code "mesh"}
   * @param inbound whether the peer dialled us
   */
  public boolean peerConnected(String id, URI address, String protocol, boolean inbound) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("id", id);
    data.put("address", String.valueOf(address));
    if (address != null && address.getPort() != -1) {
      data.put("port", address.getPort());
    }
    data.put("protocol", protocol);
    data.put("direction", inbound ? "inbound" : "outbound");
    return publish(EventType.PEER_CONNECTED, data);
  }

  /**
   * Publishes {@code peer_disconnected}.
   *
   * @param reason why, in a word (for example a close reason such as {@code "idle_timeout"})
   * @param code the WebSocket close code, or 0 if there was none
   * @param detail why, in words
   */
  public boolean peerDisconnected(
      String id, URI address, String protocol, String reason, int code, String detail) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("id", id);
    data.put("address", String.valueOf(address));
    data.put("protocol", protocol);
    data.put("reason", reason);
    if (code != 0) {
      data.put("code", code);
    }
    data.put("detail", detail == null ? "" : detail);
    return publish(EventType.PEER_DISCONNECTED, data);
  }

  /**
   * Publishes {@code peer_health_changed}.
   *
   * @param health the new state, for example {@code "healthy"}, {@code "degraded"}, {@code
   *     "unresponsive"}
   * @param rtt the last round-trip time, or null if unknown
   * @param missedPongs pongs missed in a row
   */
  public boolean peerHealthChanged(String id, String health, Duration rtt, int missedPongs) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("id", id);
    data.put("health", health);
    if (rtt != null) {
      data.put("rttMillis", rtt.toMillis());
    }
    data.put("missedPongs", missedPongs);
    return publish(EventType.PEER_HEALTH_CHANGED, data);
  }

  /**
   * Publishes {@code network_topology_changed}.
   *
   * @param peers the ids of the peers connected now
   * @param detail what changed, in words
   */
  public boolean topologyChanged(List<String> peers, String detail) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("peerCount", peers.size());
    data.put("peers", List.copyOf(peers));
    data.put("detail", detail == null ? "" : detail);
    return publish(EventType.NETWORK_TOPOLOGY_CHANGED, data);
  }

  /**
   * Publishes an alert ({@code performance_alert}, {@code security_alert}, {@code storage_alert} or
   * {@code network_alert}), at most once per {@link EventsConfig#alertInterval()} for the same type
   * and metric: occurrences in between are counted and reported in the next alert's {@code count},
   * so a flood of bad frames gives a few alerts, not a flood of them.
   *
   * @param type one of the four alert types
   * @param metric what was measured, for example {@code "sync.invalid_signatures"}
   * @param value its value
   * @param threshold the value it crossed
   * @param message what happened, in words
   * @return true if an alert was published now
   * @throws IllegalArgumentException if {@code type} is not on the alerts topic
   */
  public boolean alert(
      EventType type,
      AlertLevel level,
      String metric,
      Number value,
      Number threshold,
      String message) {
    if (type.topic() != Topic.ALERTS) {
      throw new IllegalArgumentException("Expected an alert type but was " + type);
    }
    String key = type.wireName() + "/" + metric;
    AlertThrottle throttle =
        throttles.size() < MAX_ALERT_KINDS
            ? throttles.computeIfAbsent(key, k -> new AlertThrottle())
            : throttles.computeIfAbsent("*", k -> new AlertThrottle());
    long now = clock.millis();
    long count = throttle.occur(now, config.alertInterval().toMillis());
    if (count == 0) {
      alertsSuppressed.increment();
      return false;
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("level", level.wireName());
    data.put("message", message);
    data.put("metric", metric);
    data.put("value", value);
    data.put("threshold", threshold);
    data.put("count", count);
    return publish(type, data);
  }

  /** Counters for metrics. */
  public EventBusStats stats() {
    return new EventBusStats(
        published.sum(),
        dropped.sum(),
        queuedEvents.get(),
        listenerFailures.sum(),
        alertsSuppressed.sum());
  }

  /**
   * Delivers what is queued, then stops and joins the event thread (up to 10 s). Later publishes
   * are dropped. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    queue.add(Stop.STOP);
    if (Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        log.warn("Event thread {} did not stop within 10 s", thread.getName());
        thread.interrupt();
      }
    }
  }

  // ---- for the event API (same package) ----

  /** Sets the one consumer that fans events out to event API clients. */
  void attach(Consumer<Event> fanout) {
    this.sink = Objects.requireNonNull(fanout, "fanout");
  }

  /**
   * Runs {@code task} on the event thread, after the events queued before it. Control tasks are not
   * counted against the capacity: their callers bound them (one per client state change).
   *
   * @return false if the bus is closed
   */
  boolean execute(Runnable task) {
    if (closed.get()) {
      return false;
    }
    queue.add(task);
    return true;
  }

  /** Whether the calling thread is the event thread. */
  boolean onEventThread() {
    return Thread.currentThread() == thread;
  }

  /** The clock events are stamped with. */
  Clock clock() {
    return clock;
  }

  private void run() {
    try {
      while (true) {
        Object item = queue.take();
        while (item != null) {
          if (item == Stop.STOP) {
            drainAfterStop();
            return;
          }
          handle(item);
          item = queue.poll();
        }
        // A pause before waiting again, so that under a stream of events (one per stored message
        // while a peer catches up) the publishers find this thread busy rather than parked and
        // do not pay a wake-up each: events are delivered in batches, at most this much later.
        LockSupport.parkNanos(this, BATCH_PAUSE_NANOS);
      }
    } catch (InterruptedException e) {
      log.debug("Event thread interrupted");
    }
  }

  /** How long the event thread gathers events after a batch before it waits for the next. */
  private static final long BATCH_PAUSE_NANOS = 1_000_000;

  private void drainAfterStop() {
    Object item;
    while ((item = queue.poll()) != null) {
      handle(item);
    }
  }

  private void handle(Object item) {
    if (item instanceof Event) {
      queuedEvents.decrementAndGet();
      deliver((Event) item);
    } else if (item instanceof Runnable) {
      try {
        ((Runnable) item).run();
      } catch (RuntimeException e) {
        log.error("Event API task failed", e);
      }
    }
  }

  private void deliver(Event event) {
    for (EventListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        listenerFailures.increment();
        log.warn("Event listener {} failed on {}", l, event.type(), e);
      }
    }
    try {
      sink.accept(event);
    } catch (RuntimeException e) {
      log.error("Event API fan-out failed on {}", event.type(), e);
    }
  }

  private static Map<String, Object> copy(Map<String, ?> data) {
    return new LinkedHashMap<>(Objects.requireNonNull(data, "data"));
  }

  private enum Stop {
    STOP
  }

  /** When the alert of one kind was last published and how often it occurred since. */
  private static final class AlertThrottle {
    private final AtomicLong lastPublished = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong occurrences = new AtomicLong();

    /** Counts one occurrence; returns the count to publish now, or 0 to stay quiet. */
    long occur(long now, long interval) {
      occurrences.incrementAndGet();
      long last = lastPublished.get();
      if (last != Long.MIN_VALUE && now - last < interval) {
        return 0;
      }
      if (!lastPublished.compareAndSet(last, now)) {
        return 0; // another thread publishes this one
      }
      return Math.max(1, occurrences.getAndSet(0));
    }
  }
}
