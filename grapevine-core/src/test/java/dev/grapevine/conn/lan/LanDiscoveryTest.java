package dev.grapevine.conn.lan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Loopback only: every socket binds to and sends to 127.0.0.0/8. */
class LanDiscoveryTest {
  static final InetAddress LO1 = ip(127, 0, 0, 1);
  static final InetAddress LO2 = ip(127, 0, 0, 2);
  static final Duration WAIT = Duration.ofSeconds(10);

  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  static InetAddress ip(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static PublicKey key(int fill) {
    byte[] raw = new byte[32];
    Arrays.fill(raw, (byte) fill);
    return PublicKey.of(raw);
  }

  static ConnAddress address(String host, int port, int keyFill) {
    return ConnAddress.parse("ws://" + host + ":" + port + "~shs:" + key(keyFill));
  }

  /** Binds to {@code bind}, sends to {@code broadcast}, fast beacons, no sharing of the port. */
  static LanConfig.Builder loopback(InetAddress bind, int port, InetAddress broadcast) {
    return LanConfig.builder()
        .bindAddress(bind)
        .port(port)
        .broadcastAddress(broadcast)
        .interval(Duration.ofMillis(50))
        .reuseAddress(false);
  }

  LanDiscovery start(ConnAddress self, LanConfig config, BlockingQueue<LanBeacon> seen)
      throws IOException {
    LanDiscovery d = LanDiscovery.start(self, config, seen::add);
    open.add(d);
    return d;
  }

  DatagramSocket rawSocket() throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(LO1, 0));
    open.add(s);
    return s;
  }

  static void send(DatagramSocket from, byte[] data, InetSocketAddress to) throws IOException {
    from.send(new DatagramPacket(data, data.length, to));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static boolean canBind(InetAddress ip) {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(ip, 0))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void twoNodesOnLoopbackSeeEachOther() throws Exception {
    assumeTrue(canBind(LO2), "127.0.0.2 is not bindable on this system");
    BlockingQueue<LanBeacon> seenByA = new LinkedBlockingQueue<>();
    BlockingQueue<LanBeacon> seenByB = new LinkedBlockingQueue<>();
    ConnAddress addrA = address("127.0.0.1", 9001, 1);
    ConnAddress addrB = address("127.0.0.2", 9002, 2);
    // A binds an ephemeral port p and announces to 127.0.0.2:p, where B listens; B announces to
    // 127.0.0.1:p, where A listens.
    LanDiscovery a = start(addrA, loopback(LO1, 0, LO2).build(), seenByA);
    int port = a.localAddress().getPort();
    LanDiscovery b = start(addrB, loopback(LO2, port, LO1).build(), seenByB);
    assertThat(a.target()).isEqualTo(new InetSocketAddress(LO2, port));

    LanBeacon fromB = seenByA.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    LanBeacon fromA = seenByB.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(fromB).isNotNull();
    assertThat(fromA).isNotNull();
    assertThat(fromB.address()).isEqualTo(addrB);
    assertThat(fromB.source()).isEqualTo(b.localAddress());
    assertThat(fromB.verified()).isTrue();
    assertThat(fromB.stagingData())
        .containsEntry("type", "lan")
        .containsEntry("key", key(2).value())
        .containsEntry("verified", true);
    assertThat(fromA.address()).isEqualTo(addrA);
    // Beacons keep coming, once per interval.
    assertThat(seenByA.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
    assertThat(a.stats().sent()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void ownBeaconIsIgnored() throws Exception {
    BlockingQueue<LanBeacon> seen = new LinkedBlockingQueue<>();
    // Announces to its own port on 127.0.0.1: it hears only itself.
    LanDiscovery d = start(address("127.0.0.1", 9001, 1), loopback(LO1, 0, LO1).build(), seen);
    await().atMost(WAIT).until(() -> d.stats().own() >= 2);
    assertThat(seen).isEmpty();
    assertThat(d.stats().reported()).isZero();
    assertThat(d.stats().invalid()).isZero();
  }

  @Test
  void garbageAndOversizeDatagramsAreIgnoredAndCounted() throws Exception {
    BlockingQueue<LanBeacon> seen = new LinkedBlockingQueue<>();
    // Announces to 127.0.0.2, where nobody listens, so it hears only the test's datagrams.
    LanConfig config = loopback(LO1, 0, LO2).maxDatagramBytes(256).build();
    LanDiscovery d = start(address("127.0.0.1", 9001, 1), config, seen);
    DatagramSocket raw = rawSocket();
    InetSocketAddress to = d.localAddress();
    ConnAddress other = address("127.0.0.1", 9005, 5);

    send(raw, utf8("hello"), to);
    send(raw, new byte[] {(byte) 0xff, 0, 1}, to);
    send(raw, utf8("{\"v\":1}"), to);
    send(raw, utf8("{\"v\":0,\"address\":\"" + other + "\"}"), to);
    send(raw, utf8("{\"v\":1,\"address\":\"ws://127.0.0.1:9005\"}"), to);
    send(raw, utf8("[\"" + other + "\"]"), to);
    byte[] big = new byte[300];
    Arrays.fill(big, (byte) ' ');
    byte[] beacon = BeaconCodec.encode(other);
    System.arraycopy(beacon, 0, big, 0, beacon.length);
    send(raw, big, to);
    send(raw, BeaconCodec.encode(other), to); // sent last; datagrams on loopback keep their order

    LanBeacon b = seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(b).isNotNull();
    assertThat(b.address()).isEqualTo(other);
    assertThat(b.source()).isEqualTo(raw.getLocalSocketAddress());
    assertThat(b.verified()).isTrue();
    LanDiscovery.Stats s = d.stats();
    assertThat(s.invalid()).isEqualTo(6);
    assertThat(s.oversize()).isEqualTo(1);
    assertThat(s.reported()).isEqualTo(1);
    assertThat(seen).isEmpty();
  }

  @Test
  void aFutureVersionWithMoreFieldsIsAccepted() throws Exception {
    BlockingQueue<LanBeacon> seen = new LinkedBlockingQueue<>();
    LanDiscovery d = start(address("127.0.0.1", 9001, 1), loopback(LO1, 0, LO2).build(), seen);
    ConnAddress other = address("192.168.1.7", 9007, 7);
    send(
        rawSocket(),
        utf8("{\"v\":2,\"address\":\"" + other + "\",\"name\":\"x\"}"),
        d.localAddress());
    LanBeacon b = seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(b).isNotNull();
    assertThat(b.address()).isEqualTo(other);
    assertThat(b.verified()).isFalse(); // announced 192.168.1.7, came from 127.0.0.1
  }

  @Test
  void eachSourceIsRateLimited() throws Exception {
    BlockingQueue<LanBeacon> seen = new LinkedBlockingQueue<>();
    LanConfig config =
        loopback(LO1, 0, LO2).sourceLimit(2).sourceWindow(Duration.ofHours(1)).build();
    LanDiscovery d = start(address("127.0.0.1", 9001, 1), config, seen);
    DatagramSocket raw = rawSocket();
    for (int i = 0; i < 5; i++) {
      send(raw, BeaconCodec.encode(address("127.0.0.1", 9005, 5)), d.localAddress());
    }
    await().atMost(WAIT).until(() -> d.stats().rateLimited() == 3);
    assertThat(d.stats().reported()).isEqualTo(2);
    assertThat(seen).hasSize(2);
  }

  @Test
  void closeStopsTheThreadAndIsIdempotent() throws Exception {
    LanDiscovery d =
        LanDiscovery.start(
            address("127.0.0.1", 9001, 1), loopback(LO1, 0, LO1).build(), beacon -> {});
    String name = d.threadName();
    assertThat(name).startsWith("grapevine-lan-");
    assertThat(threadAlive(name)).isTrue();
    d.close();
    assertThat(threadAlive(name)).isFalse();
    d.close();
    // The port is free again.
    try (DatagramSocket s = new DatagramSocket(d.localAddress())) {
      assertThat(s.getLocalPort()).isEqualTo(d.localAddress().getPort());
    }
  }

  @Test
  void closeFromTheListenerDoesNotDeadlock() throws Exception {
    LanDiscovery[] holder = new LanDiscovery[1];
    BlockingQueue<LanBeacon> seen = new LinkedBlockingQueue<>();
    LanDiscovery d =
        LanDiscovery.start(
            address("127.0.0.1", 9001, 1),
            loopback(LO1, 0, LO2).build(),
            b -> {
              holder[0].close();
              seen.add(b);
            });
    holder[0] = d;
    String name = d.threadName();
    send(rawSocket(), BeaconCodec.encode(address("127.0.0.1", 9005, 5)), d.localAddress());
    assertThat(seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
    await().atMost(WAIT).until(() -> !threadAlive(name));
    d.close();
  }

  static boolean threadAlive(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }
}
