package dev.grapevine.sync;

import static dev.grapevine.internal.Checks.printable;

import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.InvalidMessageException;
import dev.grapevine.anproto.KeyCache;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.store.AddResult;
import dev.grapevine.store.LogEntry;
import dev.grapevine.store.MessageStore;
import dev.grapevine.store.StoreException;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ANProto frame protocol, compatible with the APDS pub ({@code serve.js}), its {@code cli.js}
 * and the Wiredove browser client. Install it as the {@link LinkHandler} of the ANProto WebSocket
 * surface (and of outgoing links, see {@link PubClient}); HTTP {@code POST /gossip} goes through
 * {@link #handleHttpFrame}.
 *
 * <h2>Frames</h2>
 *
 * A text frame of 44 characters is a <b>request</b>; any other frame is <b>data</b>.
 *
 * <ul>
 *   <li><b>Request {@code X}</b> (canonical base64 of 32 bytes; any other 44-char frame is junk):
 *       if X is an author with messages, the one with the largest signed timestamp is sent; if a
 *       blob is stored under X, it is sent. If neither, the request is remembered (per link, until
 *       {@link SyncConfig#gossipExpiry()}) and X enters the {@link GossipQueue}, which asks other
 *       peers and, like the reference, the asker itself (that is how a pub asks an announcer for
 *       what it lacks). When X arrives, it is sent to the links that asked.
 *   <li><b>Signed message</b> (208 chars starting with a key and ending in {@code ==}): parsed on
 *       the I/O thread, verified strictly on the worker pool (malleated, non-canonical and forged
 *       messages are counted and never stored), then committed. Only after the commit, and only if
 *       it is new: it is relayed to every other open link (never back to its sender, so there are
 *       no loops), the gossip queue and the remembered requests for its msgHash and author are
 *       resolved, and its content is claimed or requested (sender first, then the gossip queue). A
 *       duplicate is not relayed, but if its content is still missing it is requested again.
 *   <li><b>Blob</b> (any other data): stored only if <em>wanted</em>: its hash is one we are asking
 *       for (a missing content, {@code previous}, {@code image} or inline {@code ![](h)} hash of a
 *       stored message or content, or something a peer asked us for). An unwanted blob waits in a
 *       small in-memory cache (bounded by {@link SyncConfig#unclaimedMaxBytes()}, {@link
 *       SyncConfig#unclaimedMaxEntries()} and {@link SyncConfig#unclaimedTtl()}) and is stored if a
 *       message claiming it commits in time, because {@code cli.js} sends content before its signed
 *       message. Junk therefore never reaches the disk. A newly stored blob is relayed to the other
 *       links; if it is content, its front matter's {@code previous} and {@code image} and its
 *       inline images are requested when missing, which backfills an author's chain message by
 *       message.
 * </ul>
 *
 * <p><b>Content of exactly 44 characters cannot travel on this wire</b>: it would be read as a
 * request. Such a blob is never sent as a frame (HTTP {@code GET /<hash>} serves it).
 *
 * <h2>Limits and backpressure</h2>
 *
 * Every admitted frame counts as pending until its processing (verification, commit, follow-up)
 * ends. At {@link SyncConfig#maxPendingVerifications()} pending frames, or when the store's writer
 * queue is full, the link that delivered the frame is paused ({@link PeerLink#setReading}); paused
 * links resume once pending frames fall to {@link SyncConfig#resumeWatermark()} and the store has
 * room. Frames that still arrive beyond twice the maximum are dropped, as are frames the store
 * refuses as {@code BUSY}: nothing was stored, relayed or acknowledged for them, and the peer
 * offers them again on its next sync (announcements on connect, requests, backfill). Junk (a
 * 44-char frame that is not a hash, or a signed message that fails) is counted; more than {@link
 * SyncConfig#junkLimit()} junk frames within {@link SyncConfig#junkWindow()} close the link with
 * {@link CloseReason#POLICY_VIOLATION}.
 *
 * <h2>Threads</h2>
 *
 * {@link LinkHandler} methods run on the transport's I/O threads and never block: they classify the
 * frame, parse a signed message's structure and hand the rest to a pool of {@link
 * SyncConfig#verifyThreads()} named threads ({@code grapevine-sync-I-N}) that verify signatures,
 * read the store and run every after-commit action. Timers (gossip rounds, expiry, backpressure
 * re-checks) run on the injected {@link Scheduler}. Shared state lives in small thread-safe
 * structures whose locks are never held across I/O, store calls or listener callbacks; see {@code
 * CONCURRENCY-sync.md}. All public methods are thread-safe.
 *
 * <h2>Lifecycle</h2>
 *
 * Running from {@link Builder#build()}. {@link #close()} cancels the timers, stops taking frames
 * and shuts down and awaits the worker pool; it does not close the links (the transport owns them)
 * or the store. Idempotent.
 */
public final class AnprotoSync implements LinkHandler, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AnprotoSync.class);

  /** Origin name of frames posted over HTTP. */
  public static final String HTTP_ORIGIN = "http";

  /** Origin name of messages published by this node. */
  public static final String LOCAL_ORIGIN = "local";

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final MessageStore store;
  private final Scheduler scheduler;
  private final SyncConfig config;
  private final SyncListener listener;
  private final ThreadPoolExecutor workers;

  /**
   * Runs after-commit continuations on the workers. If the pool refuses (full, or shut down by
   * {@link #close()}), the continuation runs on the completing thread instead: a continuation must
   * never be lost, or its frame would stay pending for ever.
   */
  private final Executor continuations;

  private final GossipQueue gossip;
  private final PendingRequests pending;
  private final UnclaimedBlobs unclaimed;
  private final Scheduler.Cancellable maintenance;

  /** Open links and their per-link state; written by I/O threads (open/close), read by all. */
  private final ConcurrentHashMap<PeerLink, LinkOrigin> links = new ConcurrentHashMap<>();

  /** Hashes being verified or committed now, so that concurrent copies are processed once. */
  private final Set<Hash> inFlight = ConcurrentHashMap.newKeySet();

  /** Contents claimed by the signed messages being processed now, by content hash. */
  private final ConcurrentHashMap<Hash, Claim> claims = new ConcurrentHashMap<>();

  private final AtomicInteger pendingFrames = new AtomicInteger();
  private final AtomicInteger pausedLinks = new AtomicInteger();
  private final AtomicBoolean recheckScheduled = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private final LongAdder framesIn = new LongAdder();
  private final LongAdder framesOut = new LongAdder();
  private final LongAdder requestsIn = new LongAdder();
  private final LongAdder requestsServed = new LongAdder();
  private final LongAdder requestsSent = new LongAdder();
  private final LongAdder messagesStored = new LongAdder();
  private final LongAdder blobsStored = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder junk = new LongAdder();
  private final LongAdder relayed = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder junkClosures = new LongAdder();

  /** Decoded keys of known authors, shared with the mesh. */
  private final KeyCache keyCache;

  private AnprotoSync(Builder b) {
    this.keyCache = b.keyCache != null ? b.keyCache : KeyCache.create(KeyCache.DEFAULT_CAPACITY);
    this.store = b.store;
    this.scheduler = b.scheduler;
    this.config = b.config;
    this.listener = b.listener;
    this.pending = new PendingRequests(config.maxPendingRequests());
    this.unclaimed =
        new UnclaimedBlobs(
            config.unclaimedMaxBytes(),
            config.unclaimedMaxEntries(),
            config.unclaimedTtl().toMillis());
    int instance = INSTANCES.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, "grapevine-sync-" + instance + "-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    // Admission bounds external work to hardPendingLimit frames; follow-ups of a frame run one at
    // a time except for claims from the unclaimed cache, which that cache bounds.
    int queue = config.hardPendingLimit() + config.unclaimedMaxEntries() + 1_024;
    this.workers =
        new ThreadPoolExecutor(
            config.verifyThreads(),
            config.verifyThreads(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queue),
            factory);
    this.continuations =
        task -> {
          try {
            workers.execute(task);
          } catch (RejectedExecutionException e) {
            task.run();
          }
        };
    this.gossip = new GossipQueue(scheduler, config, links::keySet, this::sendRequest);
    this.maintenance = scheduler.scheduleAtFixedRate(this::purge, config.gossipInterval());
  }

  /** A builder for a protocol instance over {@code store}, with timers on {@code scheduler}. */
  public static Builder builder(MessageStore store, Scheduler scheduler) {
    return new Builder(store, scheduler);
  }

  // ---- LinkHandler ----

  /** Registers the link; frames that arrive on it from now on are handled. */
  @Override
  public void onOpen(PeerLink link) {
    if (closed.get()) {
      link.close(CloseReason.SHUTDOWN, "sync protocol is closed");
      return;
    }
    links.put(link, new LinkOrigin(link));
  }

  /** Classifies one frame and hands it to the worker pool; never blocks. */
  @Override
  public void onFrame(PeerLink link, String text) {
    LinkOrigin origin = links.get(link);
    if (origin == null || closed.get()) {
      return;
    }
    framesIn.increment();
    origin.framesIn.increment();
    classify(origin, text);
  }

  /** Forgets the link: its remembered requests, hints and pause state. */
  @Override
  public void onClose(PeerLink link, CloseReason reason, String detail) {
    LinkOrigin origin = links.remove(link);
    if (origin != null && origin.paused.compareAndSet(true, false)) {
      pausedLinks.decrementAndGet();
    }
    pending.removeLink(link);
    gossip.peerClosed(link);
  }

  // ---- other entry points ----

  /**
   * Processes one frame posted over HTTP ({@code POST /gossip}) exactly as a WebSocket frame, and
   * completes with every frame that would have been sent back to the poster, in order. Unlike a
   * link, the poster cannot be answered later: a request for an unknown hash is echoed back (the
   * reference's way of asking the poster for it) and asked of the WebSocket peers. New data posted
   * this way is relayed to every open link.
   *
   * <p>Never blocks. The future fails with {@link RejectedExecutionException} if too many frames
   * are pending (answer 503), with a {@link StoreException} if the store refused the write, or with
   * {@link IllegalStateException} after {@link #close()}.
   */
  public CompletableFuture<List<String>> handleHttpFrame(String frame) {
    Objects.requireNonNull(frame, "frame");
    if (closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("sync protocol is closed"));
    }
    framesIn.increment();
    HttpOrigin origin = new HttpOrigin();
    return classify(origin, frame).thenApply(v -> origin.messages());
  }

  /**
   * Stores a message this node signed, with its content, and sends both to every open link (the
   * signed message first, as Wiredove does). Completes with true if the message was new; fails with
   * a {@link StoreException} if the store refused a write.
   *
   * @throws IllegalArgumentException if {@code content} does not hash to the message's content hash
   */
  public CompletableFuture<Boolean> publish(VerifiedMessage message, String content) {
    return accept(message, content, LocalOrigin.INSTANCE);
  }

  /** The decoded keys verification goes through; the mesh uses them too. */
  public KeyCache keyCache() {
    return keyCache;
  }

  /**
   * Stores a message that arrived verified by another surface (the mesh), with its content if the
   * sender had it, and relays both to every open link of this protocol if the message was new,
   * exactly as if it had arrived here. Listeners see {@code origin} as its origin. Completes with
   * true if the message was new; fails with a {@link StoreException} if the store refused a write.
   *
   * @param content the content, or null if it did not come with the message
   * @throws IllegalArgumentException if {@code content} does not hash to the message's content hash
   */
  public CompletableFuture<Boolean> accept(VerifiedMessage message, String content, String origin) {
    return accept(message, content, new SurfaceOrigin(origin));
  }

  /**
   * Stores a blob that another surface asked for and received; relays it to links that asked for
   * it. Completes with its hash.
   */
  public CompletableFuture<Hash> acceptBlob(String content, String origin) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("sync protocol is closed"));
    }
    Origin from = new SurfaceOrigin(origin);
    return store
        .makeAsync(content)
        .thenApplyAsync(
            h -> {
              gossip.resolve(h);
              answerPending(h, content, from, Set.of());
              return h;
            },
            continuations);
  }

  private CompletableFuture<Boolean> accept(VerifiedMessage message, String content, Origin from) {
    // The store checks that the content hashes to the message's content hash (and throws
    // IllegalArgumentException if not) as it prepares the blob: hashing it here too would cost a
    // second SHA-256 of every content.
    if (closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("sync protocol is closed"));
    }
    CompletableFuture<Boolean> added =
        content == null
            ? store.addAsync(message)
            : store
                .addWithContentAsync(message, Content.parse(content))
                .thenApply(AddResult::messageAdded);
    return added.thenApplyAsync(
        isNew -> {
          if (isNew) {
            afterNewMessage(from, message, content != null);
            if (content != null) {
              Set<PeerLink> sent = sendable(content) ? relay(content, from) : Set.of();
              gossip.resolve(message.contentHash());
              answerPending(message.contentHash(), content, from, sent);
            }
          }
          return isNew;
        },
        continuations);
  }

  /** Sends {@code frame} to every open link; returns how many accepted it. */
  public int broadcast(String frame) {
    int n = 0;
    for (PeerLink link : openLinks()) {
      if (send(link, frame)) {
        n++;
      }
    }
    return n;
  }

  /** The links open now. */
  public List<PeerLink> openLinks() {
    return new ArrayList<>(links.keySet());
  }

  /**
   * The frames received from and sent to {@code link} since it opened, or empty if the link is not
   * open on this protocol.
   */
  public Optional<LinkTraffic> traffic(PeerLink link) {
    LinkOrigin o = links.get(link);
    return o == null
        ? Optional.empty()
        : Optional.of(new LinkTraffic(o.framesIn.sum(), o.framesOut.sum()));
  }

  /** The gossip queue of this protocol instance (for inspection and tests). */
  public GossipQueue gossip() {
    return gossip;
  }

  /** The settings. */
  public SyncConfig config() {
    return config;
  }

  /** The store frames are committed to. */
  public MessageStore store() {
    return store;
  }

  /** The scheduler timers run on. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** A snapshot of the counters and gauges. */
  public SyncStats stats() {
    return new SyncStats(
        framesIn.sum(),
        framesOut.sum(),
        requestsIn.sum(),
        requestsServed.sum(),
        requestsSent.sum(),
        messagesStored.sum(),
        blobsStored.sum(),
        duplicates.sum(),
        rejected.sum(),
        junk.sum(),
        relayed.sum(),
        dropped.sum(),
        junkClosures.sum(),
        links.size(),
        pausedLinks.get(),
        pendingFrames.get(),
        gossip.size(),
        pending.size(),
        unclaimed.size(),
        unclaimed.bytes());
  }

  /**
   * Cancels the timers, stops taking frames, and shuts down the worker pool, waiting up to 10 s for
   * work in progress. Does not close links or the store. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    maintenance.cancel();
    gossip.close();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("Sync workers did not finish within 10 s; interrupting them");
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  // ---- package-private helpers for PubClient ----

  /** Sends one frame on a link, counting it. */
  boolean send(PeerLink link, String frame) {
    if (link.send(frame)) {
      framesOut.increment();
      LinkOrigin o = links.get(link);
      if (o != null) {
        o.framesOut.increment();
      }
      return true;
    }
    return false;
  }

  /** Runs {@code task} on the worker pool; false if the pool is closed or full. */
  boolean execute(Runnable task) {
    try {
      workers.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.error("Sync task failed", e);
            }
          });
      return true;
    } catch (RejectedExecutionException e) {
      log.debug("Sync task rejected (closed or full)", e);
      return false;
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  // ---- classification and admission ----

  private CompletableFuture<Void> classify(Origin origin, String text) {
    if (text.length() == Hash.LENGTH) {
      requestsIn.increment();
      Hash x;
      try {
        x = Hash.parse(text);
      } catch (InvalidMessageException e) {
        junk.increment();
        notify(
            l ->
                l.rejected(
                    SyncListener.Rejection.JUNK_REQUEST,
                    origin.id(),
                    "Expected a 44-char base64 hash or key but was '" + printable(text) + "'"));
        origin.junk();
        return DONE;
      }
      return admit(origin, () -> handleRequest(origin, x));
    }
    if (text.length() == SignedMessage.LENGTH && looksSigned(text)) {
      SignedMessage message;
      try {
        message = SignedMessage.parse(text);
      } catch (InvalidMessageException e) {
        rejectInvalid(origin, e);
        return DONE;
      }
      // Claim the content before the frames behind this one are read: see Claim.
      Hash contentHash = message.claimedOpened().contentHash();
      Claim fresh = new Claim();
      Claim claim = claims.putIfAbsent(contentHash, fresh) == null ? fresh : null;
      CompletableFuture<Void> done = admit(origin, () -> handleSigned(origin, message, claim));
      if (claim != null) {
        done.whenComplete((v, err) -> releaseClaim(contentHash, claim));
      }
      return done;
    }
    if (text.length() <= PARK_MAX_CHARS && !claims.isEmpty()) {
      Hash h = Hash.of(text);
      Claim claim = claims.get(h);
      if (claim != null) {
        CompletableFuture<Void> parked = admitParked(origin, claim, text);
        if (parked != null) {
          return parked;
        }
      }
      return admit(origin, () -> handleBlob(origin, h, text));
    }
    return admit(origin, () -> handleBlob(origin, Hash.of(text), text));
  }

  /**
   * Admits a blob frame by parking it in the claim of the message being processed ahead of it. Its
   * frame stays pending (and counts for backpressure) until that message's processing settles it.
   *
   * @return the frame's completion, or null if it was not parked (over the hard limit, or the claim
   *     is closed or holds a copy already): then it goes through {@link #admit}
   */
  private CompletableFuture<Void> admitParked(Origin origin, Claim claim, String text) {
    int n = pendingFrames.incrementAndGet();
    if (n > config.hardPendingLimit() || !claim.park(text, origin)) {
      release();
      return null;
    }
    if (n >= config.maxPendingVerifications() || !store.hasRoom()) {
      origin.pause();
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    claim.settled.whenComplete(
        (v, err) -> {
          release();
          if (err == null) {
            done.complete(null);
          } else {
            done.completeExceptionally(err);
          }
        });
    return done;
  }

  /** A 208-char frame is treated as a signed message if it starts with a key and ends in "==". */
  private static boolean looksSigned(String text) {
    return text.endsWith("==") && Hash.isValid(text.substring(0, Hash.LENGTH));
  }

  private CompletableFuture<Void> admit(Origin origin, Supplier<CompletableFuture<?>> work) {
    int n = pendingFrames.incrementAndGet();
    if (n > config.hardPendingLimit()) {
      pendingFrames.decrementAndGet();
      overloaded(origin, "more than " + config.hardPendingLimit() + " frames pending");
      return CompletableFuture.failedFuture(
          new RejectedExecutionException(
              "Expected at most " + config.hardPendingLimit() + " pending frames but was " + n));
    }
    if (n >= config.maxPendingVerifications() || !store.hasRoom()) {
      origin.pause();
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      workers.execute(
          () -> {
            CompletableFuture<?> f;
            try {
              f = work.get();
            } catch (RuntimeException e) {
              f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete(
                (v, err) -> {
                  release();
                  if (err == null) {
                    done.complete(null);
                  } else {
                    Throwable cause = unwrap(err);
                    if (!(cause instanceof StoreException)
                        && !(cause instanceof RejectedExecutionException)) {
                      log.error("Processing a frame from {} failed", origin.id(), cause);
                    }
                    done.completeExceptionally(cause);
                  }
                });
          });
    } catch (RejectedExecutionException e) {
      release();
      if (!closed.get()) {
        overloaded(origin, "worker queue full");
      }
      done.completeExceptionally(e);
    }
    return done;
  }

  private void release() {
    int n = pendingFrames.decrementAndGet();
    if (pausedLinks.get() > 0 && n <= config.resumeWatermark()) {
      maybeResume();
    }
  }

  private void maybeResume() {
    if (pendingFrames.get() > config.resumeWatermark()) {
      return;
    }
    if (!store.hasRoom()) {
      scheduleRecheck();
      return;
    }
    for (LinkOrigin o : links.values()) {
      o.resume();
    }
  }

  private void scheduleRecheck() {
    if (closed.get() || !recheckScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      scheduler.schedule(
          () -> {
            recheckScheduled.set(false);
            if (pausedLinks.get() > 0) {
              maybeResume();
            }
          },
          config.backpressureRecheck());
    } catch (RuntimeException e) {
      recheckScheduled.set(false);
      log.debug("Could not schedule a backpressure re-check", e);
    }
  }

  // ---- requests ----

  private CompletableFuture<?> handleRequest(Origin origin, Hash x) {
    List<String> answer = lookup(x);
    if (!answer.isEmpty()) {
      served(origin, x, answer);
      return DONE;
    }
    PeerLink link = origin.link();
    if (link != null) {
      boolean remembered = pending.add(x, link, now() + config.gossipExpiry().toMillis());
      answer = lookup(x); // it may have been committed since the first look
      if (!answer.isEmpty()) {
        if (!remembered || pending.remove(x, link)) {
          served(origin, x, answer);
        }
        return DONE;
      }
      gossip.requested(x, link);
    } else {
      origin.reply(x.value()); // the reference asks the poster back
      requestsSent.increment();
      gossip.want(x);
    }
    if (!lookup(x).isEmpty()) {
      gossip.resolve(x);
    }
    return DONE;
  }

  /** What we send for a request: the author's latest signed message, then the blob under X. */
  private List<String> lookup(Hash x) {
    List<String> out = new ArrayList<>(2);
    store.getLatest(new PublicKey(x.value())).ifPresent(e -> out.add(e.sig()));
    store.get(x).filter(AnprotoSync::sendable).ifPresent(out::add);
    return out;
  }

  private void served(Origin origin, Hash x, List<String> frames) {
    for (String f : frames) {
      origin.reply(f);
    }
    requestsServed.increment();
    notify(l -> l.requestServed(x, origin.id(), frames.size()));
  }

  // ---- signed messages ----

  /**
   * @param claim the claim this frame registered for its content, or null (another message claims
   *     the same content)
   */
  private CompletableFuture<?> handleSigned(Origin origin, SignedMessage message, Claim claim) {
    Hash h = message.msgHash();
    Hash contentHash = message.claimedOpened().contentHash();
    if (store.has(h)) {
      duplicates.increment();
      Parked parked = takeParked(contentHash, claim);
      if (parked != null) {
        return storeParked(parked, contentHash);
      }
      return ensureBlob(origin, contentHash);
    }
    if (!inFlight.add(h)) {
      duplicates.increment();
      return DONE;
    }
    VerifiedMessage verified;
    try {
      verified = message.verify(keyCache);
    } catch (InvalidMessageException e) {
      inFlight.remove(h);
      rejectInvalid(origin, e);
      return DONE; // a parked content goes the way of any blob when the claim is released
    }
    Parked content = takeContent(contentHash, claim);
    if (content != null) {
      if (inFlight.add(contentHash)) {
        return addWithContent(origin, verified, content);
      }
      // Another copy of the blob is being stored: that copy is announced, this one is not.
      content.settle(DONE);
    }
    // The content has not arrived yet. The claim stays open until the commit, so a content that
    // arrives meanwhile is parked (not cached, where it could be evicted) and stored right after.
    CompletableFuture<Boolean> add;
    try {
      add = store.addAsync(verified);
    } catch (RuntimeException e) {
      add = CompletableFuture.failedFuture(e);
    }
    return add.handleAsync(
            (isNew, err) -> {
              inFlight.remove(h);
              Parked late = takeParked(contentHash, claim);
              if (err != null) {
                if (late != null) {
                  releaseParked(late, contentHash);
                }
                return storeFailed(origin, err);
              }
              CompletableFuture<?> after;
              if (!isNew) {
                duplicates.increment();
                after = late != null ? DONE : ensureBlob(origin, contentHash);
              } else {
                after = afterNewMessage(origin, verified, late != null);
              }
              if (late != null) {
                // After the message's relay: Wiredove's order, message first.
                storeParked(late, contentHash);
              }
              return after;
            },
            continuations)
        .thenCompose(f -> f);
  }

  /** Stores a parked content (its message is stored or being stored); ends its frame after. */
  private CompletableFuture<?> storeParked(Parked parked, Hash contentHash) {
    CompletableFuture<?> stored;
    try {
      stored = storeBlob(parked.from(), contentHash, parked.data(), null);
    } catch (RuntimeException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    return parked.settle(stored);
  }

  /**
   * Commits a verified message and its content in one transaction, then runs the follow-ups of
   * each: the message is relayed before its content, as Wiredove sends them.
   */
  private CompletableFuture<?> addWithContent(
      Origin origin, VerifiedMessage verified, Parked content) {
    Hash h = verified.hash();
    Hash contentHash = verified.contentHash();
    Content parsed = Content.parse(content.data());
    CompletableFuture<AddResult> add;
    try {
      add = store.addWithContentAsync(verified, parsed);
    } catch (RuntimeException e) {
      add = CompletableFuture.failedFuture(e);
    }
    return add.handleAsync(
            (added, err) -> {
              inFlight.remove(h);
              inFlight.remove(contentHash);
              if (err != null) {
                content.settle(CompletableFuture.failedFuture(unwrap(err)));
                return storeFailed(origin, err);
              }
              try {
                CompletableFuture<?> message;
                if (added.messageAdded()) {
                  message = afterNewMessage(origin, verified, true);
                } else {
                  duplicates.increment();
                  message = DONE;
                }
                CompletableFuture<?> blob;
                if (added.contentAdded()) {
                  blob = afterNewBlob(content.from(), contentHash, content.data(), parsed);
                } else {
                  gossip.resolve(contentHash);
                  blob = DONE;
                }
                if (content.frameDone() != null) {
                  content.settle(blob);
                  return message;
                }
                return CompletableFuture.allOf(message, blob);
              } catch (RuntimeException e) {
                content.settle(CompletableFuture.failedFuture(e)); // never leave its frame pending
                throw e;
              }
            },
            continuations)
        .thenCompose(f -> f);
  }

  /**
   * @param contentStored the content is known to be stored (it was committed with the message), so
   *     it need not be looked for
   */
  private CompletableFuture<?> afterNewMessage(
      Origin origin, VerifiedMessage message, boolean contentStored) {
    messagesStored.increment();
    notify(l -> l.messageStored(message, origin.id()));
    String sig = message.signed().value();
    Set<PeerLink> sent = relay(sig, origin);
    if (!sent.isEmpty()) {
      notify(l -> l.messageRelayed(message, sent.size()));
    }
    Hash author = new Hash(message.author().value());
    gossip.resolve(message.hash());
    gossip.resolve(author);
    answerPending(message.hash(), sig, origin, sent);
    List<PeerLink> askers = pending.take(author);
    if (!askers.isEmpty()) {
      Optional<String> latest = store.getLatest(message.author()).map(LogEntry::sig);
      for (PeerLink asker : askers) {
        if (asker == origin.link()
            || latest.isEmpty()
            || (latest.get().equals(sig) && sent.contains(asker))) {
          continue;
        }
        if (send(asker, latest.get())) {
          requestsServed.increment();
          notify(l -> l.requestServed(author, asker.id(), 1));
        }
      }
    }
    return contentStored ? DONE : ensureBlob(origin, message.contentHash());
  }

  // ---- claims: a content frame right behind its signed message ----

  /**
   * Closes the claim and takes the blob parked in it, if any. The claim leaves the map, so copies
   * that arrive later go the way of any blob.
   */
  private Parked takeParked(Hash contentHash, Claim claim) {
    if (claim == null) {
      return null;
    }
    claims.remove(contentHash, claim);
    return claim.close();
  }

  /**
   * The parked content of a verified message (closing its claim), or else one cached by a
   * cli.js-order sender (closing the claim too), or null: then the claim stays open.
   */
  private Parked takeContent(Hash contentHash, Claim claim) {
    if (claim != null && claim.hasParked()) {
      return takeParked(contentHash, claim);
    }
    Optional<UnclaimedBlobs.Blob> cached = unclaimed.take(contentHash, now());
    if (cached.isEmpty()) {
      return null;
    }
    Parked copy = takeParked(contentHash, claim); // parked just now: a second copy
    if (copy != null) {
      copy.settle(DONE);
    }
    return new Parked(cached.get().data(), originOf(cached.get()), null);
  }

  /**
   * Runs when the signed frame's processing has ended. If the claim is still open (the message was
   * invalid, refused or failed), a blob parked in it is handled like any other blob now.
   */
  private void releaseClaim(Hash contentHash, Claim claim) {
    Parked parked = takeParked(contentHash, claim);
    if (parked != null) {
      releaseParked(parked, contentHash);
    }
  }

  /** Handles a parked content like any other blob, on a worker. */
  private void releaseParked(Parked parked, Hash contentHash) {
    continuations.execute(
        () -> {
          CompletableFuture<?> f;
          try {
            f = handleBlob(parked.from(), contentHash, parked.data());
          } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
          }
          parked.settle(f);
        });
  }

  // ---- blobs ----

  private CompletableFuture<?> handleBlob(Origin origin, Hash h, String data) {
    Claim claim = claims.get(h);
    if (claim != null && claim.park(data, origin)) {
      return claim.settled; // a large blob, hashed here rather than on the I/O thread
    }
    if (store.has(h)) {
      if (isWanted(h)) {
        duplicates.increment();
        gossip.resolve(h);
      }
      return DONE;
    }
    if (isWanted(h)) {
      return storeBlob(origin, h, data, null);
    }
    unclaimed.put(h, data, origin.link(), now());
    if (isWanted(h)) { // wanted meanwhile: whoever takes it from the cache stores it
      Optional<UnclaimedBlobs.Blob> mine = unclaimed.take(h, now());
      if (mine.isPresent()) {
        return storeBlob(origin, h, data, null);
      }
    }
    return DONE;
  }

  private boolean isWanted(Hash h) {
    return gossip.isWanted(h) || pending.has(h);
  }

  /**
   * Makes sure the blob {@code ref} is stored or asked for: takes it from the unclaimed cache, or
   * asks the origin first and then the gossip queue.
   */
  private CompletableFuture<?> ensureBlob(Origin origin, Hash ref) {
    if (store.has(ref)) {
      return DONE;
    }
    Optional<UnclaimedBlobs.Blob> cached = unclaimed.take(ref, now());
    if (cached.isPresent()) {
      return storeBlob(originOf(cached.get()), ref, cached.get().data(), null);
    }
    PeerLink link = origin.link();
    if (link != null && links.containsKey(link)) {
      gossip.want(ref, link);
    } else {
      gossip.want(ref);
      if (origin instanceof HttpOrigin) {
        origin.reply(ref.value());
        requestsSent.increment();
      }
    }
    // The blob may have been cached between the first take and the want: take it again.
    cached = unclaimed.take(ref, now());
    if (cached.isPresent()) {
      return storeBlob(originOf(cached.get()), ref, cached.get().data(), null);
    }
    if (store.has(ref)) {
      gossip.resolve(ref);
    }
    return DONE;
  }

  /**
   * @param parsed the blob parsed as content already, or null
   */
  private CompletableFuture<?> storeBlob(Origin origin, Hash h, String data, Content parsed) {
    if (!inFlight.add(h)) {
      return DONE;
    }
    if (store.has(h)) {
      // Another copy was committed (and left inFlight) after the caller looked: it was announced
      // and relayed then. makeAsync cannot tell a new blob from an old one, so stop here.
      inFlight.remove(h);
      duplicates.increment();
      gossip.resolve(h);
      return DONE;
    }
    Content content = parsed != null ? parsed : Content.parse(data);
    CompletableFuture<Hash> make;
    try {
      make = store.makeAsync(content);
    } catch (RuntimeException e) {
      make = CompletableFuture.failedFuture(e);
    }
    return make.handleAsync(
            (stored, err) -> {
              inFlight.remove(h);
              if (err != null) {
                return storeFailed(origin, err);
              }
              return afterNewBlob(origin, h, data, content);
            },
            continuations)
        .thenCompose(f -> f);
  }

  private CompletableFuture<?> afterNewBlob(Origin origin, Hash h, String data, Content content) {
    blobsStored.increment();
    notify(l -> l.blobStored(h, data.length(), origin.id()));
    Set<PeerLink> sent = sendable(data) ? relay(data, origin) : Set.of();
    if (!sent.isEmpty()) {
      notify(l -> l.blobRelayed(h, sent.size()));
    }
    gossip.resolve(h);
    answerPending(h, data, origin, sent);
    List<Hash> refs = ContentRefs.of(content, config.maxContentRefs());
    if (refs.isEmpty()) {
      return DONE;
    }
    CompletableFuture<?>[] follow = new CompletableFuture<?>[refs.size()];
    for (int i = 0; i < follow.length; i++) {
      follow[i] = ensureBlob(origin, refs.get(i));
    }
    return CompletableFuture.allOf(follow);
  }

  private Origin originOf(UnclaimedBlobs.Blob blob) {
    if (blob.from() == null) {
      return new HttpOrigin();
    }
    LinkOrigin open = links.get(blob.from());
    return open != null ? open : new GoneOrigin(blob.from());
  }

  // ---- sending ----

  /** Sends {@code frame} to every open link except the origin's; returns who accepted it. */
  private Set<PeerLink> relay(String frame, Origin from) {
    PeerLink skip = from.link();
    Set<PeerLink> sent = new HashSet<>();
    for (PeerLink link : links.keySet()) {
      if (link != skip && send(link, frame)) {
        sent.add(link);
        relayed.increment();
      }
    }
    return sent;
  }

  /** Answers the links waiting for {@code key}, except the origin and those that got the relay. */
  private void answerPending(Hash key, String frame, Origin from, Set<PeerLink> sent) {
    for (PeerLink asker : pending.take(key)) {
      if (asker == from.link() || !sendable(frame)) {
        continue;
      }
      if (sent.contains(asker) || send(asker, frame)) {
        requestsServed.increment();
        notify(l -> l.requestServed(key, asker.id(), 1));
      }
    }
  }

  private boolean sendRequest(PeerLink link, Hash h) {
    if (send(link, h.value())) {
      requestsSent.increment();
      return true;
    }
    return false;
  }

  /** A 44-char blob would read as a request, so it never travels as a frame. */
  private static boolean sendable(String data) {
    return data.length() != Hash.LENGTH;
  }

  // ---- failures ----

  private CompletableFuture<?> storeFailed(Origin origin, Throwable err) {
    Throwable cause = unwrap(err);
    if (cause instanceof StoreException) {
      StoreException se = (StoreException) cause;
      switch (se.reason()) {
        case BUSY:
          overloaded(origin, "store busy");
          break;
        case TOO_LARGE:
          rejected.increment();
          notify(l -> l.rejected(SyncListener.Rejection.TOO_LARGE, origin.id(), se.getMessage()));
          break;
        case CLOSED:
          log.debug("Store closed; dropping a frame from {}", origin.id());
          break;
        default:
          log.error("Storing a frame from {} failed", origin.id(), se);
          break;
      }
    } else if (!(cause instanceof RejectedExecutionException)) {
      log.error("Storing a frame from {} failed", origin.id(), cause);
    }
    return CompletableFuture.failedFuture(cause);
  }

  private void overloaded(Origin origin, String detail) {
    dropped.increment();
    origin.pause();
    notify(l -> l.rejected(SyncListener.Rejection.OVERLOADED, origin.id(), detail));
  }

  private void rejectInvalid(Origin origin, InvalidMessageException e) {
    rejected.increment();
    notify(
        l ->
            l.rejected(
                SyncListener.Rejection.INVALID_MESSAGE,
                origin.id(),
                e.reason() + ": " + e.getMessage()));
    origin.junk();
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void notify(Consumer<SyncListener> event) {
    try {
      event.accept(listener);
    } catch (RuntimeException e) {
      log.warn("Sync listener threw; ignored", e);
    }
  }

  // ---- timers ----

  private void purge() {
    long now = now();
    pending.purge(now);
    unclaimed.purge(now);
  }

  private long now() {
    return scheduler.clock().millis();
  }

  // ---- claims ----

  /**
   * Largest blob frame hashed on the I/O thread to look for a claim (16 Ki chars, tens of
   * microseconds); larger ones are hashed on a worker, which looks for the claim too.
   */
  static final int PARK_MAX_CHARS = 16 * 1024;

  /**
   * The content of a signed message that is being verified or committed, by its content hash.
   * Registered on the I/O thread when the message is classified, before the frames behind it are
   * read, so its content, which Wiredove sends right behind it, is parked here rather than in the
   * unclaimed cache: it cannot be evicted, its frame stays pending (so admission bounds parked
   * blobs as it bounds frames), and it commits in the message's transaction. The message's
   * processing closes the claim once verified and takes the blob; if it never does (the message is
   * invalid or refused), the blob is handled like any other when the message's frame ends. Guarded
   * by its monitor, which is held for a few field writes only.
   */
  private static final class Claim {
    /** Completes when a parked blob's processing ends; its frame is pending until then. */
    final CompletableFuture<Void> settled = new CompletableFuture<>();

    private String data;
    private Origin from;
    private boolean closed;

    /** Parks a blob unless the claim is closed or holds a copy already. */
    synchronized boolean park(String data, Origin from) {
      if (closed || this.data != null) {
        return false;
      }
      this.data = data;
      this.from = from;
      return true;
    }

    synchronized boolean hasParked() {
      return !closed && data != null;
    }

    /** Closes the claim; returns its parked blob once, or null. */
    synchronized Parked close() {
      if (closed) {
        return null;
      }
      closed = true;
      return data == null ? null : new Parked(data, from, settled);
    }
  }

  /**
   * A content taken for its message's transaction: from a claim, with the future its frame waits
   * on, or from the unclaimed cache ({@code frameDone} null).
   */
  private record Parked(String data, Origin from, CompletableFuture<Void> frameDone) {
    /** Ends the parked frame when {@code work} ends; returns {@code work}. */
    CompletableFuture<?> settle(CompletableFuture<?> work) {
      if (frameDone != null) {
        work.whenComplete(
            (v, err) -> {
              if (err == null) {
                frameDone.complete(null);
              } else {
                frameDone.completeExceptionally(unwrap(err));
              }
            });
      }
      return work;
    }
  }

  // ---- origins: where a frame came from and how to answer it ----

  /** The source of a frame. */
  private abstract static class Origin {
    /** A name for logs and listeners. */
    abstract String id();

    /** The link, or null if the frame did not come from a link. */
    PeerLink link() {
      return null;
    }

    /** Sends a frame back to the source. */
    abstract void reply(String frame);

    /** Stops reading from the source, if it can be paused. */
    void pause() {}

    /** Counts one junk frame from the source, closing it past the limit. */
    void junk() {}
  }

  /** An open link and its per-link state. */
  private final class LinkOrigin extends Origin {
    final PeerLink link;
    final AtomicBoolean paused = new AtomicBoolean();
    final LongAdder framesIn = new LongAdder();
    final LongAdder framesOut = new LongAdder();

    /** Set by the first frame over the junk limit, so the closure is counted once per link. */
    private final AtomicBoolean junkClosed = new AtomicBoolean();

    /** Guarded by {@code this}. */
    private long junkWindowStart;

    /** Guarded by {@code this}. */
    private int junkInWindow;

    LinkOrigin(PeerLink link) {
      this.link = link;
    }

    @Override
    String id() {
      return link.id();
    }

    @Override
    PeerLink link() {
      return link;
    }

    @Override
    void reply(String frame) {
      send(link, frame);
    }

    @Override
    void pause() {
      if (paused.compareAndSet(false, true)) {
        pausedLinks.incrementAndGet();
        link.setReading(false);
      }
    }

    void resume() {
      if (paused.compareAndSet(true, false)) {
        pausedLinks.decrementAndGet();
        link.setReading(true);
      }
    }

    @Override
    void junk() {
      int limit = config.junkLimit();
      if (limit == 0) {
        return;
      }
      boolean over;
      synchronized (this) {
        long now = now();
        if (now - junkWindowStart >= config.junkWindow().toMillis()) {
          junkWindowStart = now;
          junkInWindow = 0;
        }
        over = ++junkInWindow > limit;
      }
      if (over && link.isOpen() && junkClosed.compareAndSet(false, true)) {
        junkClosures.increment();
        link.close(
            CloseReason.POLICY_VIOLATION,
            "more than " + limit + " junk frames within " + config.junkWindow());
      }
    }
  }

  /** A frame posted over HTTP: replies are collected for the response. */
  private static final class HttpOrigin extends Origin {
    private final List<String> messages = new ArrayList<>();

    @Override
    String id() {
      return HTTP_ORIGIN;
    }

    @Override
    synchronized void reply(String frame) {
      messages.add(frame);
    }

    synchronized List<String> messages() {
      return List.copyOf(messages);
    }
  }

  /** This node's own message. */
  private static final class LocalOrigin extends Origin {
    static final LocalOrigin INSTANCE = new LocalOrigin();

    @Override
    String id() {
      return LOCAL_ORIGIN;
    }

    @Override
    void reply(String frame) {}
  }

  /** Another surface of this node (the mesh): excluded from nothing, never answered. */
  private static final class SurfaceOrigin extends Origin {
    private final String id;

    SurfaceOrigin(String id) {
      this.id = id;
    }

    @Override
    String id() {
      return id;
    }

    @Override
    void reply(String frame) {}
  }

  /** A link that closed after its blob was cached: excluded from relays, never answered. */
  private static final class GoneOrigin extends Origin {
    private final PeerLink link;

    GoneOrigin(PeerLink link) {
      this.link = link;
    }

    @Override
    String id() {
      return link.id();
    }

    @Override
    PeerLink link() {
      return link;
    }

    @Override
    void reply(String frame) {}
  }

  // ---- builder ----

  /** Builds an {@link AnprotoSync}; not thread-safe. */
  public static final class Builder {
    private final MessageStore store;
    private final Scheduler scheduler;
    private SyncConfig config = SyncConfig.DEFAULT;
    private SyncListener listener = SyncListener.NOOP;
    private KeyCache keyCache;

    private Builder(MessageStore store, Scheduler scheduler) {
      this.store = Objects.requireNonNull(store, "store");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** The settings (default {@link SyncConfig#DEFAULT}). */
    public Builder config(SyncConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** The observer (default none). */
    public Builder listener(SyncListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * The decoded keys of known authors that verification goes through (default: a cache of {@link
     * KeyCache#DEFAULT_CAPACITY} keys); the mesh verifies through the same one.
     */
    public Builder keyCache(KeyCache value) {
      this.keyCache = Objects.requireNonNull(value, "keyCache");
      return this;
    }

    /** Starts the protocol: its worker threads and timers run until {@link #close()}. */
    public AnprotoSync build() {
      return new AnprotoSync(this);
    }
  }
}
