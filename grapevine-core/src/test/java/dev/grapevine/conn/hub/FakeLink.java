package dev.grapevine.conn.hub;

import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.PeerLink;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory link. Closing it reports the close once to {@code onClosed} (what the transport does
 * through the handler's onClose), and closes its other end, if any, as {@link
 * CloseReason#REMOTE_CLOSED}.
 */
final class FakeLink implements PeerLink {
  private static final AtomicInteger IDS = new AtomicInteger();

  /** Receives the close report. */
  interface CloseListener {
    void closed(FakeLink link, CloseReason reason, String detail);
  }

  private final String id;
  private final Direction direction;
  private final URI remote;
  private final List<String> sent = new ArrayList<>();
  CloseListener onClosed = (l, r, d) -> {};
  FakeLink otherEnd;
  private boolean open = true;
  CloseReason closeReason;
  String closeDetail;
  int closeCalls;

  FakeLink(Direction direction, URI remote) {
    this.id = (direction == Direction.INBOUND ? "in-" : "out-") + IDS.incrementAndGet();
    this.direction = direction;
    this.remote = remote;
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

  @Override
  public boolean send(String frame) {
    if (open) {
      sent.add(frame);
    }
    return open;
  }

  @Override
  public void close(CloseReason reason, String detail) {
    closeCalls++;
    if (!open) {
      return;
    }
    open = false;
    closeReason = reason;
    closeDetail = detail;
    onClosed.closed(this, reason, detail);
    if (otherEnd != null) {
      otherEnd.close(CloseReason.REMOTE_CLOSED, detail);
    }
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void setReading(boolean reading) {}

  @Override
  public String toString() {
    return id;
  }
}
