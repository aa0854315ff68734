package dev.grapevine.tests.sync;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.sync.SyncListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the protocol's events as short strings, for assertions. */
final class RecordingSyncListener implements SyncListener {
  final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public void messageStored(VerifiedMessage message, String origin) {
    events.add("stored " + message.hash());
  }

  @Override
  public void messageRelayed(VerifiedMessage message, int links) {
    events.add("relayed " + message.hash() + " to " + links);
  }

  @Override
  public void blobStored(Hash hash, int chars, String origin) {
    events.add("blob " + hash);
  }

  @Override
  public void blobRelayed(Hash hash, int links) {
    events.add("blobRelayed " + hash + " to " + links);
  }

  @Override
  public void rejected(Rejection reason, String origin, String detail) {
    events.add("rejected " + reason);
  }

  @Override
  public void requestServed(Hash key, String origin, int frames) {
    events.add("served " + key);
  }

  boolean has(String event) {
    return events.contains(event);
  }

  long count(String prefix) {
    return events.stream().filter(e -> e.startsWith(prefix)).count();
  }
}
