package dev.grapevine.anproto;

import static dev.grapevine.anproto.TestResources.malformed;
import static dev.grapevine.anproto.TestResources.message;
import static dev.grapevine.anproto.TestResources.vectorKeys;
import static dev.grapevine.anproto.TestResources.vectors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every vector of {@code vectors/anproto.json}, produced by the reference implementation. */
class AnProtoVectorTest {
  private static final String PUBKEY = "BSY7/er4VJIu08o39NaRAiPY/MAvd7oQhlGCRDABjYU=";

  @Test
  void vectorKeyPairTextIs132CharsAndParsesToItsPublicKey() {
    String text = vectors().get("keypair").get("keypair").asText();

    KeyPair keys = KeyPair.parse(text);

    assertThat(text).hasSize(KeyPair.LENGTH).hasSize(132).startsWith(PUBKEY);
    assertThat(keys.publicKey().value())
        .isEqualTo(vectors().get("keypair").get("pubkey").asText())
        .isEqualTo(PUBKEY);
  }

  @Test
  void vectorKeyPairEncodesBackToTheSameText() {
    String text = vectors().get("keypair").get("keypair").asText();

    assertThat(KeyPair.parse(text).encode()).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"A", "B", "C"})
  void contentHashIsBase64OfSha256OfTheContent(String name) {
    JsonNode v = message(name);

    assertThat(AnProto.hash(v.get("content").asText()).value())
        .isEqualTo(v.get("contentHash").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"A", "B", "C"})
  void signingTheContentHashAtTheVectorTimestampReproducesTheSignedMessageExactly(String name) {
    JsonNode v = message(name);
    Hash contentHash = Hash.parse(v.get("contentHash").asText());
    long ts = Long.parseLong(v.get("ts").asText());

    VerifiedMessage signed = AnProto.sign(contentHash, ts, vectorKeys());

    assertThat(signed.signed().value()).isEqualTo(v.get("sig").asText());
    assertThat(signed.toString()).hasSize(SignedMessage.LENGTH).endsWith("==");
  }

  @ParameterizedTest
  @ValueSource(strings = {"A", "B", "C"})
  void openingTheSignedMessageGivesTimestampFollowedByContentHash(String name) {
    JsonNode v = message(name);
    String expected =
        v.has("opened")
            ? v.get("opened").asText()
            : v.get("ts").asText() + v.get("contentHash").asText();

    Opened opened = AnProto.open(v.get("sig").asText());

    assertThat(opened.toString()).isEqualTo(expected).hasSize(Opened.LENGTH);
    assertThat(opened.timestamp()).isEqualTo(v.get("ts").asText());
    assertThat(opened.contentHash().value()).isEqualTo(v.get("contentHash").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"A", "B", "C"})
  void msgHashIsTheHashOfTheWholeSignedText(String name) {
    JsonNode v = message(name);

    assertThat(AnProto.msgHash(v.get("sig").asText()).value()).isEqualTo(v.get("msgHash").asText());
    assertThat(SignedMessage.parse(v.get("sig").asText()).verify().hash().value())
        .isEqualTo(v.get("msgHash").asText());
  }

  @Test
  void composeWithNameReproducesVectorBContent() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("name", "Alice");

    assertThat(AnProto.compose("Hello World", meta))
        .isEqualTo(message("B").get("content").asText());
  }

  @Test
  void composeWithNameThenPreviousReproducesVectorCContent() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("name", "Alice");
    meta.put("previous", message("B").get("msgHash").asText());

    assertThat(AnProto.compose("Second post", meta))
        .isEqualTo(message("C").get("content").asText());
  }

  @Test
  void composeWithoutMetaIsTheBodyUnchanged() {
    assertThat(AnProto.compose("Hello World", Map.of()))
        .isEqualTo(message("A").get("content").asText());
  }

  @Test
  void vectorCContentParsesToExactlyNamePreviousAndBody() {
    JsonNode v = message("C");

    Content content = Content.parse(v.get("content").asText());

    Map<String, Object> parsed = new LinkedHashMap<>(content.attributes());
    parsed.put("body", content.body());
    assertThat(parsed)
        .containsExactlyEntriesOf(
            TestResources.JSON.convertValue(
                v.get("parsed"), new TypeReference<Map<String, Object>>() {}));
    assertThat(content.hash("previous")).contains(Hash.parse(message("B").get("msgHash").asText()));
  }

  @Test
  void signedMessageParsesAsContentWithoutFrontMatter() {
    String sig = message("A").get("sig").asText();

    Content content = Content.parse(sig);

    assertThat(content.attributes()).isEmpty();
    assertThat(content.body()).isEqualTo(sig);
  }

  @Test
  void signatureWithScalarAboveGroupOrderIsRejectedAsMalleated() {
    String n1 = malformed("N1").get("sig").asText();

    assertThatThrownBy(() -> AnProto.open(n1))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e ->
                assertThat(e.reason())
                    .isEqualTo(InvalidMessageException.Reason.NON_CANONICAL_SIGNATURE))
        .hasMessage(
            "Expected signature scalar S below the group order but S >= L (malleated signature)");
  }

  @Test
  void vectorN1IsVectorAWithLAddedToTheScalar() {
    byte[] a = Base64.getDecoder().decode(message("A").get("sig").asText().substring(44));
    byte[] n1 = Base64.getDecoder().decode(malformed("N1").get("sig").asText().substring(44));
    BigInteger groupOrder =
        BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));

    assertThat(littleEndian(n1, 32)).isEqualTo(littleEndian(a, 32).add(groupOrder));
    assertThat(Arrays.copyOfRange(n1, 0, 32)).isEqualTo(Arrays.copyOfRange(a, 0, 32));
    assertThat(Arrays.copyOfRange(n1, 64, n1.length))
        .isEqualTo(Arrays.copyOfRange(a, 64, a.length));
  }

  @Test
  void nonCanonicalTrailingBitsAreRejectedAsBadBase64() {
    String n2 = malformed("N2").get("sig").asText();

    assertThatThrownBy(() -> AnProto.open(n2))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidMessageException.Reason.BAD_BASE64))
        .hasMessage(
            "Expected canonical padded base64 in signature (padding or trailing bits differ)");
  }

  @Test
  void vectorN2DecodesLenientlyToTheSameBytesAsVectorA() {
    byte[] a = Base64.getDecoder().decode(message("A").get("sig").asText().substring(44));
    byte[] n2 = Base64.getDecoder().decode(malformed("N2").get("sig").asText().substring(44));

    assertThat(n2).isEqualTo(a);
  }

  @Test
  void signedMessageWithoutPaddingIsRejectedForLengthNamingThePadding() {
    String n3 = malformed("N3").get("sig").asText();

    assertThatThrownBy(() -> AnProto.open(n3))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidMessageException.Reason.BAD_LENGTH))
        .hasMessage(
            "Expected signed message of 208 chars but was 206 (it must end with the '==' padding)");
  }

  @Test
  void signatureWithOneFlippedCharacterFailsVerification() {
    String n4 = malformed("N4").get("sig").asText();

    assertThatThrownBy(() -> AnProto.open(n4))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidMessageException.Reason.BAD_SIGNATURE))
        .hasMessage("Expected a valid Ed25519 signature by " + PUBKEY + " but it does not verify");
  }

  @ParameterizedTest
  @ValueSource(strings = {"N1", "N2"})
  void malformedVectorMsgHashIsTheHashOfItsSignedText(String name) {
    JsonNode v = malformed(name);

    assertThat(Hash.of(v.get("sig").asText()).value()).isEqualTo(v.get("msgHash").asText());
    assertThat(v.get("msgHash").asText()).isNotEqualTo(message("A").get("msgHash").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"N1", "N2", "N3", "N4"})
  void everyMalformedVectorIsMarkedForStrictRejection(String name) {
    assertThat(malformed(name).get("strict").asText()).isEqualTo("reject");
  }

  private static BigInteger littleEndian(byte[] bytes, int offset) {
    byte[] bigEndian = new byte[32];
    for (int i = 0; i < 32; i++) {
      bigEndian[i] = bytes[offset + 31 - i];
    }
    return new BigInteger(1, bigEndian);
  }
}
