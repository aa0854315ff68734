package dev.grapevine.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzz target for the mesh envelope decoder: any frame either decodes to an envelope that encodes
 * and decodes back to itself, or is refused with a {@link MeshProtocolException} and a reason;
 * reading the payload as any of the protocol's own types fails only the same way. Seeds under
 * {@code src/test/resources/dev/grapevine/mesh/MeshCodecFuzzTestInputs/<method>/}.
 */
class MeshCodecFuzzTest {
  private static final List<Class<?>> PAYLOADS =
      List.of(
          MeshPayload.Handshake.class,
          MeshPayload.HandshakeAck.class,
          MeshPayload.PeerList.class,
          MeshPayload.Ping.class,
          MeshPayload.Pong.class,
          MeshPayload.SyncRequest.class,
          MeshPayload.SyncResponse.class,
          MeshPayload.Reconcile.class,
          MeshPayload.Have.class,
          MeshPayload.Want.class,
          MeshPayload.Messages.class,
          MeshPayload.Message.class,
          MeshPayload.Graft.class,
          MeshPayload.Error.class);

  @FuzzTest
  void decodedEnvelopesRoundTripAndPayloadsFailOnlyAsProtocolErrors(byte[] input) {
    String frame = new String(input, StandardCharsets.UTF_8);
    MeshEnvelope envelope;
    try {
      envelope = MeshCodec.decode(frame);
    } catch (MeshProtocolException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(envelope.version()).isEqualTo(Mesh.PROTOCOL_VERSION);
    assertThat(envelope.type()).isNotEmpty();
    MeshEnvelope again;
    try {
      again = MeshCodec.decode(MeshCodec.encode(envelope));
    } catch (MeshProtocolException e) {
      throw new AssertionError("An encoded envelope must decode: " + e.getMessage(), e);
    }
    assertThat(again).isEqualTo(envelope);
    for (Class<?> type : PAYLOADS) {
      try {
        MeshCodec.payload(envelope, type);
      } catch (MeshProtocolException e) {
        assertThat(e.reason()).isEqualTo(MeshProtocolException.Reason.INVALID_PAYLOAD);
      }
    }
  }
}
