package dev.grapevine;

import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.identity.NodeIdentity;
import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Grapevine node: an identity and a store of signed messages. Start one with {@link #builder()}
 * or {@link #start(NodeConfig)}; close it to release its threads and files.
 *
 * <p>Thread-safe. {@link #close()} is idempotent; after it store operations fail with a {@link
 * dev.grapevine.store.StoreException} whose reason is {@code CLOSED}.
 */
public final class Node implements AutoCloseable {
  private final NodeConfig config;
  private final KeyPair keyPair;
  private final MessageStore store;
  private final ReentrantLock publishLock = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();

  private Node(NodeConfig config, KeyPair keyPair, MessageStore store) {
    this.config = config;
    this.keyPair = keyPair;
    this.store = store;
  }

  /** A configuration builder whose {@code start()} starts a node. */
  public static NodeConfig.Builder builder() {
    return NodeConfig.builder();
  }

  /**
   * Starts a node: loads or creates its identity and opens its store.
   *
   * @throws IOException if the data directory cannot be read or written
   */
  public static Node start(NodeConfig config) throws IOException {
    KeyPair keys;
    if (config.keyPair().isPresent()) {
      keys = config.keyPair().get();
    } else if (config.ephemeral()) {
      keys = KeyPair.generate();
    } else {
      keys = NodeIdentity.loadOrCreate(config.dataDir());
    }
    MessageStore store =
        config.ephemeral()
            ? MessageStore.inMemory(config.store())
            : MessageStore.sqlite(config.dataDir().resolve(NodeConfig.STORE_FILE), config.store());
    return new Node(config, keys, store);
  }

  /** The configuration this node was started with. */
  public NodeConfig config() {
    return config;
  }

  /** This node's public key, which is also its author id. */
  public PublicKey publicKey() {
    return keyPair.publicKey();
  }

  /** The node's store. */
  public MessageStore store() {
    return store;
  }

  /** Publishes {@code body} with no extra front matter; see {@link #publish(String, Map)}. */
  public VerifiedMessage publish(String body) {
    return publish(body, Map.of());
  }

  /**
   * Composes, signs and stores a post by this node, as the reference's {@code apds.compose} does:
   * the front matter is {@code meta} followed by {@code previous}, the msgHash of this node's
   * latest message, if there is one. The signed timestamp is the clock's time, or one millisecond
   * after the previous message's if the clock is behind it, so an author's posts stay in order.
   * Returns after the message and its content are durably stored.
   *
   * <p>Publishes are serialised so that each one's {@code previous} is the one before it.
   */
  public VerifiedMessage publish(String body, Map<String, String> meta) {
    publishLock.lock();
    try {
      Map<String, String> front = new LinkedHashMap<>(meta);
      Optional<LogEntry> latest = store.getLatest(keyPair.publicKey());
      latest.ifPresent(e -> front.put("previous", e.hash().value()));
      long ts = config.clock().millis();
      if (latest.isPresent()) {
        ts = Math.max(ts, latest.get().opened().timestampMillis() + 1);
      }
      Content content = Content.compose(body, front);
      store.make(content.text());
      VerifiedMessage message = AnProto.sign(content.hash(), ts, keyPair);
      store.add(message);
      return message;
    } finally {
      publishLock.unlock();
    }
  }

  /** Closes the store, waiting for queued writes to commit. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      store.close();
    }
  }
}
