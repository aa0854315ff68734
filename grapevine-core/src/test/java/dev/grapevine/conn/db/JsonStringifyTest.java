package dev.grapevine.conn.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonStringifyTest {
  /** Compact input; {@code "f":1.0} is a double, and the name holds escapes, DEL and U+2028. */
  private static final String INPUT =
      "{\"ws://a\":{\"birth\":1650000000000,\"name\":\"café 😀 \\\"q\\\" \\\\ / \\n\\t\\u0001\\u001f\u007f\u2028\",\"nested\":{\"a\":[1,2.5,[],{}],\"e\":{}},\"arr\":[],\"n\":null,\"b\":true,\"f\":1.0,\"big\":1e+21,\"small\":1.5e-7,\"neg\":-0.001,\"lone\":\"\\udc00\"}}";

  /** What {@code JSON.stringify(JSON.parse(INPUT), null, 2)} prints in Node.js. */
  private static final String EXPECTED =
      "{\n  \"ws://a\": {\n    \"birth\": 1650000000000,\n    \"name\": \"café 😀 \\\"q\\\" \\\\ / \\n\\t\\u0001\\u001f\u007f\u2028\",\n    \"nested\": {\n      \"a\": [\n        1,\n        2.5,\n        [],\n        {}\n      ],\n      \"e\": {}\n    },\n    \"arr\": [],\n    \"n\": null,\n    \"b\": true,\n    \"f\": 1,\n    \"big\": 1e+21,\n    \"small\": 1.5e-7,\n    \"neg\": -0.001,\n    \"lone\": \"\\udc00\"\n  }\n}";

  @Test
  void writesTheBytesOfJavaScriptStringify() throws Exception {
    assertThat(JsonStringify.stringify(new ObjectMapper().readTree(INPUT))).isEqualTo(EXPECTED);
  }

  @Test
  void emptyContainersAndNoTrailingNewline() {
    assertThat(JsonStringify.stringify(JsonNodeFactory.instance.objectNode())).isEqualTo("{}");
    assertThat(JsonStringify.stringify(JsonNodeFactory.instance.arrayNode())).isEqualTo("[]");
  }

  @Test
  void escapesLikeQuoteJsonString() {
    StringBuilder sb = new StringBuilder();
    JsonStringify.quote("a\u0000\u001b\b\f\r\"\\\ud800x\ud83d\ude00\u00e9", sb);
    assertThat(sb.toString())
        .isEqualTo("\"a\\u0000\\u001b\\b\\f\\r\\\"\\\\\\ud800x\ud83d\ude00\u00e9\"");
  }

  /** The right column is what Node.js prints for the left one. */
  @ParameterizedTest
  @CsvSource({
    "0.1, 0.1",
    "1e21, 1e+21",
    "1.2345678901234568e20, 123456789012345680000",
    "1e20, 100000000000000000000",
    "1e-7, 1e-7",
    "0.000001, 0.000001",
    "0.000123456789, 0.000123456789",
    "4.9e-324, 5e-324",
    "1.7976931348623157e308, 1.7976931348623157e+308",
    "0.30000000000000004, 0.30000000000000004",
    "100, 100",
    "0.6666666666666666, 0.6666666666666666",
    "-0.0, 0",
    "1500.5, 1500.5",
    "-12345678.9, -12345678.9",
    "9007199254740994, 9007199254740994",
    "4.35, 4.35",
    "NaN, null",
    "Infinity, null",
  })
  void numbersAsJavaScriptPrintsThem(double value, String expected) {
    assertThat(JsonStringify.number(value)).isEqualTo(expected);
  }
}
