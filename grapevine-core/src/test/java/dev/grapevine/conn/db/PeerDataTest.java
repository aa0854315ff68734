package dev.grapevine.conn.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerDataTest {
  @Test
  void typedAccessorsReadTheAutomaticFields() {
    PeerData d =
        PeerData.parse(
            "{\"birth\": 5, \"stateChange\": 6, \"failure\": 2, \"key\": \"k\", \"type\": \"pub\","
                + " \"autoconnect\": false, \"duration\": {\"mean\": 1.5, \"stdev\": 0.5,"
                + " \"count\": 2, \"sum\": 3, \"sqsum\": 5}, \"ping\": {\"rtt\": {\"mean\": null,"
                + " \"count\": 1}}}");
    assertThat(d.birth()).hasValue(5);
    assertThat(d.stateChange()).hasValue(6);
    assertThat(d.failure()).isEqualTo(2);
    assertThat(d.key()).hasValue("k");
    assertThat(d.type()).hasValue("pub");
    assertThat(d.autoconnect()).isFalse();
    assertThat(d.duration()).hasValue(new Statistics(1.5, 0.5, 2, 3, 5));
    assertThat(d.pingRtt()).hasValue(new Statistics(0, 0, 1, 0, 0)); // NaN persisted as null

    PeerData none = PeerData.empty();
    assertThat(none.birth()).isEmpty();
    assertThat(none.failure()).isZero();
    assertThat(none.autoconnect()).isTrue();
    assertThat(none.duration()).isEmpty();
    assertThat(none.pingRtt()).isEmpty();
  }

  @Test
  void isImmutable() {
    ObjectNode source = PeerData.MAPPER.createObjectNode().put("a", 1);
    PeerData d = PeerData.of(source);
    source.put("a", 2);
    d.json().put("a", 3);
    assertThat(d.get("a").orElseThrow().asInt()).isEqualTo(1);
    PeerData e = d.with("b", List.of(1, 2)).without("a");
    assertThat(d.fieldNames()).containsExactly("a");
    assertThat(e.fieldNames()).containsExactly("b");
  }

  @Test
  void withMergeAndWithoutKeepOrder() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("z", 1);
    m.put("a", null);
    PeerData d = PeerData.of(m);
    assertThat(d.toString()).isEqualTo("{\"z\":1,\"a\":null}");
    assertThat(d.has("a")).isTrue();
    PeerData merged = d.merge(PeerData.of(Map.of("z", 2))).merge(PeerData.of(Map.of("b", true)));
    assertThat(merged.toString()).isEqualTo("{\"z\":2,\"a\":null,\"b\":true}");
    assertThat(merged.without("z").fieldNames()).containsExactly("a", "b");
    assertThat(d.with("s", Statistics.EMPTY.add(2)).toString())
        .isEqualTo(
            "{\"z\":1,\"a\":null,\"s\":{\"mean\":2.0,\"stdev\":0.0,\"count\":1,\"sum\":2.0,"
                + "\"sqsum\":4.0}}");
  }

  @Test
  void parseRejectsWhatIsNotAnObject() {
    assertThatThrownBy(() -> PeerData.parse("[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Expected a JSON object");
    assertThatThrownBy(() -> PeerData.parse("{"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Expected a JSON object");
  }

  @Test
  void statisticsMatchTheUpstreamReducer() {
    Statistics s = Statistics.EMPTY.add(2).add(4).add(9);
    assertThat(s.count()).isEqualTo(3);
    assertThat(s.sum()).isEqualTo(15);
    assertThat(s.sqsum()).isEqualTo(101);
    assertThat(s.mean()).isEqualTo(5);
    assertThat(s.stdev()).isCloseTo(Math.sqrt(101.0 / 3 - 25), offset(1e-12));
    assertThat(Statistics.EMPTY.add(0.1).add(0.1).add(0.1).stdev()).isZero(); // no NaN
  }
}
