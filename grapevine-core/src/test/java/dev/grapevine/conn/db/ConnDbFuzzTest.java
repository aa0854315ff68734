package dev.grapevine.conn.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Fuzz target for loading {@code conn.json}: whatever bytes the file holds, {@link ConnDb#open}
 * starts (it never throws), leaves a file that loads again to the same entries without further
 * healing, keeps a byte-exact copy of a file it could not take whole, and takes a healthy file as
 * it is. Seeds under {@code
 * src/test/resources/dev/grapevine/conn/db/ConnDbFuzzTestInputs/<method>/}.
 */
class ConnDbFuzzTest {
  private static final ObjectMapper STRICT =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final ConnDbConfig CONFIG = ConnDbConfig.DEFAULT;

  @FuzzTest
  void anyFileLoadsAndIsLeftHealthyWithNothingSilentlyLost(byte[] input) throws IOException {
    Path dir = Files.createTempDirectory("conndb-fuzz");
    try {
      Path file = dir.resolve(ConnDb.FILE_NAME);
      Files.write(file, input);
      TestScheduler scheduler = new TestScheduler(1_650_000_000_000L);

      List<Map.Entry<String, PeerData>> loaded;
      try (ConnDb db = ConnDb.open(dir, scheduler, CONFIG, Runnable::run, null)) {
        loaded = db.entries();
      }

      String text = new String(input, StandardCharsets.UTF_8);
      JsonNode original = strictObject(text);
      boolean healthy = original != null && allObjects(original);
      if (healthy || text.isBlank()) {
        assertThat(Files.readAllBytes(file))
            .as("a healthy file is taken as it is")
            .isEqualTo(input);
        assertThat(backups(dir)).isEmpty();
      }
      if (healthy) {
        assertThat(keys(loaded)).containsExactlyElementsOf(fieldNames(original));
      }
      for (Path backup : backups(dir)) {
        assertThat(Files.readAllBytes(backup))
            .as("the backup is the file as found")
            .isEqualTo(input);
      }
      byte[] written = Files.readAllBytes(file);
      String writtenText = new String(written, StandardCharsets.UTF_8);
      if (!writtenText.isBlank()) {
        JsonNode now = strictObject(writtenText);
        assertThat(now).as("conn.json is one JSON object").isNotNull();
        assertThat(allObjects(now)).as("every entry of conn.json is an object").isTrue();
        assertThat(fieldNames(now)).containsExactlyElementsOf(keys(loaded));
      }

      List<Path> backupsBefore = backups(dir);
      try (ConnDb again = ConnDb.open(dir, scheduler, CONFIG, Runnable::run, null)) {
        assertThat(again.entries()).as("loading twice gives the same entries").isEqualTo(loaded);
      }
      assertThat(backups(dir)).as("the second load needs no repair").isEqualTo(backupsBefore);
      assertThat(Files.readAllBytes(file)).isEqualTo(written);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static JsonNode strictObject(String text) {
    try {
      JsonNode n = STRICT.readTree(text);
      return n != null && n.isObject() ? n : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static boolean allObjects(JsonNode object) {
    for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
      if (!it.next().isObject()) {
        return false;
      }
    }
    return true;
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> keys(List<Map.Entry<String, PeerData>> entries) {
    return entries.stream().map(Map.Entry::getKey).collect(Collectors.toList());
  }

  private static List<Path> backups(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith(ConnDb.CORRUPT_NAME))
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
