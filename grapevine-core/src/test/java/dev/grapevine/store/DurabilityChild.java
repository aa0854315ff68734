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
    long ts = TestMessages.T0;
    int n = 0;
    try (MessageStore store =
        MessageStore.sqlite(Path.of(args[0]), StoreConfig.builder().maxBatchSize(16).build())) {
      while (System.nanoTime() < deadline) {
        List<VerifiedMessage> batch = new ArrayList<>(BATCH);
        List<CompletableFuture<Boolean>> acks = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++, n++) {
          String content = "durable post " + n;
          batch.add(AnProto.sign(Hash.of(content), ts + n, keys));
          store.makeAsync(content);
        }
        for (VerifiedMessage m : batch) {
          acks.add(store.addAsync(m));
        }
        for (int i = 0; i < BATCH; i++) {
          acks.get(i).join();
          out.println(ACK + batch.get(i).hash().value());
          out.flush();
        }
      }
    }
  }
}
