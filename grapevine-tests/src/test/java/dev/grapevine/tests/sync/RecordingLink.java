package dev.grapevine.tests.sync;

import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.PeerLink;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** A link stub that records what is sent on it; for unit tests of the gossip queue. */
final class RecordingLink implements PeerLink {
  private final String id;
  private final List<String> sent = new ArrayList<>();
  private boolean open = true;

  RecordingLink(String id) {
    this.id = id;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Direction direction() {
    return Direction.OUTBOUND;
  }

  @Override
  public URI remote() {
    return URI.create("mem://" + id);
  }

  @Override
  public synchronized boolean send(String frame) {
    if (!open) {
      return false;
    }
    sent.add(frame);
    return true;
  }

  @Override
  public synchronized void close(CloseReason reason, String detail) {
    open = false;
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }

  @Override
  public void setReading(boolean reading) {}

  synchronized List<String> sent() {
    return new ArrayList<>(sent);
  }

  synchronized int count(String frame) {
    return (int) sent.stream().filter(frame::equals).count();
  }

  @Override
  public String toString() {
    return id;
  }
}
