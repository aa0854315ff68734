package dev.grapevine.tests.fault;

import dev.grapevine.clock.Scheduler;
import dev.grapevine.conn.db.ConnDb;
import dev.grapevine.conn.db.PeerData;
import dev.grapevine.testing.TestKeys;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The process {@link ConnDbCrashTest} kills: opens the {@link ConnDb} in {@code args[0]} and
 * rewrites it in rounds, every one of {@link #PEERS} entries carrying the round number, printing
 * {@code WROTE <round>} (flushed) after each round's {@link ConnDb#flush()} returned. It continues
 * from the round it finds in the file, and stops by itself after a minute in case nobody kills it.
 */
public final class ConnDbWriter {
  static final String WROTE = "WROTE ";
  static final int PEERS = 200;

  private ConnDbWriter() {}

  /** The address of peer {@code i}. */
  static String address(int i) {
    return "ws://10.0."
        + (i / 250)
        + "."
        + (i % 250 + 1)
        + ":9000~shs:"
        + TestKeys.key(i).publicKey();
  }

  public static void main(String[] args) {
    long deadline = System.nanoTime() + 60_000_000_000L;
    String[] addresses = new String[PEERS];
    for (int i = 0; i < PEERS; i++) {
      addresses[i] = address(i);
    }
    try (Scheduler scheduler = Scheduler.system("conndb-writer-timer");
        ConnDb db = ConnDb.open(Path.of(args[0]), scheduler)) {
      long round =
          db.get(addresses[0]).flatMap(d -> d.get("round")).map(n -> n.asLong() + 1).orElse(1L);
      for (; System.nanoTime() < deadline; round++) {
        for (int i = 0; i < PEERS; i++) {
          Map<String, Object> fields = new LinkedHashMap<>();
          fields.put("round", round);
          fields.put("type", "pub");
          fields.put("note", "round " + round + " of peer " + i);
          db.set(addresses[i], PeerData.of(fields));
        }
        db.flush();
        System.out.println(WROTE + round);
        System.out.flush();
      }
    }
  }
}
