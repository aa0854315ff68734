package dev.grapevine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogEntryTest {
  private static final JsonNode A = TestMessages.vector("A");
  private static final VerifiedMessage MESSAGE_A =
      SignedMessage.parse(A.get("sig").asText()).verify();

  @Test
  void jsonHasTheReferenceKeysInOrderWithTsAsAString() {
    String json = LogEntry.of(7, MESSAGE_A, "Hello World").toJson();

    assertThat(json)
        .isEqualTo(
            "{\"hash\":\""
                + A.get("msgHash").asText()
                + "\",\"sig\":\""
                + A.get("sig").asText()
                + "\",\"author\":\""
                + TestMessages.vectors().get("keypair").get("pubkey").asText()
                + "\",\"opened\":\""
                + A.get("opened").asText()
                + "\",\"text\":\"Hello World\",\"ts\":\""
                + A.get("ts").asText()
                + "\"}");
  }

  @Test
  void jsonLeavesOutTextWhenTheContentIsAbsent() {
    String json = LogEntry.of(1, MESSAGE_A, null).toJson();

    assertThat(json).doesNotContain("text").endsWith("\",\"ts\":\"1755197841319\"}");
  }

  @Test
  void jsonEscapesStringsExactlyAsJavaScriptJsonStringify() {
    // What JSON.stringify gives: short escapes for \b \t \n \f \r, lower-case backslash-u00xx for
    // other
    // control characters, and "/", DEL, U+2028, non-ASCII and emoji left as they are.
    String text = "a/b ü 日本 😀 \u0001\u000b\u001f\t\b\f\r\n\"\\ \u007f \u2028";
    String expected = "a/b ü 日本 😀 \\u0001\\u000b\\u001f\\t\\b\\f\\r\\n\\\"\\\\ \u007f \u2028";

    String json = LogEntry.of(1, MESSAGE_A, text).toJson();

    assertThat(json).contains("\"text\":\"" + expected + "\",\"ts\"");
  }

  @Test
  void streamingToUtf8BytesWritesTheSameJsonAsToJson() throws IOException {
    LogEntry entry = LogEntry.of(1, MESSAGE_A, "emoji 😀 and ü");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = LogEntry.jsonFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
      entry.writeJson(g);
    }

    assertThat(bytes.toByteArray()).isEqualTo(entry.toJson().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void entryExposesTheOpenedParts() {
    LogEntry entry = LogEntry.of(3, MESSAGE_A, null);

    assertThat(entry.ts()).isEqualTo("1755197841319");
    assertThat(entry.timestampMillis()).isEqualTo(1_755_197_841_319L);
    assertThat(entry.contentHash().value()).isEqualTo(A.get("contentHash").asText());
    assertThat(entry.text()).isEmpty();
    assertThat(entry.seq()).isEqualTo(3);
    assertThat(entry.toString()).contains("seq=3").doesNotContain(entry.sig());
  }

  @Test
  void constructorRejectsAnInconsistentEntry() {
    assertThatThrownBy(() -> LogEntry.of(0, MESSAGE_A, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seq >= 1");
    assertThatThrownBy(
            () ->
                new LogEntry(
                    1,
                    MESSAGE_A.hash(),
                    MESSAGE_A.signed().value(),
                    TestMessages.keys(9).publicKey(),
                    MESSAGE_A.opened(),
                    null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
