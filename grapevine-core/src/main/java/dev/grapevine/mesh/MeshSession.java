package dev.grapevine.mesh;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.clock.Scheduler;
import dev.grapevine.internal.TokenBucket;
import dev.grapevine.mesh.MeshPayload.HandshakeAck;
import dev.grapevine.mesh.MeshProtocolException.Reason;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.LinkHandler;
import dev.grapevine.transport.PeerLink;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mesh link and its handshake state machine. Before the handshake is done only handshake frames
 * are read (anything else is answered with {@code handshake_required}); afterwards every frame
 * whose {@code from} is the proven nodeId goes to the mesh.
 *
 * <pre>
 * dialer                                   listener
 *   HANDSHAKE {identity, nonce D}  ───────▶  checks identity, network, self, room
 *   ◀─────── HANDSHAKE_ACK {accepted, identity, nonce L, sig(D)}
 *   checks key, sig
 *   HANDSHAKE_ACK {accepted, sig(L)} ─────▶  checks sig; the connection manager admits
 *   ◀─────── PEER_LIST                       (connected)
 *   (connected) PEER_LIST ───────────────▶
 * </pre>
 *
 * <p>It is also the {@link PeerLink} the connection manager sees: closing it before the handshake
 * is done sends {@code HANDSHAKE_ACK {accepted: false, reason}} first, so a refusal by the hub or
 * the firewall reaches the dialer as a reason.
 *
 * <p><b>Threads.</b> Frames arrive on the link's I/O thread; timers and the hub's answers on
 * others. State changes are made under the session's monitor; calls into the mesh are made after it
 * is released.
 */
final class MeshSession implements PeerLink {
  private static final Logger log = LoggerFactory.getLogger(MeshSession.class);

  enum State {
    AWAIT_HANDSHAKE,
    SENT_HANDSHAKE,
    AWAIT_CONFIRM,
    ADMITTING,
    AWAIT_WELCOME,
    OPEN,
    CLOSED
  }

  /** Announced hashes looked up per second and peer; more are ignored (they are not lost). */
  static final int HAVE_IDS_PER_SECOND = 20_000;

  final Mesh mesh;
  final PeerLink link;

  /** Outbound: the key the connection manager expects, or null when dialling to learn it. */
  private final PublicKey expected;

  /** Outbound through the hub: its handler, told {@code onOpen} when the handshake is done. */
  private final LinkHandler hubHandler;

  /** Outbound: completes with this session when it is open, fails with the refusal. */
  final CompletableFuture<PeerLink> dialed;

  /** Outbound to learn a key: completes with the key and the link is closed. */
  final CompletableFuture<PublicKey> identified;

  private final java.util.concurrent.atomic.LongAdder framesIn =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder framesOut =
      new java.util.concurrent.atomic.LongAdder();
  private final TokenBucket frames;
  private final TokenBucket haveIds;

  /** Requests from this peer being answered on the pool (WANT, GRAFT, SYNC_REQUEST). */
  final java.util.concurrent.atomic.AtomicInteger serving =
      new java.util.concurrent.atomic.AtomicInteger();

  private long lastRateError;

  private State state;
  private String nonce;
  private boolean admitted;
  private boolean hubOpened;
  private boolean pingTimedOut;
  private Scheduler.Cancellable handshakeTimer;

  private volatile String nodeId = "";
  private volatile PublicKey key;
  private volatile String orgId = "";
  private volatile URI address;
  private volatile long chainHeight;
  private volatile long lastSeen;
  private volatile long connectedAt;
  private volatile double rttMillis = -1;
  private volatile MeshPayload.Summary summary;
  private long pingSeq;

  /** PINGs sent and not answered yet: seq to send time (nanos), the last few only. */
  private final java.util.LinkedHashMap<Long, Long> pingsSent = new java.util.LinkedHashMap<>();

  /** Callers of {@link #pingNow} waiting for the PONG of their seq. */
  private final java.util.Map<Long, CompletableFuture<java.time.Duration>> pingWaiters =
      new java.util.HashMap<>();

