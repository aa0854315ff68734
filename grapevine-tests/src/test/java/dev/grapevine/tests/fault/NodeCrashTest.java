package dev.grapevine.tests.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import dev.grapevine.anproto.AnProto;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.KeyPair;
import dev.grapevine.anproto.VerifiedMessage;
import dev.grapevine.store.MessageStore;
import dev.grapevine.sync.PubClient;
import dev.grapevine.sync.SyncConfig;
import dev.grapevine.testing.ManualScheduler;
import dev.grapevine.testing.TestKeys;
import dev.grapevine.tests.conformance.JdkSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills ({@code SIGKILL}) a node process while a client pushes signed messages into it, restarts it
 * on the same data directory and port, and checks: every message it acknowledged is in its store,
 * SQLite's integrity check passes, and a peer that had it in its connect list comes back and syncs
 * with it both ways.
 *
 * <p>A message counts as acknowledged once the node relayed it to the peer: the node relays only
 * after the message's commit returned ({@code synchronous=FULL}), so a relayed message must survive
 * the kill. The peer's reconnect timer runs on a {@link ManualScheduler}.
 */
class NodeCrashTest {
  private static final String EOF = "\u0000EOF";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final int PUSH_AT_MOST = 20_000;
  private static final int ACKS_BEFORE_KILL = 300;
  private static final SyncConfig PEER_SYNC =
      SyncConfig.builder()
          .reconnectInitial(Duration.ofMillis(500))
          .reconnectMax(Duration.ofSeconds(1))
          .build();

  @TempDir Path dir;

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void killDuringIngestLosesNothingAcknowledgedAndTheNodeRejoinsItsPeer() throws Exception {
    Path data = dir.resolve("node");
    int port = freePort();
    URI url = URI.create("ws://127.0.0.1:" + port + "/");
    KeyPair author = TestKeys.key(7);
    ManualScheduler scheduler = ManualScheduler.at(T0);
    try (Node peer =
        Node.builder()
            .ephemeral(true)
            .port(0)
            .scheduler(scheduler)
            .clock(scheduler.asClock())
            .sync(PEER_SYNC)
            .start()) {
      Child node = Child.start(data, port, dir.resolve("node-1.log"));
      PubClient.Connection toNode;
      Set<Hash> acked = new HashSet<>();
      int pushed;
      try {
        toNode = peer.connect(url);
        soon().until(toNode::isOpen);

        AtomicInteger sent = new AtomicInteger();
        Thread pusher = new Thread(() -> push(url, author, sent), "crash-test-pusher");
        pusher.setDaemon(true);
        pusher.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(5))
            .until(() -> peer.store().hashLog().size() >= ACKS_BEFORE_KILL);

        node.kill();
        pushed = sent.get();
        pusher.join(TimeUnit.SECONDS.toMillis(30));
        soon().until(() -> !toNode.isOpen());
        acked.addAll(peer.store().hashLog());
      } finally {
        node.kill();
      }
      assertThat(pushed).as("killed during ingest, not after it").isLessThan(PUSH_AT_MOST);
      assertThat(acked).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

      Path db = data.resolve("grapevine.db");
      assertThat(integrityCheck(db)).isEqualTo("ok");
      try (MessageStore store = MessageStore.sqlite(db)) {
        Set<Hash> lost = new HashSet<>();
        for (Hash h : acked) {
          if (!store.has(h)) {
            lost.add(h);
          }
        }
        assertThat(lost).as("acknowledged messages missing after the kill").isEmpty();
      }

      Child restarted = Child.start(data, port, dir.resolve("node-2.log"));
      try {
        // The peer's backoff runs on the manual clock: step it until the peer is back.
        for (int step = 0; step < 100 && !toNode.isOpen(); step++) {
          scheduler.advance(Duration.ofMillis(100));
          try {
            await()
                .atMost(Duration.ofMillis(300))
                .pollInterval(Duration.ofMillis(5))
                .until(toNode::isOpen);
          } catch (ConditionTimeoutException notYet) {
            // the next step of the clock may be the one the retry waits for
          }
        }
        assertThat(toNode.isOpen()).as("the peer reconnected to the restarted node").isTrue();

        // A message pushed into the restarted node reaches the peer.
        VerifiedMessage after = sign(author, PUSH_AT_MOST + 1, "pushed after the restart");
        try (JdkSocket client = JdkSocket.open(url)) {
          client.send(after.signed().value());
          client.send(content(PUSH_AT_MOST + 1, "pushed after the restart"));
          soon().until(() -> peer.store().has(after.hash()));

          // And one the peer publishes reaches the restarted node: ask it over ANProto.
          VerifiedMessage fromPeer = peer.publish("published by the peer after the restart");
          await()
              .atMost(Duration.ofSeconds(20))
              .pollInterval(Duration.ofMillis(50))
              .untilAsserted(
                  () -> {
                    client.send(fromPeer.hash().value());
                    client.awaitFrame(fromPeer.signed().value());
                  });
        }
      } finally {
        restarted.stop();
      }
      assertThat(integrityCheck(db)).isEqualTo("ok");
    } finally {
      scheduler.close();
    }
  }

  /** Pushes signed messages and their contents until the node goes away or the cap is reached. */
  private static void push(URI url, KeyPair author, AtomicInteger sent) {
    try (JdkSocket client = JdkSocket.open(url)) {
      for (int i = 0; i < PUSH_AT_MOST; i++) {
        String text = "crash test post";
        client.send(sign(author, i, text).signed().value());
        client.send(content(i, text));
        sent.incrementAndGet();
      }
    } catch (Exception | AssertionError e) {
      // The node was killed: the socket fails. Everything sent before counts as pushed.
    }
  }

  private static String content(int i, String text) {
    return text + " " + i;
  }

  private static VerifiedMessage sign(KeyPair author, int i, String text) {
    return AnProto.sign(AnProto.hash(content(i, text)), T0.toEpochMilli() + i, author);
  }

  private static String integrityCheck(Path db) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
      StringBuilder out = new StringBuilder();
      while (r.next()) {
        out.append(out.length() == 0 ? "" : "; ").append(r.getString(1));
      }
      return out.toString();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static org.awaitility.core.ConditionFactory soon() {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
  }

  /** The node process: started, waited for, killed or stopped. */
  private static final class Child {
    private final Process process;
    private final Path log;

    private Child(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static Child start(Path data, int port, Path log) throws Exception {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  CrashNode.class.getName(),
                  data.toString(),
                  Integer.toString(port))
              .redirectError(log.toFile())
              .start();
      Child child = new Child(p, log);
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> pump(p, lines), "crash-node-stdout");
      reader.setDaemon(true);
      reader.start();
      while (true) {
        String line = lines.poll(60, TimeUnit.SECONDS);
        if (line == null || line.equals(EOF)) {
          p.destroyForcibly();
          fail("The node did not start: " + Files.readString(log));
        }
        if (line.startsWith(CrashNode.READY)) {
          return child;
        }
      }
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Closes its standard input (a clean stop) and waits; kills it if it does not stop. */
    void stop() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
        fail("The node did not stop on end of input: " + Files.readString(log));
      }
    }

    private static void pump(Process child, BlockingQueue<String> lines) {
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
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
}
