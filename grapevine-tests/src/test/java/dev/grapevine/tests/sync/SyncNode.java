package dev.grapevine.tests.sync;

import dev.grapevine.anproto.Hash;
import dev.grapevine.store.MessageStore;
import dev.grapevine.sync.AnprotoSync;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.testing.ManualScheduler;
import dev.grapevine.testing.RecordingLinkHandler;
import java.time.Instant;

/** One protocol instance over an in-memory store, on a manual scheduler, with recorded events. */
final class SyncNode implements AutoCloseable {
  /** The manual clock's start; test messages are signed around it. */
  static final Instant START = Instant.parse("2025-08-15T12:00:00Z");

  /** A blob every node stores, so a peer can flush: ask for it and wait for it. */
  static final String MARKER = "marker blob: everything sent before this has been delivered";

  static final SyncConfig TEST_CONFIG = SyncConfig.builder().verifyThreads(2).build();

  final MessageStore store;
  final ManualScheduler scheduler;
  final RecordingSyncListener events = new RecordingSyncListener();
  final AnprotoSync sync;

  SyncNode() {
    this(MessageStore.inMemory(), TEST_CONFIG);
  }

  SyncNode(SyncConfig config) {
    this(MessageStore.inMemory(), config);
  }

  SyncNode(MessageStore store, SyncConfig config) {
    this.store = store;
    this.scheduler = ManualScheduler.at(START);
    this.sync = AnprotoSync.builder(store, scheduler).config(config).listener(events).build();
    store.make(MARKER);
  }

  long now() {
    return scheduler.clock().millis();
  }

  /**
   * Asks for the marker on {@code peer}'s link and waits for it: afterwards every frame this node
   * sent to that peer before the request was handled has been delivered.
   */
  static void flush(RecordingLinkHandler peer) {
    peer.send(Hash.of(MARKER).value());
    peer.takeUntil(MARKER);
  }

  @Override
  public void close() {
    sync.close();
    store.close();
    scheduler.close();
  }
}