  private MeshSession(
      Mesh mesh,
      PeerLink link,
      State initial,
      PublicKey expected,
      LinkHandler hubHandler,
      CompletableFuture<PeerLink> dialed,
      CompletableFuture<PublicKey> identified) {
    this.mesh = mesh;
    this.link = link;
    this.state = initial;
    this.expected = expected;
    this.hubHandler = hubHandler;
    this.dialed = dialed;
    this.identified = identified;
    long now = mesh.nanos();
    int rate = mesh.config().framesPerSecond();
    this.frames = new TokenBucket(rate, 2.0 * rate, now);
    this.haveIds = new TokenBucket(HAVE_IDS_PER_SECOND, HAVE_IDS_PER_SECOND, now);
    this.lastSeen = mesh.millis();
  }

  static MeshSession inbound(Mesh mesh, PeerLink link) {
    return new MeshSession(mesh, link, State.AWAIT_HANDSHAKE, null, null, null, null);
  }

  static MeshSession outbound(
      Mesh mesh,
      PeerLink link,
      PublicKey expected,
      LinkHandler hubHandler,
      CompletableFuture<PeerLink> dialed,
      CompletableFuture<PublicKey> identified) {
    return new MeshSession(
        mesh, link, State.SENT_HANDSHAKE, expected, hubHandler, dialed, identified);
  }

  // ---------------------------------------------------------------- lifecycle

  /** The link opened: the dialer introduces itself; both start the handshake timer. */
  void start() {
    synchronized (this) {
      handshakeTimer =
          mesh.scheduler().schedule(this::handshakeTimedOut, mesh.config().handshakeTimeout());
      if (state == State.SENT_HANDSHAKE) {
        nonce = Handshakes.newNonce();
      }
    }
    if (link.direction() == Direction.OUTBOUND) {
      URI self = mesh.advertisedUrl();
      send(
          new MeshPayload.Handshake(
              mesh.nodeId(),
              mesh.publicKeyHex(),
              mesh.config().orgId(),
              mesh.chainHeight(),
              self == null ? 0 : self.getPort(),
              self == null ? null : self.toString(),
              nonce,
              mesh.summary()));
    }
  }

  private void handshakeTimedOut() {
    if (refuse(
        Handshakes.TIMEOUT, "no handshake within " + mesh.config().handshakeTimeout(), true)) {
      mesh.counters().handshakeTimeouts.increment();
    }
  }

  /** The link closed. */
  void closed(CloseReason reason, String detail) {
    Scheduler.Cancellable timer;
    boolean wasAdmitted;
    boolean hubKnew;
    java.util.List<CompletableFuture<java.time.Duration>> waiting;
    synchronized (this) {
      state = State.CLOSED;
      timer = handshakeTimer;
      wasAdmitted = admitted;
      hubKnew = hubOpened;
      waiting = new java.util.ArrayList<>(pingWaiters.values());
      pingWaiters.clear();
    }
    if (timer != null) {
      timer.cancel();
    }
    waiting.forEach(w -> w.completeExceptionally(new IllegalStateException("The link closed")));
    if (dialed != null && !dialed.isDone()) {
      dialed.completeExceptionally(
          new MeshRefusedException(
              Handshakes.CLOSED, "The link closed during the handshake: " + reason + " " + detail));
    }
    if (identified != null && !identified.isDone()) {
      identified.completeExceptionally(
          new MeshRefusedException(
              Handshakes.CLOSED, "The link closed during the handshake: " + reason + " " + detail));
    }
    // Whatever the state was (a refusal may have raced the handshake's end), the mesh forgets
    // the session if it had registered it, and reports the peer gone if it had reported it come.
    if (!nodeId.isEmpty()) {
      mesh.sessionClosed(this, reason, detail);
    }
    if (hubKnew) {
      hubHandler.onClose(this, reason, detail);
    }
    if (wasAdmitted && link.direction() == Direction.INBOUND) {
      mesh.inboundClosed(this, reason, detail);
    }
  }

  // ---------------------------------------------------------------- frames

