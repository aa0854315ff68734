package dev.grapevine.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Frames written straight from payload records are the frames the envelope form writes. */
class MeshCodecTest {
  static List<MeshPayload> payloads() {
    MeshPayload.Summary summary = new MeshPayload.Summary(3, "ab\"c");
    return Arrays.asList(
        new MeshPayload.Handshake("n", "k", "org", 3, 0, null, "nonce", summary),
        MeshPayload.HandshakeAck.refusal("n", "k", "org", "duplicate"),
        new MeshPayload.PeerList(
            List.of(new MeshPayload.PeerEntry("n", "k", "ws://127.0.0.1:1/mesh", null))),
        new MeshPayload.Ping(3, 7L, summary),
        new MeshPayload.Pong(3, null, null),
        new MeshPayload.Want("r", List.of("h1", "h2")),
        new MeshPayload.Messages(
            "r",
            List.of(
                new MeshPayload.Carried("sig", "---\nname: \u00e9\u2028\n---\nbody"),
                new MeshPayload.Carried(null, "blob")),
            false),
        new MeshPayload.Have(List.of()),
        new MeshPayload.Prune(),
        new MeshPayload.Error("rate_limited", "slow down", "WANT"));
  }

  @ParameterizedTest
  @MethodSource("payloads")
  void aPayloadIsWrittenAsItsEnvelopeWouldBe(MeshPayload payload) throws Exception {
    String direct = MeshCodec.encode("node", 1_755_197_841_319L, payload);
    String viaTree =
        MeshCodec.encode(
            new MeshEnvelope(
                Mesh.PROTOCOL_VERSION,
                payload.type(),
                "node",
                1_755_197_841_319L,
                MeshCodec.tree(payload)));

    assertThat(direct).isEqualTo(viaTree);
    assertThat(MeshCodec.decode(direct).payload().toString())
        .isEqualTo(MeshCodec.tree(payload).toString());
  }
}
