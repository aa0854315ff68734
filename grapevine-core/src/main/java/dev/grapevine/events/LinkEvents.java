package dev.grapevine.events;

import dev.grapevine.transport.Admission;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Publishes {@code peer_connected} and {@code peer_disconnected} for the links of one protocol, by
 * wrapping the protocol's {@link LinkHandler}, and counts them for metrics. A link closed for a
 * protocol violation, as a slow consumer or for junk also raises a {@code network_alert}.
 * Thread-safe; the wrapper adds no blocking work to the I/O thread.
 */
public final class LinkEvents {
  private final NodeEvents bus;
  private final String protocol;
  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder opened = new LongAdder();
  private final Map<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);

  /**
   * Events for the links of {@code protocol}, for example {@code "anproto"}.
   *
   * @param bus where to publish
   * @param protocol the {@code protocol} field of the events and the metrics' surface label
   */
  public LinkEvents(NodeEvents bus, String protocol) {
    this.bus = Objects.requireNonNull(bus, "bus");
    this.protocol = Objects.requireNonNull(protocol, "protocol");
    for (CloseReason r : CloseReason.values()) {
      closed.put(r, new LongAdder());
    }
  }

  /** The protocol's name. */
  public String protocol() {
    return protocol;
  }

  /** Links open now. */
  public int open() {
    return open.get();
  }

  /** Links opened so far. */
  public long opened() {
    return opened.sum();
  }

  /** Links closed so far, by reason. */
  public Map<CloseReason, Long> closed() {
    Map<CloseReason, Long> out = new EnumMap<>(CloseReason.class);
    closed.forEach((r, n) -> out.put(r, n.sum()));
    return out;
  }

  /** {@code handler} with its links' openings and closings published. */
  public LinkHandler observe(LinkHandler handler) {
    Objects.requireNonNull(handler, "handler");
    return new LinkHandler() {
      @Override
      public Admission admit(HttpRequest upgrade) {
        Admission a = handler.admit(upgrade);
        if (a instanceof Admission.Accept accept) {
          LinkHandler chosen = accept.handler() == handler ? this : observe(accept.handler());
          return new Admission.Accept(chosen, accept.settings());
        }
        return a;
      }

      @Override
      public void onOpen(PeerLink link) {
        open.incrementAndGet();
        opened.increment();
        bus.peerConnected(
            link.id(), link.remote(), protocol, link.direction() == Direction.INBOUND);
        handler.onOpen(link);
      }

      @Override
      public void onFrame(PeerLink link, String text) {
        handler.onFrame(link, text);
      }

      @Override
      public void onClose(PeerLink link, CloseReason reason, String detail) {
        open.decrementAndGet();
        closed.get(reason).increment();
        String word = reason.name().toLowerCase(Locale.ROOT);
        bus.peerDisconnected(link.id(), link.remote(), protocol, word, wireCode(reason), detail);
        if (reason == CloseReason.POLICY_VIOLATION
            || reason == CloseReason.SLOW_CONSUMER
            || reason == CloseReason.PROTOCOL_ERROR) {
          bus.alert(
              EventType.NETWORK_ALERT,
              AlertLevel.WARNING,
              protocol + ".closed." + word,
              closed.get(reason).sum(),
              0,
              "Link "
                  + link.id()
                  + " to "
                  + link.remote()
                  + " closed: "
                  + word
                  + " ("
                  + detail
                  + ")");
        }
        handler.onClose(link, reason, detail);
      }

      @Override
      public void onWritable(PeerLink link) {
        handler.onWritable(link);
      }
    };
  }

  private static int wireCode(CloseReason reason) {
    return reason == CloseReason.CONNECTION_LOST ? 1006 : reason.wireCode();
  }
}
