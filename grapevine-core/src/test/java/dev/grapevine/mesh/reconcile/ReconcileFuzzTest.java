package dev.grapevine.mesh.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Fuzz targets for the reconciliation message decoder, the part of set reconciliation a peer's
 * bytes reach first. Seeds under {@code
 * src/test/resources/dev/grapevine/mesh/reconcile/ReconcileFuzzTestInputs/<method>/}: real messages
 * of both sides, the end message, and broken ones.
 */
class ReconcileFuzzTest {
  private static final ReconcileConfig CONFIG = ReconcileConfig.DEFAULT;
  private static final int MAX = CONFIG.maxMessageBytes();

  /** A small index: 40 items, two at each of 20 timestamps, so ranges split inside a timestamp. */
  static ItemIndex index() {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] id = new byte[ItemId.BYTES];
      Arrays.fill(id, (byte) (i * 37 + 11));
      id[0] = (byte) i;
      items.add(new Item(1_000L + 100L * (i / 2), ItemId.of(id)));
    }
    return ItemIndex.of(items);
  }

  /**
   * {@link ReconcileCodec#decode} either throws {@link ReconcileException} with a reason and a
   * message, or returns a message whose encoding is exactly the input (one binary form per message)
   * and which decodes back to itself.
   */
  @FuzzTest
  void decodedMessagesEncodeBackToTheirExactBytes(byte[] input) {
    Message m;
    try {
      m = ReconcileCodec.decode(input, MAX);
    } catch (ReconcileException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    byte[] encoded = ReconcileCodec.encode(m);
    assertThat(encoded).isEqualTo(input);
    assertThat(ReconcileCodec.decode(encoded, MAX)).isEqualTo(m);
  }

  /**
   * A responder over a fixed index takes any text as its peer's message ({@link
   * ReconcileSession#receiveBase64}): it answers with a message of at most the configured size that
   * decodes, or ends (the end message), or fails with a {@link ReconcileException} and is then
   * done; nothing else is thrown. The first input byte chooses whether the rest is sent as base64
   * of arbitrary bytes (to reach the decoder) or as raw text (to reach the base64 check).
   */
  @FuzzTest
  void aResponderAnswersAnyTextWithAValidMessageOrFailsWithAReason(byte[] input) {
    if (input.length == 0) {
      return;
    }
    byte[] rest = Arrays.copyOfRange(input, 1, input.length);
    String text =
        (input[0] & 1) == 0
            ? Base64.getEncoder().encodeToString(rest)
            : new String(rest, StandardCharsets.ISO_8859_1);
    ReconcileSession responder = ReconcileSession.responder(index(), CONFIG);
    Optional<String> answer;
    try {
      answer = responder.receiveBase64(text);
    } catch (ReconcileException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).isNotBlank();
      assertThat(responder.isDone()).isTrue();
      return;
    }
    if (answer.isEmpty()) {
      assertThat(responder.isDone()).as("no answer only to the end message").isTrue();
      return;
    }
    byte[] bytes = ReconcileCodec.fromBase64(answer.get(), MAX);
    assertThat(bytes.length).isLessThanOrEqualTo(MAX);
    ReconcileCodec.decode(bytes, MAX);
  }
}
