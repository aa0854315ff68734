package dev.grapevine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.SignedMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that is writing to the store ({@code SIGKILL}) and checks that everything it
 * acknowledged survived and the database is intact.
 */
class SqliteDurabilityTest {
  private static final String EOF = "\u0000EOF";
  private static final int ACKS_BEFORE_KILL = 610;

  @TempDir Path dir;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void killingTheWriterProcessLosesNothingAcknowledged() throws Exception {
    Path db = dir.resolve("durable.db");
    Path stderr = dir.resolve("child-stderr.txt");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DurabilityChild.class.getName(),
                db.toString())
            .redirectError(stderr.toFile())
            .start();
    Set<Hash> acked = new LinkedHashSet<>();
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> pump(child, lines), "durability-child-stdout");
      reader.setDaemon(true);
      reader.start();

      while (acked.size() < ACKS_BEFORE_KILL) {
        String line = lines.poll(60, TimeUnit.SECONDS);
        if (line == null || line.equals(EOF)) {
          fail("The child stopped after " + acked.size() + " acks: " + Files.readString(stderr));
        }
        collect(line, acked);
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(30));
      // Acks printed just before the kill count too.
      for (String line = lines.poll(); line != null; line = lines.poll()) {
        collect(line, acked);
      }
    } finally {
      child.destroyForcibly();
    }

    assertThat(acked).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);
    try (MessageStore store = MessageStore.sqlite(db)) {
      List<LogEntry> entries = store.query();
      Set<Hash> stored = new HashSet<>();
      for (LogEntry e : entries) {
        stored.add(e.hash());
        assertThat(Hash.of(e.sig())).isEqualTo(e.hash());
        assertThat(SignedMessage.parse(e.sig()).verify().opened()).isEqualTo(e.opened());
        assertThat(store.get(e.hash())).contains(e.sig());
      }
      assertThat(stored).containsAll(acked);
      assertThat(store.count()).isEqualTo(entries.size());
    }
    assertThat(integrityCheck(db)).containsExactly("ok");
  }

  private static void pump(Process child, BlockingQueue<String> lines) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      // the child was killed mid-line
    } finally {
      lines.add(EOF);
    }
  }

  private static void collect(String line, Set<Hash> acked) {
    if (line.startsWith(DurabilityChild.ACK)) {
      String hash = line.substring(DurabilityChild.ACK.length());
      if (Hash.isValid(hash)) { // a line cut short by the kill is not an ack
        acked.add(Hash.parse(hash));
      }
    }
  }

  private static List<String> integrityCheck(Path db) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
