package dev.grapevine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.bench.IngestBench.StoreKind;
import dev.grapevine.bench.PostCorpus.Post;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs the end-to-end benchmarks with tiny inputs: everything must arrive. No timing asserts. The
 * pub keeps its default settings (contents sent right behind their messages wait in the messages'
 * claims, whatever the size of the unclaimed-blob cache; the sync tests prove that).
 */
class IngestBenchTest {
  private static IngestBench.Options tiny(StoreKind store) {
    return IngestBench.Options.builder()
        .messages(500)
        .authors(5)
        .warmupMessages(100)
        .repeat(2)
        .store(store)
        .timeout(Duration.ofMinutes(2))
        .verifyTimes(Duration.ZERO, Duration.ofMillis(200))
        .build();
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void everyMessageAndContentArrivesAndTheReportHasItsFields(StoreKind store) throws Exception {
    List<String> lines = new ArrayList<>();
    IngestReport report = new IngestBench(tiny(store), lines::add).run();

    assertThat(report.failure()).isNull();
    assertThat(report.verdict()).isIn(Verdict.PASS, Verdict.BELOW_FLOOR);
    assertThat(report.complete()).isTrue();
    assertThat(report.store()).isEqualTo(store.label());
    assertThat(report.messages()).isEqualTo(500);
    assertThat(report.warmupMessages()).isEqualTo(100);
    assertThat(report.pubSettings()).isEqualTo("defaults");
    assertThat(report.runs()).hasSize(2);
    assertThat(report.frames()).isEqualTo(1_000);
    assertThat(report.pub().storedMessages()).isEqualTo(500);
    assertThat(report.pub().storedContents()).isEqualTo(500);
    assertThat(report.pub().messagesStored()).isEqualTo(500);
    assertThat(report.pub().dropped()).isZero();
    assertThat(report.pub().rejected()).isZero();
    assertThat(report.client().framesSent()).isEqualTo(1_000);
    assertThat(report.messagesPerSecond()).isPositive();
    assertThat(report.verify().perSecond()).isPositive();
    assertThat(report.ratio()).isPositive();
    assertThat(report.machine().cores()).isPositive();
    assertThat(lines).isNotEmpty();

    JsonNode json = new ObjectMapper().readTree(Reports.json(report));
    for (String field :
        List.of(
            "benchmark",
            "date",
            "machine",
            "store",
            "messages",
            "messagesPerSecond",
            "elapsedMillis",
            "verify",
            "ratio",
            "runs",
            "cpu",
            "disk",
            "floor",
            "verdict",
            "pub",
            "client")) {
      assertThat(json.has(field)).as(field).isTrue();
    }
    assertThat(json.get("verify").get("perSecond").asDouble()).isPositive();
    assertThat(json.get("pub").get("dropped").asLong()).isZero();
    assertThat(json.get("pub").has("pausedShare")).isTrue();
    assertThat(json.get("cpu").get("threadMillis").size()).isPositive();
    assertThat(json.get("verdict").asText()).isIn("PASS", "BELOW FLOOR");

    assertThat(report.toMarkdown())
        .contains("| Metric | Value |", "Messages/s ingested (" + store.label() + ")", "Ratio");
  }

  @Test
  void postsFormChainsWithTheFrontMatterOfARealClient() {
    List<Post> posts = PostCorpus.generate(30, 3, IngestBench.START_MILLIS);

    assertThat(posts).hasSize(30);
    assertThat(PostCorpus.generate(30, 3, IngestBench.START_MILLIS)).isEqualTo(posts);
    for (int i = 0; i < posts.size(); i++) {
      Post p = posts.get(i);
      assertThat(SignedMessage.parse(p.signedFrame()).verify()).isEqualTo(p.message());
      assertThat(Hash.of(p.content())).isEqualTo(p.message().contentHash());
      Content c = Content.parse(p.content());
      assertThat(c.string("name")).isPresent();
      if (i < 3) {
        assertThat(c.string("previous")).isEmpty();
      } else {
        assertThat(c.hash("previous")).contains(posts.get(i - 3).message().hash());
        assertThat(p.message().author()).isEqualTo(posts.get(i - 3).message().author());
      }
    }
  }

  @Test
  void verifyReportHasItsFields() throws Exception {
    VerifyReport report = VerifyReport.measure(1, Duration.ZERO, Duration.ofMillis(200));

    assertThat(report.singleThread().perSecond()).isPositive();
    assertThat(report.allCores().perSecond()).isPositive();
    JsonNode json = new ObjectMapper().readTree(Reports.json(report));
    assertThat(json.get("allCores").get("perSecond").asDouble()).isPositive();
    assertThat(report.toMarkdown()).contains("| Metric | Value |");
  }
}