  /** One frame from the peer, on the link's I/O thread. */
  void receive(String text) {
    long now = mesh.millis();
    lastSeen = now;
    framesIn.increment();
    mesh.counters().framesIn.increment();
    if (frames.tryTake(mesh.nanos()) != 0) {
      mesh.counters().rateLimited.increment();
      if (now - lastRateError >= 1000) {
        lastRateError = now;
        sendError(
            Reason.RATE_LIMITED,
            "More than " + mesh.config().framesPerSecond() + " frames/s",
            null);
      }
      return;
    }
    MeshEnvelope envelope;
    try {
      envelope = MeshCodec.decode(text);
    } catch (MeshProtocolException e) {
      mesh.counters().invalidFrames.increment();
      sendError(e.reason(), e.getMessage(), null);
      return;
    }
    State s;
    synchronized (this) {
      s = state;
    }
    try {
      switch (s) {
        case AWAIT_HANDSHAKE:
          if (envelope.type().equals(MeshTypes.HANDSHAKE)) {
            onHandshake(envelope);
            return;
          }
          break;
        case SENT_HANDSHAKE:
          if (envelope.type().equals(MeshTypes.HANDSHAKE_ACK)) {
            onAck(envelope);
            return;
          }
          break;
        case AWAIT_CONFIRM:
          if (envelope.type().equals(MeshTypes.HANDSHAKE_ACK)) {
            onConfirm(envelope);
            return;
          }
          break;
        case ADMITTING:
          break;
        case AWAIT_WELCOME:
          if (envelope.type().equals(MeshTypes.PEER_LIST)) {
            if (opened()) {
              mesh.handle(this, envelope);
            }
            return;
          }
          if (envelope.type().equals(MeshTypes.HANDSHAKE_ACK)) {
            onLateRefusal(envelope);
            return;
          }
          break;
        case OPEN:
          if (!envelope.from().equals(nodeId)) {
            sendError(
                Reason.WRONG_SENDER,
                "Expected frames from " + nodeId + " but this one says " + envelope.from(),
                envelope.type());
            return;
          }
          mesh.handle(this, envelope);
          return;
        case CLOSED:
        default:
          return;
      }
    } catch (MeshProtocolException e) {
      mesh.counters().invalidFrames.increment();
      sendError(e.reason(), e.getMessage(), envelope.type());
      return;
    }
    mesh.counters().invalidFrames.increment();
    sendError(
        Reason.HANDSHAKE_REQUIRED,
        "Expected the handshake before " + envelope.type(),
        envelope.type());
  }

  // ---------------------------------------------------------------- listener side

  private void onHandshake(MeshEnvelope envelope) throws MeshProtocolException {
    MeshPayload.Handshake h = MeshCodec.payload(envelope, MeshPayload.Handshake.class);
    Optional<PublicKey> claimed = Handshakes.identity(h.nodeId(), h.publicKey());
    if (claimed.isEmpty() || !Handshakes.isNonce(h.nonce())) {
      refuse(
          Handshakes.BAD_IDENTITY,
          "Expected a nodeId of the first 16 hex characters of a 64-hex-character public key and"
              + " a 64-hex-character nonce");
      return;
    }
    if (!mesh.config().orgId().equals(h.orgId())) {
      refuse(
          Handshakes.NETWORK,
          "Expected network " + mesh.config().orgId() + " but was " + h.orgId());
      return;
    }
    PublicKey k = claimed.get();
    if (k.equals(mesh.publicKey())) {
      refuse(Handshakes.SELF, "That is this node's own key");
      return;
    }
    if (mesh.isConnected(k)) {
      refuse(Handshakes.DUPLICATE, "Already connected to " + h.nodeId());
      return;
    }
    if (mesh.isFull()) {
      refuse(Handshakes.FULL, "This node has its " + mesh.config().maxPeers() + " peers");
      return;
    }
    String ours;
    synchronized (this) {
      if (state != State.AWAIT_HANDSHAKE) {
        return;
      }
      identify(h.nodeId(), k, h.orgId(), h.chainHeight(), h.summary());
      address = Addresses.advertised(h.listenAddress(), h.listenPort(), link.remote());
      nonce = Handshakes.newNonce();
      ours = nonce;
      state = State.AWAIT_CONFIRM;
    }
    URI self = mesh.advertisedUrl();
    send(
        new HandshakeAck(
            mesh.nodeId(),
            mesh.publicKeyHex(),
            mesh.config().orgId(),
            mesh.chainHeight(),
            true,
            null,
            ours,
            Handshakes.sign(mesh.keys(), "ack", h.nonce(), h.nodeId(), mesh.config().orgId()),
            self == null ? null : self.toString(),
            mesh.summary()));
  }

