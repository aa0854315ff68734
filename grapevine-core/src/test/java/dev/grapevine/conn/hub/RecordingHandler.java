package dev.grapevine.conn.hub;

import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.util.ArrayList;
import java.util.List;

/** A surface that records the calls it gets, as "open out-1", "close out-1 NORMAL". */
final class RecordingHandler implements LinkHandler {
  final List<String> calls = new ArrayList<>();

  @Override
  public void onOpen(PeerLink link) {
    calls.add("open " + link.id());
  }

  @Override
  public void onFrame(PeerLink link, String text) {
    calls.add("frame " + link.id() + " " + text);
  }

  @Override
  public void onClose(PeerLink link, CloseReason reason, String detail) {
    calls.add("close " + link.id() + " " + reason);
  }
}
