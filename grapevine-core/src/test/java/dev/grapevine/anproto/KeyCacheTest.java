package dev.grapevine.anproto;

import static dev.grapevine.anproto.TestResources.malformed;
import static dev.grapevine.anproto.TestResources.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Verification through decoded keys decides exactly as verification from the key's bytes. */
class KeyCacheTest {
  private static final KeyPair ALICE = KeyPair.fromSeed(new byte[Ed25519.SEED_BYTES]);
  private static final VerifiedMessage SIGNED =
      AnProto.sign(Hash.of("cached"), 1_755_197_841_319L, ALICE);

  @Test
  void aKnownAuthorsMessagesVerifyThroughOneDecodedKey() {
    KeyCache keys = KeyCache.create(16);
    SignedMessage first = SignedMessage.parse(SIGNED.signed().value());
    SignedMessage second =
        SignedMessage.parse(
            AnProto.sign(Hash.of("second"), 1_755_197_841_320L, ALICE).signed().value());

    assertThat(first.verify(keys)).isEqualTo(first.verify());
    assertThat(second.verify(keys)).isEqualTo(second.verify());
    assertThat(keys.size()).isEqualTo(1);
  }

  @Test
  void aMalleatedSignatureIsRejectedForTheSameReasonThroughTheCache() {
    KeyCache keys = KeyCache.create(16);
    SignedMessage n1 = SignedMessage.parse(malformed("N1").get("sig").asText());

    assertThat(reasonOf(() -> n1.verify(keys)))
        .isEqualTo(reasonOf(n1::verify))
        .isEqualTo(InvalidMessageException.Reason.NON_CANONICAL_SIGNATURE);
  }

  @Test
  void aKeyOfSmallOrderIsNotDecodedAndItsMessagesAreJudgedFromTheBytes() {
    // The identity point as a key, R = identity and S = 0: [S]B = R + [k]A holds for any k.
    byte[] identity = new byte[32];
    identity[0] = 1;
    byte[] body = new byte[SignedMessage.BODY_BYTES];
    System.arraycopy(identity, 0, body, 0, 32);
    byte[] opened = SIGNED.opened().toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(opened, 0, body, Ed25519.SIGNATURE_BYTES, opened.length);
    SignedMessage forged =
        SignedMessage.parse(CanonicalBase64.encode(identity) + CanonicalBase64.encode(body));
    KeyCache keys = KeyCache.create(16);

    assertThat(reasonOf(() -> forged.verify(keys))).isEqualTo(reasonOf(forged::verify));
    assertThat(reasonOf(() -> forged.verify(keys))).isEqualTo(reasonOf(forged::verify));
    assertThat(keys.size()).isEqualTo(1);
  }

  @Test
  void theCacheHoldsAtMostItsCapacity() {
    KeyCache keys = KeyCache.create(2);
    for (int i = 0; i < 5; i++) {
      byte[] seed = new byte[Ed25519.SEED_BYTES];
      seed[0] = (byte) i;
      SignedMessage.parse(
              AnProto.sign(Hash.of("m" + i), 1_755_197_841_319L, KeyPair.fromSeed(seed))
                  .signed()
                  .value())
          .verify(keys);
    }

    assertThat(keys.size()).isLessThanOrEqualTo(2);
    assertThatThrownBy(() -> KeyCache.create(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 2000, seed = "20261207")
  void anyEditOfTheSignatureIsJudgedTheSameWithAndWithoutTheCache(@ForAll("edits") int[] edit) {
    byte[] body =
        Base64.getDecoder().decode(message("A").get("sig").asText().substring(PublicKey.LENGTH));
    body[edit[0] % Ed25519.SIGNATURE_BYTES] ^= (byte) (1 + edit[1] % 255);
    SignedMessage edited =
        SignedMessage.parse(
            message("A").get("sig").asText().substring(0, PublicKey.LENGTH)
                + CanonicalBase64.encode(body));
    KeyCache keys = KeyCache.create(16);

    assertThat(reasonOf(() -> edited.verify(keys))).isEqualTo(reasonOf(edited::verify));
  }

  @Provide
  Arbitrary<int[]> edits() {
    return Arbitraries.integers().between(0, 10_000).array(int[].class).ofSize(2);
  }

  /** The reason verification fails, or null if it succeeds. */
  private static InvalidMessageException.Reason reasonOf(Runnable verification) {
    try {
      verification.run();
      return null;
    } catch (InvalidMessageException e) {
      return e.reason();
    }
  }
}