  private void onConfirm(MeshEnvelope envelope) throws MeshProtocolException {
    HandshakeAck a = MeshCodec.payload(envelope, HandshakeAck.class);
    if (!a.accepted()) {
      link.close(CloseReason.NORMAL, "the dialer gave up: " + a.reason());
      return;
    }
    String ours;
    synchronized (this) {
      ours = nonce;
    }
    if (!Handshakes.verify(
        key, a.signature(), "confirm", ours, mesh.nodeId(), mesh.config().orgId())) {
      mesh.counters().badSignatures.increment();
      refuse(Handshakes.BAD_SIGNATURE, "The signature does not prove the key " + nodeId);
      return;
    }
    synchronized (this) {
      if (state != State.AWAIT_CONFIRM) {
        return;
      }
      state = State.ADMITTING;
      admitted = true;
    }
    mesh.admit(this)
        .whenComplete(
            (ok, err) -> {
              if (err != null) {
                log.warn("admission of mesh peer {} failed", nodeId, err);
                refuse(Handshakes.CLOSED, "admission failed: " + err);
              } else if (ok) {
                opened();
              }
            });
  }

  // ---------------------------------------------------------------- dialer side

  private void onAck(MeshEnvelope envelope) throws MeshProtocolException {
    HandshakeAck a = MeshCodec.payload(envelope, HandshakeAck.class);
    if (!a.accepted()) {
      refused(a.reason(), "The peer refused the handshake: " + a.reason());
      return;
    }
    Optional<PublicKey> claimed = Handshakes.identity(a.nodeId(), a.publicKey());
    if (claimed.isEmpty() || !Handshakes.isNonce(a.nonce())) {
      refuse(Handshakes.BAD_IDENTITY, "The answer does not carry a valid identity and nonce");
      return;
    }
    PublicKey k = claimed.get();
    if (expected != null && !expected.equals(k)) {
      refuse(Handshakes.UNEXPECTED_KEY, "Expected the key " + expected + " but the peer is " + k);
      return;
    }
    if (!mesh.config().orgId().equals(a.orgId())) {
      refuse(
          Handshakes.NETWORK,
          "Expected network " + mesh.config().orgId() + " but was " + a.orgId());
      return;
    }
    if (k.equals(mesh.publicKey())) {
      refuse(Handshakes.SELF, "This address is this node itself");
      return;
    }
    String ours;
    synchronized (this) {
      ours = nonce;
    }
    if (!Handshakes.verify(k, a.signature(), "ack", ours, mesh.nodeId(), mesh.config().orgId())) {
      mesh.counters().badSignatures.increment();
      refuse(Handshakes.BAD_SIGNATURE, "The signature does not prove the key " + a.nodeId());
      return;
    }
    if (identified != null) {
      identified.complete(k);
      close(CloseReason.NORMAL, "identified");
      return;
    }
    if (mesh.isConnected(k)) {
      refuse(Handshakes.DUPLICATE, "Already connected to " + a.nodeId());
      return;
    }
    synchronized (this) {
      if (state != State.SENT_HANDSHAKE) {
        return;
      }
      identify(a.nodeId(), k, a.orgId(), a.chainHeight(), a.summary());
      address = link.remote() == null ? null : Addresses.base(link.remote());
      state = State.AWAIT_WELCOME;
    }
    send(
        new HandshakeAck(
            mesh.nodeId(),
            mesh.publicKeyHex(),
            mesh.config().orgId(),
            mesh.chainHeight(),
            true,
            null,
            null,
            Handshakes.sign(mesh.keys(), "confirm", a.nonce(), a.nodeId(), mesh.config().orgId()),
            null,
            null));
  }

  private void onLateRefusal(MeshEnvelope envelope) throws MeshProtocolException {
    HandshakeAck a = MeshCodec.payload(envelope, HandshakeAck.class);
    if (!a.accepted()) {
      refused(a.reason(), "The peer refused the handshake: " + a.reason());
    }
  }

  /** The peer refused us: fail the dial with its reason and close without answering. */
  private void refused(String reason, String message) {
    String code = reason == null ? "refused" : reason;
    synchronized (this) {
      state = State.CLOSED;
    }
    mesh.counters().refusalsReceived.increment();
    MeshRefusedException e = new MeshRefusedException(code, message);
    if (dialed != null) {
      dialed.completeExceptionally(e);
    }
    if (identified != null) {
      identified.completeExceptionally(e);
    }
    link.close(CloseReason.NORMAL, "refused by the peer: " + code);
  }

  // ---------------------------------------------------------------- both sides

