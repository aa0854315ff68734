package dev.grapevine.tests.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.conn.db.ConnDb;
import dev.grapevine.testing.ManualScheduler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills ({@code SIGKILL}) a process while it rewrites {@code conn.json} again and again, several
 * times over the same directory: each time the file loads strictly, whole, as the last round the
 * process acknowledged or the one it was writing, never a mix, and {@link ConnDb} opens it without
 * repairs.
 */
class ConnDbCrashTest {
  private static final String EOF = "\u0000EOF";
  private static final int KILLS = 4;
  private static final ObjectMapper STRICT =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void killingTheWriterLeavesAWholeOldOrNewConnJson() throws Exception {
    long lastRound = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      // A different number of rounds each time, so the kill lands at different points of a write.
      long acked = runAndKill(3 + 5 * kill);
      assertThat(acked).as("rounds acknowledged before kill %d", kill + 1).isGreaterThan(lastRound);

      byte[] bytes = Files.readAllBytes(dir.resolve(ConnDb.FILE_NAME));
      JsonNode root = STRICT.readTree(bytes);
      assertThat(root.isObject()).as("conn.json is one whole JSON object").isTrue();
      assertThat(root.size()).isEqualTo(ConnDbWriter.PEERS);
      Set<Long> rounds = new HashSet<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        rounds.add(it.next().getValue().get("round").asLong());
      }
      assertThat(rounds).as("every entry from the same write").hasSize(1);
      long round = rounds.iterator().next();
      assertThat(round)
          .as("the acknowledged round %d or the one being written", acked)
          .isBetween(acked, acked + 1);

      try (ManualScheduler scheduler = ManualScheduler.at(Instant.now());
          ConnDb db = ConnDb.open(dir, scheduler)) {
        assertThat(db.size()).isEqualTo(ConnDbWriter.PEERS);
        assertThat(db.get(ConnDbWriter.address(0)).flatMap(d -> d.get("round")))
            .hasValueSatisfying(n -> assertThat(n.asLong()).isEqualTo(round));
      }
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as("nothing had to be repaired")
            .noneMatch(name -> name.startsWith("conn.json.corrupt"));
      }
      lastRound = round;
    }
  }

  /**
   * Starts the writer, waits for {@code rounds} acknowledgements, kills it; the last round acked.
   */
  private long runAndKill(int rounds) throws IOException, InterruptedException {
    Path stderr = dir.resolve("writer-stderr.txt");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ConnDbWriter.class.getName(),
                dir.toString())
            .redirectError(stderr.toFile())
            .start();
    long acked = 0;
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> pump(child, lines), "conndb-writer-stdout");
      reader.setDaemon(true);
      reader.start();
      for (int seen = 0; seen < rounds; ) {
        String line = lines.poll(60, TimeUnit.SECONDS);
        if (line == null || line.equals(EOF)) {
          fail("The writer stopped after " + seen + " rounds: " + Files.readString(stderr));
        }
        if (line.startsWith(ConnDbWriter.WROTE)) {
          acked = Long.parseLong(line.substring(ConnDbWriter.WROTE.length()));
          seen++;
        }
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(30));
      for (String line = lines.poll(); line != null; line = lines.poll()) {
        if (line.startsWith(ConnDbWriter.WROTE)) {
          try {
            acked = Long.parseLong(line.substring(ConnDbWriter.WROTE.length()));
          } catch (NumberFormatException cutShortByTheKill) {
            // not an acknowledgement
          }
        }
      }
    } finally {
      child.destroyForcibly();
    }
    return acked;
  }

  private static void pump(Process child, BlockingQueue<String> lines) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      // killed mid-line
    } finally {
      lines.add(EOF);
    }
  }
}
