package dev.grapevine.conn.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.conn.ConnAddress;
import dev.grapevine.conn.query.Peer;
import dev.grapevine.conn.query.Pool;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeersTest {
  private static final String KEY = "pAhDcHjunq6epPvYYo483vBjcuDkE10qrc2tYC827R0=";
  private static final String ADDRESS = "ws://10.0.0.1:8008~shs:" + KEY;

  @ParameterizedTest(name = "{0}={1} -> {2}")
  @CsvSource({
    "type, pub, pub",
    "type, room, room",
    "type, lan, lan",
    "type, bt, bt",
    "type, dht, dht",
    "type, internet, internet",
    "type, room-attendant, room-attendant",
    "type, room-endpoint, room-attendant",
    "source, local, lan",
    "source, pub, pub",
    "source, dht, dht",
    "source, friends, ?",
    "inferredType, lan, lan",
    "inferredType, internet, internet",
    "type, something-else, ?"
  })
  void detectTypeTakesTheFirstOfTypeSourceAndInferredType(String field, String value, String type) {
    assertThat(Peers.detectType(new Peer(ADDRESS, Pool.DB, Map.of(field, value)))).isEqualTo(type);
  }

  @Test
  void aRoomAttendantWithAnAliasHasItsOwnType() {
    Peer p = new Peer(ADDRESS, Pool.STAGING, Map.of("type", "room-attendant", "alias", "bob"));
    assertThat(Peers.detectType(p)).isEqualTo("room-attendant-alias");
  }

  @Test
  void typeWinsOverSourceAndSourceOverInferredType() {
    Peer p =
        new Peer(ADDRESS, Pool.DB, Map.of("type", "pub", "source", "local", "inferredType", "lan"));
    assertThat(Peers.detectType(p)).isEqualTo("pub");
    Peer q = new Peer(ADDRESS, Pool.DB, Map.of("source", "local", "inferredType", "internet"));
    assertThat(Peers.detectType(q)).isEqualTo("lan");
  }

  @Test
  void lastChangeIsStateChangeElseHubUpdatedElseZero() {
    assertThat(
            Peers.lastChange(
                new Peer(ADDRESS, Pool.DB, Map.of("stateChange", 5L, "hubUpdated", 9L))))
        .isEqualTo(5);
    assertThat(Peers.lastChange(new Peer(ADDRESS, Pool.HUB, Map.of("hubUpdated", 9L))))
        .isEqualTo(9);
    assertThat(Peers.lastChange(new Peer(ADDRESS, Pool.STAGING, Map.of()))).isZero();
  }

  @Test
  void distinctKeepsTheFirstResultPerAddressAndPerKey() {
    Peer db = new Peer(ADDRESS, Pool.DB, Map.of("key", KEY));
    Peer stagedSameAddress = new Peer(ADDRESS, Pool.STAGING, Map.of("key", KEY));
    Peer stagedSameKey =
        new Peer("ws://10.0.0.2:8008~shs:" + KEY, Pool.STAGING, Map.of("key", KEY));
    Peer other =
        new Peer("ws://10.0.0.3:8008~shs:" + KEY.replace('p', 'q'), Pool.STAGING, Map.of());
    assertThat(Peers.distinct(List.of(db, stagedSameAddress, stagedSameKey, other)))
        .containsExactly(db, other);
  }

  @Test
  void onlyLoopbackHostsCountAsReachableWithoutANetwork() {
    assertThat(Peers.isLoopback(ConnAddress.parse("ws://127.0.0.1:9~shs:" + KEY))).isTrue();
    assertThat(Peers.isLoopback(ConnAddress.parse("ws://localhost:9~shs:" + KEY))).isTrue();
    assertThat(Peers.isLoopback(ConnAddress.parse("ws://[::1]:9~shs:" + KEY))).isTrue();
    assertThat(Peers.isLoopback(ConnAddress.parse("ws://127.example.org:9~shs:" + KEY))).isFalse();
    assertThat(Peers.isLoopback(ConnAddress.parse("ws://10.0.0.1:9~shs:" + KEY))).isFalse();
  }
}
