package dev.grapevine.anproto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Properties of signing, opening, keys and hashes over generated inputs (seeded, repeatable). */
class AnProtoPropertiesTest {
  private static final String BASE64_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  @Property(tries = 200, seed = "20250814")
  void signedMessageOpensToItsTimestampAndContentHash(
      @ForAll @Size(32) byte[] seed,
      @ForAll @LongRange(min = 1_000_000_000_000L, max = 9_999_999_999_999L) long ts,
      @ForAll String content) {
    KeyPair keys = KeyPair.fromSeed(seed);
    Hash contentHash = AnProto.hash(content);

    String signed = AnProto.sign(contentHash, ts, keys).toString();
    Opened opened = AnProto.open(signed);

    assertThat(signed).hasSize(208).startsWith(keys.publicKey().value()).endsWith("==");
    assertThat(opened.timestampMillis()).isEqualTo(ts);
    assertThat(opened.contentHash()).isEqualTo(contentHash);
    assertThat(opened.toString()).isEqualTo(ts + contentHash.value());
  }

  @Property(tries = 1000, seed = "20250814")
  void anySingleCharacterChangeOfASignedMessageIsRejected(
      @ForAll("validMessages") String signed,
      @ForAll("positions") int position,
      @ForAll("replacements") char replacement) {
    char original = signed.charAt(position);
    String tampered =
        signed.substring(0, position)
            + (replacement == original ? other(original) : replacement)
            + signed.substring(position + 1);

    assertThatThrownBy(() -> AnProto.open(tampered)).isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void everyBase64SubstitutionAtEveryPositionOfVectorAIsRejected() {
    String a = TestResources.message("A").get("sig").asText();
    List<String> accepted = new ArrayList<>();
    for (int position = 0; position < a.length(); position++) {
      for (char c : (BASE64_ALPHABET + "=").toCharArray()) {
        if (c == a.charAt(position)) {
          continue;
        }
        String tampered = a.substring(0, position) + c + a.substring(position + 1);
        try {
          AnProto.open(tampered);
          accepted.add(tampered);
        } catch (InvalidMessageException expected) {
          // rejected, as it must be
        }
      }
    }
    assertThat(accepted).isEmpty();
  }

  @Property(tries = 200, seed = "20250814")
  void keyPairTextRoundTripsThroughEncodeAndParse(@ForAll @Size(32) byte[] seed) {
    KeyPair keys = KeyPair.fromSeed(seed);

    String text = keys.encode();
    KeyPair parsed = KeyPair.parse(text);

    assertThat(text).hasSize(KeyPair.LENGTH).startsWith(keys.publicKey().value());
    assertThat(parsed).isEqualTo(keys);
    assertThat(parsed.publicKey()).isEqualTo(keys.publicKey());
    assertThat(parsed.encode()).isEqualTo(text);
  }

  @Property(tries = 2000, seed = "20250814")
  void hashIsValidAgreesWithHashParse(@ForAll("hashLikeStrings") String text) {
    boolean parses;
    try {
      Hash.parse(text);
      parses = true;
    } catch (InvalidMessageException e) {
      parses = false;
    }

    assertThat(Hash.isValid(text)).isEqualTo(parses);
  }

  @Property(tries = 500, seed = "20250814")
  void hashOfAnyTextIsAValidCanonicalHash(@ForAll String text) {
    Hash hash = Hash.of(text);

    assertThat(Hash.isValid(hash.value())).isTrue();
    assertThat(Hash.parse(hash.value())).isEqualTo(hash);
    assertThat(hash.value()).hasSize(44).endsWith("=").doesNotEndWith("==");
  }

  @Provide
  Arbitrary<String> validMessages() {
    Arbitrary<byte[]> seeds = Arbitraries.bytes().array(byte[].class).ofSize(32);
    Arbitrary<Long> timestamps =
        Arbitraries.longs().between(1_000_000_000_000L, 9_999_999_999_999L);
    Arbitrary<String> generated =
        Combinators.combine(seeds, timestamps, Arbitraries.strings().ofMaxLength(64))
            .as((seed, ts, content) -> sign(seed, ts, content));
    return Arbitraries.oneOf(
        Arbitraries.just(TestResources.message("A").get("sig").asText()), generated);
  }

  @Provide
  Arbitrary<Integer> positions() {
    return Arbitraries.integers().between(0, SignedMessage.LENGTH - 1);
  }

  @Provide
  Arbitrary<Character> replacements() {
    return Arbitraries.oneOf(
        Arbitraries.of((BASE64_ALPHABET + "= \t\r\n-_.").toCharArray()), Arbitraries.chars());
  }

  /** Valid hashes, and variations of them in length, alphabet, padding and trailing bits. */
  @Provide
  Arbitrary<String> hashLikeStrings() {
    Arbitrary<String> valid = Arbitraries.strings().ofMaxLength(20).map(s -> Hash.of(s).value());
    Arbitrary<String> base64ish =
        Arbitraries.strings()
            .withChars((BASE64_ALPHABET + "= -_").toCharArray())
            .ofMinLength(40)
            .ofMaxLength(48);
    Arbitrary<String> mutated =
        Combinators.combine(
                valid,
                Arbitraries.integers().between(0, 43),
                Arbitraries.of((BASE64_ALPHABET + "= ").toCharArray()))
            .as((h, i, c) -> h.substring(0, i) + c + h.substring(i + 1));
    return Arbitraries.oneOf(valid, base64ish, mutated, Arbitraries.strings());
  }

  private static String sign(byte[] seed, long ts, String content) {
    return AnProto.sign(Hash.of(content), ts, KeyPair.fromSeed(seed)).toString();
  }

  private static char other(char c) {
    return c == 'A' ? 'B' : 'A';
  }
}
