package dev.grapevine.anproto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Front matter against golden data generated with the reference's own libraries ({@code
 * yaml/std-yaml-1.0.5-golden.json}: {@code @std/yaml} 1.0.5 {@code stringify}; {@code
 * yaml/std-front-matter-1.0.5-golden.json}: the reference {@code parseYaml}).
 */
class FrontMatterGoldenTest {
  private static final JsonNode EMIT = TestResources.json("/yaml/std-yaml-1.0.5-golden.json");
  private static final JsonNode PARSE =
      TestResources.json("/yaml/std-front-matter-1.0.5-golden.json");

  /**
   * Reference parse results that Grapevine gives differently, with what it gives instead (see
   * {@link FrontMatter}): no spreading of a non-mapping front matter, timestamps kept as text, no
   * merge keys, and no tab after a colon (SnakeYAML rejects it, so the text is all body).
   */
  private static final Map<String, String> KNOWN_PARSE_DIFFERENCES =
      Map.of(
          "list-front-matter", "{\"body\":\"body\"}",
          "string-front-matter", "{\"body\":\"body\"}",
          "date-value", "{\"name\":\"2024-01-01\",\"body\":\"x\"}",
          "merge-key",
              "{\"base\":{\"name\":\"Alice\"},\"<<\":{\"name\":\"Alice\"},\"body\":\"body\"}",
          "tab-after-colon", "{\"body\":\"---\\nname:\\tAlice\\n---\\nbody\"}");

  @TestFactory
  Stream<DynamicTest> emitReproducesStdYamlStringifyByteForByte() {
    return cases(EMIT)
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.get("id").asText(),
                    () ->
                        assertThat(FrontMatter.emit(TestResources.entries(c.get("entries"))))
                            .isEqualTo(c.get("yaml").asText())));
  }

  @TestFactory
  Stream<DynamicTest> emittedYamlLoadsBackToTheSameStrings() {
    return cases(EMIT)
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.get("id").asText(),
                    () -> {
                      Map<String, String> entries = TestResources.entries(c.get("entries"));
                      assertThat(FrontMatter.load(FrontMatter.emit(entries))).isEqualTo(entries);
                    }));
  }

  @TestFactory
  Stream<DynamicTest> composedContentParsesBackLikeTheReference() {
    Map<String, JsonNode> lossy = new LinkedHashMap<>();
    PARSE.get("lossyRoundTrips").forEach(c -> lossy.put(c.get("id").asText(), c.get("result")));
    return cases(EMIT)
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.get("id").asText(),
                    () -> {
                      String id = c.get("id").asText();
                      Map<String, String> entries = TestResources.entries(c.get("entries"));
                      Content content = Content.compose("body", entries);
                      JsonNode expected =
                          lossy.containsKey(id)
                              ? lossy.get(id)
                              : withBody(TestResources.JSON.valueToTree(entries), "body");
                      assertThat(asReferenceResult(Content.parse(content.text())))
                          .isEqualTo(expected);
                    }));
  }

  @TestFactory
  Stream<DynamicTest> parseMatchesTheReferenceExtractor() {
    return cases(PARSE)
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.get("id").asText(),
                    () -> {
                      String id = c.get("id").asText();
                      JsonNode expected =
                          KNOWN_PARSE_DIFFERENCES.containsKey(id)
                              ? TestResources.JSON.readTree(KNOWN_PARSE_DIFFERENCES.get(id))
                              : c.get("result");
                      assertThat(asReferenceResult(Content.parse(c.get("doc").asText())))
                          .isEqualTo(expected);
                    }));
  }

  @Test
  void everyKnownParseDifferenceIsAGoldenCase() {
    assertThat(cases(PARSE).map(c -> c.get("id").asText()))
        .containsAll(KNOWN_PARSE_DIFFERENCES.keySet());
  }

  @Test
  void goldenFilesSayWhereTheyComeFrom() {
    assertThat(EMIT.get("about").asText()).contains("@std/yaml 1.0.5").contains("stringify");
    assertThat(PARSE.get("about").asText()).contains("@std/front-matter 1.0.5");
    assertThat(EMIT.get("cases").size()).isGreaterThan(300);
  }

  /** The reference's {@code parseYaml} shape: the attributes with {@code body} set last. */
  private static JsonNode asReferenceResult(Content content) {
    Map<String, Object> result = new LinkedHashMap<>(content.attributes());
    result.put("body", content.body());
    return TestResources.JSON.valueToTree(result);
  }

  private static JsonNode withBody(JsonNode attributes, String body) {
    return ((ObjectNode) attributes.deepCopy()).put("body", body);
  }

  private static Stream<JsonNode> cases(JsonNode golden) {
    return StreamSupport.stream(golden.get("cases").spliterator(), false);
  }
}