  private void identify(
      String id, PublicKey k, String org, long height, MeshPayload.Summary storeSummary) {
    nodeId = id;
    key = k;
    orgId = org;
    chainHeight = Math.max(0, height);
    summary = storeSummary;
  }

  /** The handshake is done; false if the session closed meanwhile. */
  private boolean opened() {
    Scheduler.Cancellable timer;
    synchronized (this) {
      if (state == State.CLOSED || state == State.OPEN) {
        return false;
      }
      state = State.OPEN;
      connectedAt = mesh.millis();
      timer = handshakeTimer;
    }
    if (timer != null) {
      timer.cancel();
    }
    if (link.direction() == Direction.INBOUND) {
      // PEER_LIST tells the dialer the handshake is done, so it goes before anything else.
      mesh.sendPeerList(this);
    }
    if (!mesh.sessionOpened(this)) {
      return false;
    }
    if (hubHandler != null) {
      synchronized (this) {
        if (state != State.OPEN) {
          return false;
        }
        hubOpened = true;
      }
      hubHandler.onOpen(this);
    }
    if (dialed != null) {
      dialed.complete(this);
    }
    return true;
  }

  /**
   * Refuses the peer: {@code HANDSHAKE_ACK {accepted: false, reason}} and a close, 1008 for a
   * policy refusal and 1000 for a duplicate. Fails the dial if this side dialled.
   */
  void refuse(String reason, String message) {
    refuse(reason, message, false);
  }

  /**
   * Refuses the peer; with {@code onlyBeforeOpen} nothing happens once the handshake is done.
   * Returns whether this call refused it.
   */
  private boolean refuse(String reason, String message, boolean onlyBeforeOpen) {
    boolean open;
    synchronized (this) {
      if (state == State.CLOSED || (onlyBeforeOpen && state == State.OPEN)) {
        return false;
      }
      open = state == State.OPEN;
      state = State.CLOSED;
    }
    mesh.counters().refusalsSent.increment();
    if (!open) {
      link.send(
          MeshCodec.encode(
              mesh.nodeId(),
              mesh.millis(),
              HandshakeAck.refusal(
                  mesh.nodeId(), mesh.publicKeyHex(), mesh.config().orgId(), reason)));
    }
    MeshRefusedException e = new MeshRefusedException(reason, message);
    if (dialed != null) {
      dialed.completeExceptionally(e);
    }
    if (identified != null) {
      identified.completeExceptionally(e);
    }
    boolean polite =
        reason.equals(Handshakes.DUPLICATE)
            || reason.equals(Handshakes.CLOSED)
            || reason.equals(Handshakes.FULL);
    link.close(
        polite ? CloseReason.NORMAL : CloseReason.POLICY_VIOLATION,
        "mesh handshake refused (" + reason + "): " + message);
    return true;
  }

  /** Sends one of the protocol's frames; false if the link did not take it. */
  boolean send(MeshPayload payload) {
    mesh.counters().framesOut.increment();
    return send(MeshCodec.encode(mesh.nodeId(), mesh.millis(), payload));
  }

  /** Frames received and sent on this link. */
  dev.grapevine.sync.LinkTraffic traffic() {
    return new dev.grapevine.sync.LinkTraffic(framesIn.sum(), framesOut.sum());
  }

  void sendError(Reason reason, String message, String refusedType) {
    send(new MeshPayload.Error(reason.code(), message, refusedType));
  }

  // ---------------------------------------------------------------- pings

  /** Sends the next PING, or closes the link if the peer has been silent too long. */
  void ping(long now) {
    if (!isOpenSession()) {
      return;
    }
    if (now - lastSeen > mesh.config().pingTimeout().toMillis()) {
      synchronized (this) {
        if (pingTimedOut) {
          return; // the close is under way
        }
        pingTimedOut = true;
      }
      mesh.counters().pingTimeouts.increment();
      link.close(
          CloseReason.IDLE_TIMEOUT,
          "no frame from the peer for " + mesh.config().pingTimeout() + " (missed pings)");
      return;
    }
    sendPing();
  }

  private long sendPing() {
    long seq;
    CompletableFuture<java.time.Duration> dropped = null;
    synchronized (this) {
      seq = ++pingSeq;
      pingsSent.put(seq, mesh.nanos());
      if (pingsSent.size() > 8) {
        Long oldest = pingsSent.keySet().iterator().next();
        pingsSent.remove(oldest);
        dropped = pingWaiters.remove(oldest);
      }
    }
    if (dropped != null) {
      dropped.completeExceptionally(new java.util.concurrent.TimeoutException("No PONG"));
    }
    send(new MeshPayload.Ping(mesh.chainHeight(), seq, mesh.summary()));
    return seq;
  }

