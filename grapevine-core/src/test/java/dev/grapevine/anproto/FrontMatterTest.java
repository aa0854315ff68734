package dev.grapevine.anproto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.anproto.StdYamlSchema.Type;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.arbitraries.StringArbitrary;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Front matter behaviour beyond the golden files: key order, typing, escapes, robustness. */
class FrontMatterTest {
  /**
   * The {@code @std/front-matter} 1.0.5 YAML pattern written as a Java regex, with JavaScript's
   * whitespace and line breaks spelled out: the oracle for the linear scan.
   */
  private static final Pattern EXTRACTOR_PATTERN =
      Pattern.compile(
          "\\uFEFF?(?:---yaml|= yaml =|---)(?![^\\n\\r\\u2028\\u2029])([\\s\\S]+?)"
              + "(?<![^\\n\\r\\u2028\\u2029])(?:---|= yaml =)"
              + "[\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]*"
              + "(?![^\\n\\r\\u2028\\u2029])\\r?\\n?",
          Pattern.CASE_INSENSITIVE);

  @Test
  void emitWritesKeysInInsertionOrderOneLinePerKey() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("previous", "eIqr39tHWxk1LVrYNLxiDR5G83woZYeuI47vmvF9Hmo=");
    meta.put("name", "Alice");

    assertThat(FrontMatter.emit(meta))
        .isEqualTo("previous: eIqr39tHWxk1LVrYNLxiDR5G83woZYeuI47vmvF9Hmo=\nname: Alice\n");
  }

  @Test
  void emitPutsArrayIndexKeysFirstInNumericOrderLikeAJavaScriptObject() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("name", "A");
    meta.put("10", "x");
    meta.put("2", "y");
    meta.put("02", "z");

    assertThat(FrontMatter.emit(meta)).isEqualTo("'2': 'y'\n'10': x\nname: A\n'02': z\n");
  }

  @Test
  void emitOfAnEmptyMapIsAnEmptyFlowMapping() {
    assertThat(FrontMatter.emit(Map.of())).isEqualTo("{}\n");
  }

  @Test
  void emitRejectsANullValueNamingItsKey() {
    Map<String, String> meta = new HashMap<>();
    meta.put("name", null);

    assertThatThrownBy(() -> FrontMatter.emit(meta))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value of name");
  }

  @Test
  void composeWithoutMetaLeavesTheBodyAsTheWholeContent() {
    Content content = Content.compose("---\nname: x\n---\nlooks like front matter", Map.of());

    assertThat(content.text()).isEqualTo("---\nname: x\n---\nlooks like front matter");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Alice      | STRING",
        "0o17       | STRING",
        "08         | STRING",
        "+.5        | STRING",
        "1:20       | STRING",
        "yes        | STRING",
        "1_         | STRING",
        "1234       | INTEGER",
        "017        | INTEGER",
        "0b101      | INTEGER",
        "0x1F       | INTEGER",
        "1_000      | INTEGER",
        "-0         | INTEGER",
        "1.5        | FLOAT",
        "1e3        | FLOAT",
        ".5         | FLOAT",
        "-.inf      | FLOAT",
        ".NaN       | FLOAT",
        "True       | BOOLEAN",
        "~          | NULL",
        "2024-01-01 | TIMESTAMP",
        "<<         | MERGE_KEY"
      })
  void plainScalarsHaveTheReferenceTypes(String text, Type type) {
    assertThat(StdYamlSchema.typeOfPlain(text)).isEqualTo(type);
  }

  @Test
  void plainScalarsAreReadWithTheReferenceTypes() {
    Content content =
        Content.parse(
            "---\n"
                + "octal: 017\n"
                + "underscored: 1_000\n"
                + "binary: -0b101\n"
                + "hex: 0x7FFFFFFFFFFFFFFFFF\n"
                + "long: 4294967296\n"
                + "exp: 1e3\n"
                + "inf: -.inf\n"
                + "o: 0o17\n"
                + "leadingZero: 08\n"
                + "signedDot: +.5\n"
                + "yes: yes\n"
                + "date: 2024-01-01\n"
                + "empty:\n"
                + "---\n");

    assertThat(content.attributes())
        .containsEntry("octal", 15)
        .containsEntry("underscored", 1000)
        .containsEntry("binary", -5)
        .containsEntry("hex", new BigInteger("7FFFFFFFFFFFFFFFFF", 16))
        .containsEntry("long", 4294967296L)
        .containsEntry("exp", 1000.0)
        .containsEntry("inf", Double.NEGATIVE_INFINITY)
        .containsEntry("o", "0o17")
        .containsEntry("leadingZero", "08")
        .containsEntry("signedDot", "+.5")
        .containsEntry("yes", "yes")
        .containsEntry("date", "2024-01-01")
        .containsEntry("empty", null);
  }

  @Test
  void lineAndParagraphSeparatorEscapesAreRead() {
    Content content = Content.parse("---\nname: \"a\\Lb\\Pc\\Ld\"\n---\nbody");

    assertThat(content.string("name")).contains("a\u2028b\u2029c\u2028d");
    assertThat(content.body()).isEqualTo("body");
  }

  @Test
  void lineSeparatorEscapeAfterSupplementaryCharactersIsFoundAtTheRightPlace() {
    String emoji = "\uD83D\uDE00";
    Content content =
        Content.parse(
            "---\nbio: \"" + emoji + " \\U0001F600\"\nname: \"" + emoji + "\\L\\L\"\n---\nx");

    assertThat(content.string("name")).contains(emoji + "\u2028\u2028");
    assertThat(content.string("bio")).contains(emoji + " " + emoji);
  }

  @Test
  void backslashLOutsideDoubleQuotesStaysText() {
    Content content =
        Content.parse("---\nsingle: 'C:\\Logs'\nplain: C\\Logs\nescaped: \"C:\\\\Logs\"\n---\n");

    assertThat(content.attributes())
        .containsEntry("single", "C:\\Logs")
        .containsEntry("plain", "C\\Logs")
        .containsEntry("escaped", "C:\\Logs");
  }

  @Test
  void unknownEscapeOtherThanLineOrParagraphSeparatorMeansNoFrontMatter() {
    String text = "---\nname: \"a\\qb\"\n---\nbody";

    Content content = Content.parse(text);

    assertThat(content.attributes()).isEmpty();
    assertThat(content.body()).isEqualTo(text);
  }

  @Test
  void deeplyNestedFrontMatterIsNotFrontMatterAndDoesNotThrow() {
    String text = "---\nname: " + "[".repeat(20_000) + "\n---\nbody";

    Content content = Content.parse(text);

    assertThat(content.attributes()).isEmpty();
    assertThat(content.body()).isEqualTo(text);
  }

  @Test
  void parseKeepsTheExactTextAndHash() {
    String text = "---\r\nname: Alice\r\n---\r\n\r\nbody\r\n";

    Content content = Content.parse(text);

    assertThat(content.text()).isEqualTo(text);
    assertThat(content.hash()).isEqualTo(Hash.of(text));
    assertThat(content.body()).isEqualTo("body\r\n");
  }

  @Test
  void leadingBlankLinesOfTheBodyAreDroppedOnParseAsUpstream() {
    Content composed = Content.compose("\n\nHello", Map.of("name", "Alice"));

    assertThat(composed.text()).isEqualTo("---\nname: Alice\n---\n\n\nHello");
    assertThat(Content.parse(composed.text()).body()).isEqualTo("Hello");
  }

  @Property(tries = 3000, seed = "20250814")
  void fenceScanAgreesWithTheExtractorPatternAsAJavaRegex(@ForAll("fencedTexts") String text) {
    Matcher m = EXTRACTOR_PATTERN.matcher(text);
    FrontMatter.Fences expected =
        m.lookingAt() ? new FrontMatter.Fences(m.start(1), m.end(1), m.end()) : null;

    assertThat(FrontMatter.Fences.find(text)).isEqualTo(expected);
  }

  /** Texts made of the pieces that matter to the fences: fence lines, breaks, spaces. */
  @Provide
  Arbitrary<String> fencedTexts() {
    return Arbitraries.of(
            "---",
            "---yaml",
            "---YAML",
            "= yaml =",
            "= YaMl =",
            "----",
            "-",
            "=",
            "\n",
            "\r",
            "\r\n",
            "\u2028",
            "\u2029",
            "\u0085",
            " ",
            "\t",
            "\u00a0",
            "\ufeff",
            "a",
            "name: x")
        .list()
        .ofMaxSize(14)
        .map(pieces -> String.join("", pieces));
  }

  @Property(tries = 1000, seed = "20250814")
  void emittedYamlLoadsBackToTheSameStrings(@ForAll("metas") Map<String, String> meta) {
    assertThat(FrontMatter.load(FrontMatter.emit(meta))).isEqualTo(meta);
  }

  /** Maps of strings rich in what changes the scalar style: indicators, breaks, long lines. */
  @Provide
  Arbitrary<Map<String, String>> metas() {
    StringArbitrary tricky =
        Arbitraries.strings()
            .withChars("ab -:#'\"\\\n\t?!&*|>%@`,[]{}~.+=/01289eE_xo".toCharArray())
            .withChars('\u00a0', '\u0085', '\u2028', '\u2029', '\ufeff', '\u00e9', '\u65e5')
            .withChars('\ud83d', '\ude00');
    Arbitrary<String> words =
        Arbitraries.strings().withChars("abc ".toCharArray()).ofMinLength(60).ofMaxLength(300);
    Arbitrary<String> values =
        Arbitraries.oneOf(tricky.ofMaxLength(200), words, Arbitraries.strings());
    Arbitrary<String> keys = Arbitraries.oneOf(tricky.ofMaxLength(12), Arbitraries.strings());
    return Arbitraries.maps(keys, values).ofMaxSize(6);
  }

  @Test
  void aWiredoveFrontMatterTakesTheFastPathAndReadsAsStrings() {
    String yaml = "name: Alice Smith\nprevious: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    assertThat(FrontMatter.loadSimple(yaml))
        .containsExactly(
            Map.entry("name", "Alice Smith"),
            Map.entry("previous", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="))
        .isEqualTo(FrontMatter.loadWithSnakeYaml(yaml));
  }

  @Test
  void theFastPathLeavesTypedValuesDuplicatesAndOtherShapesToSnakeYaml() {
    for (String yaml :
        List.of(
            "n: 12",
            "flag: true",
            "day: 2024-01-01",
            "x: ~",
            "a: b\na: c",
            "a:  b",
            "a: b # c",
            "a: 'b'",
            "- a",
            "a: b\r\nc: d",
            "a: b\n\nc: d",
            "12: b",
            "a: b\n")) {
      assertThat(FrontMatter.loadSimple(yaml)).as(yaml).isNull();
    }
  }

  @Test
  void frontMatterTooLongForSnakeYamlIsNotReadByTheFastPathEither() {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; yaml.length() < 3_200_000; i++) {
      yaml.append(i == 0 ? "" : "\n").append('k').append(i).append(": v");
    }
    String text = "---\n" + yaml + "\n---\nbody";

    assertThat(FrontMatter.loadSimple(yaml.toString())).isNull();
    assertThat(Content.parse(text).attributes()).isEmpty();
  }

  @Property(tries = 5000, seed = "20261207")
  void theFastPathReadsWhatSnakeYamlReadsWheneverItAnswers(@ForAll("simpleLooking") String yaml) {
    Map<String, Object> fast = FrontMatter.loadSimple(yaml);
    if (fast != null) {
      assertThat(fast).isEqualTo(FrontMatter.loadWithSnakeYaml(yaml));
    }
    Statistics.collect(fast != null);
    Statistics.coverage(checker -> checker.check(true).percentage(p -> p > 5));
  }

  /** Lines that are mostly {@code key: value}, from characters near the fast path's edges. */
  @Provide
  Arbitrary<String> simpleLooking() {
    Arbitrary<String> word =
        Arbitraries.strings().withChars("aZ09_-+/=. :#'\"~tTrue\r".toCharArray()).ofMaxLength(12);
    Arbitrary<String> line =
        Arbitraries.oneOf(
            Combinators.combine(word, Arbitraries.of(": ", ":  ", ":", " : "), word)
                .as((k, sep, v) -> k + sep + v),
            Arbitraries.of("name: Alice", "previous: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
            word);
    return line.list().ofMinSize(1).ofMaxSize(5).map(lines -> String.join("\n", lines));
  }

  @Property(tries = 5000, seed = "20261207")
  void theFirstCharacterShortcutNeverMissesATypedScalar(@ForAll("scalarLike") String text) {
    assertThat(StdYamlSchema.typeOfPlain(text)).isEqualTo(StdYamlSchema.typeByPatterns(text));
  }

  /** Short strings of the characters numbers, booleans, nulls and timestamps are made of. */
  @Provide
  Arbitrary<String> scalarLike() {
    return Arbitraries.oneOf(
        Arbitraries.strings()
            .withChars("0123456789+-._:~<eExXoObBaAfFtTnNuUlLrRsSiIzZ ")
            .ofMaxLength(12),
        Arbitraries.of(
            "true",
            "False",
            "NULL",
            "~",
            ".inf",
            "-.Inf",
            ".NaN",
            "0x1F",
            "0o17",
            "<<",
            "2024-01-01",
            "2024-1-1 10:00:00 +1",
            "1_000",
            "+12",
            "-0",
            "1e5",
            "null"));
  }
}
