package dev.grapevine.store;

import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The process {@link SqliteDurabilityTest} kills: opens the store at {@code args[0]} and ingests
 * signed messages in batches through {@link MessageStore#addAsync}, printing {@code ACK <msgHash>}
 * (flushed) for each one after its future completed. It stops by itself after a minute in case
 * nobody kills it.
 */
public final class DurabilityChild {
  static final String ACK = "ACK ";
  private static final int BATCH = 40;

  private DurabilityChild() {}

  public static void main(String[] args) {
    PrintStream out = System.out;
    long deadline = System.nanoTime() + 60_000_000_000L;
    KeyPair keys = KeyPair.generate();
    try (MessageStore store =
        MessageStore.sqlite(Path.of(args[0]), StoreConfig.builder().maxBatchSize(16).build())) {
      // Two batches in flight: the next one is queued before the current one is acknowledged, so
      // the writer is always in the middle of something when the kill comes.
      Batch current = Batch.submit(store, keys, 0);
      for (int b = 1; System.nanoTime() < deadline; b++) {
        Batch next = Batch.submit(store, keys, b);
        current.acknowledge(out);
        current = next;
      }
    }
  }

  private record Batch(List<VerifiedMessage> messages, List<CompletableFuture<Boolean>> acks) {
    static Batch submit(MessageStore store, KeyPair keys, int b) {
      List<VerifiedMessage> messages = new ArrayList<>(BATCH);
      List<CompletableFuture<Boolean>> acks = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        int n = b * BATCH + i;
        String content = "durable post " + n;
        VerifiedMessage m = AnProto.sign(Hash.of(content), TestMessages.T0 + n, keys);
        store.makeAsync(content);
        messages.add(m);
        acks.add(store.addAsync(m));
      }
      return new Batch(messages, acks);
    }

    void acknowledge(PrintStream out) {
      for (int i = 0; i < messages.size(); i++) {
        acks.get(i).join();
        out.println(ACK + messages.get(i).hash().value());
        out.flush();
      }
    }
  }
}