  /**
   * Sends a PING now; the future completes with the round trip when its PONG arrives, or fails
   * after the ping timeout or when the link closes.
   */
  CompletableFuture<java.time.Duration> pingNow() {
    CompletableFuture<java.time.Duration> rtt = new CompletableFuture<>();
    if (!isOpenSession()) {
      rtt.completeExceptionally(new IllegalStateException("The link is not open"));
      return rtt;
    }
    long seq;
    synchronized (this) {
      seq = pingSeq + 1;
      pingWaiters.put(seq, rtt);
    }
    sendPing();
    Scheduler.Cancellable timer =
        mesh.scheduler()
            .schedule(
                () ->
                    rtt.completeExceptionally(
                        new java.util.concurrent.TimeoutException(
                            "No PONG within " + mesh.config().pingTimeout())),
                mesh.config().pingTimeout());
    rtt.whenComplete(
        (d, err) -> {
          timer.cancel();
          synchronized (this) {
            pingWaiters.remove(seq);
          }
        });
    return rtt;
  }

  /** A PONG arrived: the round-trip time if it answers one of our PINGs, or -1. */
  double ponged(MeshPayload.Pong pong) {
    chainHeight = Math.max(0, pong.chainHeight());
    summary = pong.summary();
    CompletableFuture<java.time.Duration> waiter;
    double rtt;
    synchronized (this) {
      Long sent = pong.seq() == null ? null : pingsSent.remove(pong.seq());
      if (sent == null) {
        return -1;
      }
      rtt = (mesh.nanos() - sent) / 1e6;
      rttMillis = rtt;
      waiter = pingWaiters.remove(pong.seq());
    }
    if (waiter != null) {
      waiter.complete(java.time.Duration.ofNanos((long) (rtt * 1e6)));
    }
    return rtt;
  }

  void pinged(MeshPayload.Ping ping) {
    chainHeight = Math.max(0, ping.chainHeight());
    summary = ping.summary();
  }

  /** Takes one announced hash from this peer's allowance; called on the link's I/O thread. */
  boolean takeHaveId() {
    return haveIds.tryTake(mesh.nanos()) == 0;
  }

  // ---------------------------------------------------------------- reads

  synchronized State state() {
    return state;
  }

  boolean isOpenSession() {
    return state() == State.OPEN;
  }

  String nodeId() {
    return nodeId;
  }

  PublicKey key() {
    return key;
  }

  URI address() {
    return address;
  }

  MeshPayload.Summary summary() {
    return summary;
  }

  long chainHeight() {
    return chainHeight;
  }

  /** A snapshot for listeners and the API; only meaningful once identified. */
  MeshPeer snapshot() {
    return new MeshPeer(
        nodeId,
        key,
        Optional.ofNullable(address),
        orgId,
        link.direction(),
        chainHeight,
        lastSeen,
        connectedAt,
        rttMillis,
        link.id());
  }

  // ---------------------------------------------------------------- PeerLink for the hub

  @Override
  public String id() {
    return link.id();
  }

  @Override
  public Direction direction() {
    return link.direction();
  }

  @Override
  public URI remote() {
    return link.remote();
  }

  @Override
  public boolean send(String frame) {
    framesOut.increment();
    return link.send(frame);
  }

  /**
   * Closes the link. Before the handshake is done this is a refusal (the hub's duplicate rule, the
   * firewall): the peer gets {@code accepted: false} with the reason first.
   */
  @Override
  public void close(CloseReason reason, String detail) {
    State s = state();
    if (s != State.OPEN && s != State.CLOSED && !"identified".equals(detail)) {
      refuse(Addresses.refusalCode(reason, detail), detail);
      return;
    }
    link.close(reason, detail);
  }

  @Override
  public boolean isOpen() {
    return link.isOpen();
  }

  @Override
  public boolean isWritable() {
    return link.isWritable();
  }

  @Override
  public void setReading(boolean reading) {
    link.setReading(reading);
  }

  @Override
  public String toString() {
    return "mesh " + link.id() + (nodeId.isEmpty() ? "" : " " + nodeId);
  }
}
