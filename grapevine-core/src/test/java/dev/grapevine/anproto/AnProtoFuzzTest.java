package dev.grapevine.anproto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * Fuzz targets for the ANProto codec: whatever the text, each parser either returns a value that
 * re-encodes to exactly that text or throws {@link InvalidMessageException} with a reason it
 * documents; nothing else escapes. Inputs are UTF-8 text (seeds under {@code
 * src/test/resources/dev/grapevine/anproto/AnProtoFuzzTestInputs/<method>/}); {@code mvn verify}
 * replays the seeds, {@code JAZZER_FUZZ=1} fuzzes (see the README's Testing section).
 */
class AnProtoFuzzTest {
  private static final Set<InvalidMessageException.Reason> STRUCTURE =
      EnumSet.of(
          InvalidMessageException.Reason.BAD_LENGTH,
          InvalidMessageException.Reason.BAD_BASE64,
          InvalidMessageException.Reason.BAD_TIMESTAMP,
          InvalidMessageException.Reason.BAD_PAYLOAD);
  private static final Set<InvalidMessageException.Reason> SIGNATURE =
      EnumSet.of(
          InvalidMessageException.Reason.NON_CANONICAL_SIGNATURE,
          InvalidMessageException.Reason.BAD_SIGNATURE);

  /** A message signed once, for the tampering target. */
  private static final VerifiedMessage SIGNED =
      AnProto.sign(
          Hash.of("fuzzing"), 1_755_197_841_319L, KeyPair.fromSeed(new byte[Ed25519.SEED_BYTES]));

  @FuzzTest
  void signedMessageParsesOnlyCanonicalTextAndVerifiesOrSaysWhy(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    SignedMessage parsed;
    try {
      parsed = SignedMessage.parse(text);
    } catch (InvalidMessageException e) {
      assertThat(e.reason()).isIn(STRUCTURE);
      assertThatThrownBy(() -> AnProto.open(text)).isInstanceOf(InvalidMessageException.class);
      return;
    }
    assertThat(parsed.value()).isEqualTo(text).hasSize(SignedMessage.LENGTH);
    byte[] body =
        CanonicalBase64.decode(
            text.substring(PublicKey.LENGTH), SignedMessage.BODY_BYTES, "signature");
    assertThat(parsed.author().value() + CanonicalBase64.encode(body)).isEqualTo(text);
    assertThat(parsed.claimedOpened().toString())
        .isEqualTo(
            new String(body, Ed25519.SIGNATURE_BYTES, Opened.LENGTH, StandardCharsets.ISO_8859_1));
    assertThat(SignedMessage.parse(parsed.value())).isEqualTo(parsed);
    assertThat(parsed.msgHash()).isEqualTo(Hash.of(text));

    VerifiedMessage verified;
    try {
      verified = parsed.verify();
    } catch (InvalidMessageException e) {
      assertThat(e.reason()).isIn(SIGNATURE);
      assertThatThrownBy(() -> AnProto.open(text)).isInstanceOf(InvalidMessageException.class);
      return;
    }
    assertThat(verified.opened()).isEqualTo(parsed.claimedOpened());
    assertThat(verified.hash()).isEqualTo(Hash.of(text));
    assertThat(AnProto.open(text)).isEqualTo(verified.opened());
  }

  @FuzzTest
  void noEditOfASignedMessageOpens(FuzzedDataProvider data) {
    char[] chars = SIGNED.signed().value().toCharArray();
    int edits = data.consumeInt(1, 4);
    for (int i = 0; i < edits; i++) {
      chars[data.consumeInt(0, chars.length - 1)] = data.consumeChar();
    }
    String edited = new String(chars) + data.consumeRemainingAsString();
    if (edited.equals(SIGNED.signed().value())) {
      assertThat(AnProto.open(edited)).isEqualTo(SIGNED.opened());
      return;
    }
    assertThatThrownBy(() -> AnProto.open(edited))
        .as("only the text that was signed opens; every other string is rejected")
        .isInstanceOf(InvalidMessageException.class);
  }

  @FuzzTest
  void hashesAndKeysParseExactlyWhenCanonical(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Hash hash;
    try {
      hash = Hash.parse(text);
    } catch (InvalidMessageException e) {
      assertThat(e.reason())
          .isIn(
              InvalidMessageException.Reason.BAD_LENGTH, InvalidMessageException.Reason.BAD_BASE64);
      assertThat(Hash.isValid(text)).isFalse();
      assertThatThrownBy(() -> PublicKey.parse(text)).isInstanceOf(InvalidMessageException.class);
      return;
    }
    assertThat(hash.value()).isEqualTo(text).hasSize(Hash.LENGTH).endsWith("=");
    assertThat(Hash.isValid(text)).isTrue();
    PublicKey key = PublicKey.parse(text);
    assertThat(key.value()).isEqualTo(text);
    assertThat(PublicKey.of(key.bytes())).isEqualTo(key);
    assertThat(CanonicalBase64.encode(key.bytes())).isEqualTo(text);
  }

  @FuzzTest
  void canonicalBase64DecodesOnlyWhatEncodesBack(FuzzedDataProvider data) {
    int expectedBytes = data.consumeInt(0, 256);
    String text = data.consumeRemainingAsString();
    byte[] bytes;
    try {
      bytes = CanonicalBase64.decode(text, expectedBytes, "fuzz input");
    } catch (InvalidMessageException e) {
      assertThat(e.reason())
          .isIn(
              InvalidMessageException.Reason.BAD_LENGTH, InvalidMessageException.Reason.BAD_BASE64);
      assertThat(e.getMessage()).contains("fuzz input");
      return;
    }
    assertThat(bytes).hasSize(expectedBytes);
    assertThat(CanonicalBase64.encode(bytes)).isEqualTo(text);
    assertThat(text).hasSize(CanonicalBase64.encodedLength(expectedBytes));
  }
}
