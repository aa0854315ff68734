package dev.grapevine.conn.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.query.ConnQuery.Connectable;
import dev.grapevine.conn.staging.ConnStaging;
import dev.grapevine.conn.staging.HubLookup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Ported from ssb-conn-query test/index.js: the same mock pools and expectations. */
class ConnQueryTest {
  static final long T15 = Instant.parse("2021-05-17T06:30:15Z").toEpochMilli();
  static final long T17 = Instant.parse("2021-05-17T06:30:17Z").toEpochMilli();
  static final long T30 = Instant.parse("2021-05-17T06:30:30Z").toEpochMilli();
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(T30), ZoneOffset.UTC);

  static final String A1234 = "net:hub.com:1234~noauth";
  static final String A2345 = "net:hub.com:2345~noauth";
  static final String A3456 = "net:hub.com:3456~noauth";
  static final String A4567 = "net:hub.com:4567~noauth";
  static final String A5678 = "net:192.168.1.12:5678~noauth";
  static final String A6789 = "net:192.168.1.13:6789~noauth";
  static final String BT = "bt:65D900DDB353~noauth";

  static Map<String, Object> stats(double mean) {
    return Map.of("mean", mean);
  }

  static final Map<String, Map<String, Object>> DB = new LinkedHashMap<>();
  static final Map<String, Map<String, Object>> HUB = new LinkedHashMap<>();
  static final Map<String, Map<String, Object>> STAGING = new LinkedHashMap<>();

  static {
    DB.put(
        A1234,
        Map.of(
            "failure",
            1,
            "duration",
            stats(1.1),
            "ping",
            Map.of("rtt", stats(3.5)),
            "stateChange",
            T15));
    DB.put(A2345, Map.of("failure", 4, "stateChange", T15));
    DB.put(A3456, Map.of("duration", stats(1.1), "stateChange", T15));
    DB.put(
        A4567,
        Map.of("duration", stats(1.1), "ping", Map.of("rtt", stats(3.5)), "stateChange", T17));
    HUB.put(A1234, Map.of("state", "connected"));
    HUB.put(A2345, Map.of("state", "connecting"));
    HUB.put(A3456, Map.of("state", "disconnecting"));
    HUB.put(A4567, Map.of("state", "connected"));
    HUB.put(A5678, Map.of("state", "connecting"));
    HUB.put(BT, Map.of("state", "connecting"));
    STAGING.put(A5678, Map.of("type", "lan"));
    STAGING.put(A6789, Map.of("type", "lan"));
  }

  final ConnQuery query = new ConnQuery(() -> DB, () -> HUB, () -> STAGING);

  static List<String> addresses(List<Peer> peers) {
    return peers.stream().map(Peer::address).collect(Collectors.toList());
  }

  static Peer find(List<Peer> peers, String address) {
    return peers.stream().filter(p -> p.address().equals(address)).findFirst().orElseThrow();
  }

  @Test
  void peersAllReturnsConnectableThenInConnectionWithTheirPools() {
    List<Peer> all = query.peersAll();
    assertThat(all).hasSize(7);
    assertThat(find(all, BT).pool()).isEqualTo(Pool.HUB);
    assertThat(find(all, BT).state()).contains("connecting");
    for (String a : List.of(A1234, A2345, A3456, A4567)) {
      assertThat(find(all, a).pool()).isEqualTo(Pool.DB);
    }
    assertThat(find(all, A5678).pool()).isEqualTo(Pool.STAGING);
    assertThat(find(all, A6789).pool()).isEqualTo(Pool.STAGING);
  }

  @Test
  void peersConnectedReturnsDbDataWithTheHubStateMergedIn() {
    List<Peer> connected = query.peersConnected();
    assertThat(addresses(connected)).containsExactly(A1234, A4567);
    Peer p = connected.get(0);
    assertThat(p.pool()).isEqualTo(Pool.DB);
    assertThat(p.data()).containsEntry("failure", 1).containsEntry("stateChange", T15);
    // Deliberate difference from upstream, which drops the hub's fields.
    assertThat(p.state()).contains("connected");
  }

  @Test
  void peersConnectingReturnsHubDbAndStagingPeers() {
    List<Peer> connecting = query.peersConnecting();
    assertThat(addresses(connecting)).containsExactlyInAnyOrder(BT, A2345, A5678);
    assertThat(find(connecting, BT).pool()).isEqualTo(Pool.HUB);
    assertThat(find(connecting, A2345).pool()).isEqualTo(Pool.DB);
    assertThat(find(connecting, A5678).pool()).isEqualTo(Pool.STAGING);
    assertThat(find(connecting, A5678).data()).containsEntry("type", "lan");
  }

  @Test
  void peersInConnectionIsTheUnionOfConnectedAndConnecting() {
    assertThat(addresses(query.peersInConnection()))
        .containsExactlyInAnyOrder(A1234, A4567, BT, A2345, A5678);
  }

  @Test
  void peersConnectableFromDbCountsDisconnectingAsConnectable() {
    assertThat(addresses(query.peersConnectable(Connectable.DB))).containsExactly(A3456);
  }

  @Test
  void peersConnectableFromStaging() {
    assertThat(addresses(query.peersConnectable(Connectable.STAGING))).containsExactly(A6789);
  }

  @Test
  void peersConnectableFromDbAndStaging() {
    assertThat(addresses(query.peersConnectable(Connectable.DB_AND_STAGING)))
        .containsExactly(A3456, A6789);
  }

  @Test
  void hasNoAttemptsSelectsPeersWithoutStateChange() {
    assertThat(addresses(filter(ConnQuery::hasNoAttempts)))
        .containsExactlyInAnyOrder(BT, A5678, A6789);
  }

  @Test
  void hasOnlyFailedAttempts() {
    assertThat(addresses(filter(ConnQuery::hasOnlyFailedAttempts))).containsExactly(A2345);
  }

  @Test
  void hasSuccessfulAttempts() {
    assertThat(addresses(filter(ConnQuery::hasSuccessfulAttempts)))
        .containsExactlyInAnyOrder(A1234, A3456, A4567);
  }

  @Test
  void hasPinged() {
    assertThat(addresses(pinged())).containsExactlyInAnyOrder(A1234, A4567);
  }

  @Test
  void passesExpBackoffOnTheInjectedClock() {
    Duration max = Duration.ofSeconds(60);
    // 15 + 2^1 * 5 = 25 < 30 and 17 + 2^0 * 5 = 22 < 30.
    assertThat(
            addresses(
                filter(pinged(), ConnQuery.passesExpBackoff(Duration.ofSeconds(5), max, CLOCK))))
        .containsExactlyInAnyOrder(A1234, A4567);
    // 15 + 16 = 31 >= 30; 17 + 8 = 25.
    assertThat(
            addresses(
                filter(pinged(), ConnQuery.passesExpBackoff(Duration.ofSeconds(8), max, CLOCK))))
        .containsExactly(A4567);
    assertThat(filter(pinged(), ConnQuery.passesExpBackoff(Duration.ofSeconds(20), max, CLOCK)))
        .isEmpty();
  }

  @Test
  void passesExpBackoffIsCappedByMaxAndStrictlyBeforeTheTimestamp() {
    Peer failing = new Peer("x", Pool.DB, Map.of("failure", 40, "stateChange", 1_000L));
    // 2^40 * 1 s is capped at 10 s: next attempt at 11 000.
    assertThat(
            ConnQuery.passesExpBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 11_000L)
                .test(failing))
        .isFalse();
    assertThat(
            ConnQuery.passesExpBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 11_001L)
                .test(failing))
        .isTrue();
    // Uncapped, and a peer never tried (stateChange || 0, failure || 0).
    assertThat(ConnQuery.passesExpBackoff(Duration.ofSeconds(1), 11_001L).test(failing)).isFalse();
    Peer fresh = new Peer("y", Pool.STAGING, Map.of());
    assertThat(ConnQuery.passesExpBackoff(Duration.ofSeconds(1), 1_001L).test(fresh)).isTrue();
    assertThat(ConnQuery.passesExpBackoff(Duration.ofSeconds(1), 1_000L).test(fresh)).isFalse();
  }

  @Test
  void passesGroupDebounceReturnsTheWholeGroupOrNothing() {
    List<Peer> pinged = pinged();
    // newest 17 + 10 <= 30.
    assertThat(ConnQuery.passesGroupDebounce(pinged, Duration.ofSeconds(10), CLOCK))
        .containsExactlyElementsOf(pinged);
    // 17 + 15 > 30.
    assertThat(ConnQuery.passesGroupDebounce(pinged, Duration.ofSeconds(15), CLOCK)).isEmpty();
    // The boundary is inclusive: 17 + 13 = 30.
    assertThat(ConnQuery.passesGroupDebounce(pinged, Duration.ofSeconds(13), CLOCK)).hasSize(2);
  }

  @Test
  void sortByStateChangeOldestFirstWithMissingFirst() {
    List<Peer> sorted = ConnQuery.sortByStateChange(pinged());
    assertThat(addresses(sorted)).containsExactly(A1234, A4567);
    List<Peer> reversed = new java.util.ArrayList<>(sorted);
    java.util.Collections.reverse(reversed);
    assertThat(addresses(reversed)).containsExactly(A4567, A1234);
    Peer never = new Peer("never", Pool.STAGING, Map.of());
    assertThat(addresses(ConnQuery.sortByStateChange(List.of(sorted.get(1), never, sorted.get(0)))))
        .containsExactly("never", A1234, A4567);
  }

  // ------------------------------------------------ with the real hub-side adapters

  @Test
  void aPeerInTheHubUnderAnotherAddressWithTheSameKeyIsNotConnectable() {
    PublicKey key = key(9);
    String dbAddress = "ws://10.0.0.9:9000~shs:" + key;
    String inboundAddress = "ws://10.0.0.9:53000~shs:" + key;
    ConnQuery q =
        new ConnQuery(
            () -> Map.of(dbAddress, Map.of("key", key.value())),
            () -> Map.of(inboundAddress, Map.of("state", "connected", "key", key.value())),
            PeerSource.EMPTY);
    assertThat(q.peersConnectable(Connectable.DB)).isEmpty();
  }

  @Test
  void stagingAdapterFeedsTheQueryWithCanonicalAddresses() {
    ConnStaging staging = new ConnStaging(CLOCK, HubLookup.NONE);
    ConnAddress a = ConnAddress.parse("ws:192.168.1.20:9000~shs:" + key(7));
    staging.stage(a, Map.of("type", "lan"));
    ConnQuery q = new ConnQuery(PeerSource.EMPTY, PeerSource.EMPTY, ConnQuery.staging(staging));
    assertThat(q.peersConnectable(Connectable.STAGING))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.address()).isEqualTo("ws://192.168.1.20:9000~shs:" + key(7));
              assertThat(p.data()).containsEntry("type", "lan").containsEntry("stagingBirth", T30);
              assertThat(ConnQuery.hasNoAttempts(p)).isTrue();
            });
  }

  static PublicKey key(int fill) {
    byte[] raw = new byte[32];
    Arrays.fill(raw, (byte) fill);
    return PublicKey.of(raw);
  }

  List<Peer> filter(java.util.function.Predicate<Peer> p) {
    return filter(query.peersAll(), p);
  }

  static List<Peer> filter(List<Peer> peers, java.util.function.Predicate<Peer> p) {
    return peers.stream().filter(p).collect(Collectors.toList());
  }

  List<Peer> pinged() {
    return filter(ConnQuery::hasPinged);
  }
}
