package dev.grapevine.anproto;

import static dev.grapevine.anproto.TestResources.message;
import static dev.grapevine.anproto.TestResources.vectorKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.anproto.InvalidMessageException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Structural rejection of signed messages, hashes, public keys and key pairs. */
class SignedMessageParsingTest {
  private static final String A = message("A").get("sig").asText();
  private static final String A_CONTENT_HASH = message("A").get("contentHash").asText();

  @ParameterizedTest
  @ValueSource(ints = {60, 100, 150, 205})
  void spaceInsideTheSignatureBase64IsRejectedAsBadBase64(int position) {
    String withSpace = replaceAt(A, position, ' ');

    assertRejected(withSpace, Reason.BAD_BASE64).hasMessageContaining("in signature");
  }

  @Test
  void spaceInsideThePublicKeyIsRejectedAsBadBase64() {
    assertRejected(replaceAt(A, 10, ' '), Reason.BAD_BASE64).hasMessageContaining("public key");
  }

  @Test
  void insertedLineBreakIsRejectedForLength() {
    String wrapped = A.substring(0, 120) + "\n" + A.substring(120);

    assertRejected(wrapped, Reason.BAD_LENGTH)
        .hasMessage("Expected signed message of 208 chars but was 209");
  }

  @Test
  void trailingNewlineIsRejectedForLengthRatherThanTrimmed() {
    assertRejected(A + "\n", Reason.BAD_LENGTH)
        .hasMessage(
            "Expected signed message of 208 chars but was 209 (it must end with the '==' padding)");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 44, 57, 164, 207, 209, 212, 300})
  void anyLengthOtherThan208IsRejectedForLength(int length) {
    String text = (A + A).substring(0, length);

    assertRejected(text, Reason.BAD_LENGTH)
        .hasMessageStartingWith("Expected signed message of 208");
  }

  @Test
  void urlSafeBase64AlphabetIsRejected() {
    int slash = A.indexOf('/', 44);

    assertRejected(replaceAt(A, slash, '_'), Reason.BAD_BASE64);
  }

  @Test
  void paddingCharacterInsideTheBase64IsRejected() {
    assertRejected(replaceAt(A, 100, '='), Reason.BAD_BASE64);
  }

  @Test
  void publicKeyWithNonZeroTrailingBitsIsRejectedAsBadBase64() {
    // "...jYU=": 'U' carries 2 unused bits; 'V' sets one of them and decodes to the same key.
    String key = replaceAt(A, 42, 'V');

    assertRejected(key, Reason.BAD_BASE64)
        .hasMessage(
            "Expected canonical padded base64 in public key (padding or trailing bits differ)");
  }

  @Test
  void signatureByAnotherKeyIsRejectedAsBadSignature() {
    KeyPair other = KeyPair.fromSeed(new byte[32]);
    String forged = other.publicKey().value() + A.substring(44);

    assertRejected(forged, Reason.BAD_SIGNATURE)
        .hasMessage(
            "Expected a valid Ed25519 signature by "
                + other.publicKey()
                + " but it does not verify");
  }

  @Test
  void nonDigitTimestampIsRejectedEvenWhenProperlySigned() {
    String signed = signRaw(vectorKeys(), "17551978413a9" + A_CONTENT_HASH);

    assertRejected(signed, Reason.BAD_TIMESTAMP)
        .hasMessage("Expected a 13-digit timestamp but was '17551978413a9'");
  }

  @Test
  void negativeTimestampIsRejectedEvenWhenProperlySigned() {
    String signed = signRaw(vectorKeys(), "-755197841319" + A_CONTENT_HASH);

    assertRejected(signed, Reason.BAD_TIMESTAMP);
  }

  @Test
  void twelveDigitTimestampMakesTheMessageTooShort() {
    String signed = signRaw(vectorKeys(), "175519784131" + A_CONTENT_HASH);

    assertThat(signed).hasSize(204);
    assertRejected(signed, Reason.BAD_LENGTH);
  }

  @Test
  void nonCanonicalContentHashInThePayloadIsRejectedEvenWhenProperlySigned() {
    // The same 32 bytes as A's content hash, spelled with non-zero trailing bits.
    String sloppyHash = A_CONTENT_HASH.substring(0, 42) + "5=";
    assertThat(Base64.getDecoder().decode(sloppyHash))
        .isEqualTo(Base64.getDecoder().decode(A_CONTENT_HASH));
    String signed = signRaw(vectorKeys(), "1755197841319" + sloppyHash);

    assertRejected(signed, Reason.BAD_PAYLOAD)
        .hasMessage(
            "Expected a canonical content hash after the timestamp in the signed payload but was '"
                + sloppyHash
                + "'");
  }

  @Test
  void urlSafeContentHashInThePayloadIsRejectedEvenWhenProperlySigned() {
    String urlSafe = A_CONTENT_HASH.substring(0, 10) + "-" + A_CONTENT_HASH.substring(11);
    String signed = signRaw(vectorKeys(), "1755197841319" + urlSafe);

    assertRejected(signed, Reason.BAD_PAYLOAD);
  }

  @Test
  void nonAsciiPayloadIsRejectedEvenWhenProperlySigned() {
    // 57 bytes, but not ASCII: 'é' is two bytes in UTF-8.
    String signed = signRaw(vectorKeys(), "1755197841319" + A_CONTENT_HASH.substring(0, 42) + "é");

    assertRejected(signed, Reason.BAD_PAYLOAD);
  }

  @Test
  void structurallyValidMessageExposesItsClaimBeforeVerification() {
    SignedMessage parsed = SignedMessage.parse(A);

    assertThat(parsed.author().value()).isEqualTo(A.substring(0, 44));
    assertThat(parsed.claimedOpened().toString()).isEqualTo(message("A").get("opened").asText());
    assertThat(parsed.value()).isEqualTo(A);
  }

  @Test
  void signingRejectsTimestampsThatAreNot13Digits() {
    Hash h = Hash.parse(A_CONTENT_HASH);

    assertThatThrownBy(() -> AnProto.sign(h, 999_999_999_999L, vectorKeys()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected a 13-digit timestamp but was 999999999999");
    assertThatThrownBy(() -> AnProto.sign(h, 10_000_000_000_000L, vectorKeys()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected a 13-digit timestamp but was 10000000000000");
  }

  @Test
  void signingAcceptsTheFirstAndLast13DigitTimestamps() {
    Hash h = Hash.parse(A_CONTENT_HASH);

    assertThat(AnProto.sign(h, 1_000_000_000_000L, vectorKeys()).opened().timestamp())
        .isEqualTo("1000000000000");
    assertThat(AnProto.sign(h, 9_999_999_999_999L, vectorKeys()).opened().timestamp())
        .isEqualTo("9999999999999");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4",
        "pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4==",
        "pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG5=",
        "pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4 ",
        "pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fF G=",
        "pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG-=",
        "pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFGE=="
      })
  void malformedHashTextIsRejectedWithAReason(String text) {
    assertThat(Hash.isValid(text)).isFalse();
    assertThatThrownBy(() -> Hash.parse(text))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isIn(Reason.BAD_LENGTH, Reason.BAD_BASE64));
  }

  @Test
  void keyPairTextWithWrongLengthIsRejected() {
    String text = TestResources.vectors().get("keypair").get("keypair").asText();

    assertThatThrownBy(() -> KeyPair.parse(text.substring(0, 131)))
        .isInstanceOfSatisfying(
            InvalidMessageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_LENGTH))
        .hasMessage("Expected key pair of 132 chars but was 131");
  }

  @Test
  void keyPairWhosePublicKeyDoesNotMatchItsSeedIsRejected() {
    String text = TestResources.vectors().get("keypair").get("keypair").asText();
    String otherKey = KeyPair.fromSeed(new byte[32]).publicKey().value();

    assertThatThrownBy(() -> KeyPair.parse(otherKey + text.substring(44)))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_PAYLOAD))
        .hasMessage("Expected the key pair's public key to match its seed but it does not");
  }

  @Test
  void keyPairToStringShowsOnlyThePublicKey() {
    assertThat(vectorKeys().toString())
        .isEqualTo("KeyPair[" + message("A").get("sig").asText().substring(0, 44) + "]");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(
      String signed, Reason reason) {
    return assertThatThrownBy(() -> AnProto.open(signed))
        .isInstanceOfSatisfying(
            InvalidMessageException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  private static String replaceAt(String s, int index, char c) {
    return s.substring(0, index) + c + s.substring(index + 1);
  }

  /** A message whose payload is {@code payload}, validly signed by {@code keys}. */
  static String signRaw(KeyPair keys, String payload) {
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    byte[] sig = keys.sign(bytes);
    byte[] body = Arrays.copyOf(sig, sig.length + bytes.length);
    System.arraycopy(bytes, 0, body, sig.length, bytes.length);
    return keys.publicKey().value() + Base64.getEncoder().encodeToString(body);
  }
}
