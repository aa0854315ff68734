package dev.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grapevine.Node;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ConnCommandsTest {
  private Node node;
  private Node other;

  @BeforeEach
  void start() throws Exception {
    node = Node.builder().ephemeral(true).port(0).start();
    other = Node.builder().ephemeral(true).port(0).start();
  }

  @AfterEach
  void stop() {
    node.close();
    other.close();
  }

  private String otherAddress() {
    return "ws://127.0.0.1:" + other.localAddress().getPort() + "~shs:" + other.publicKey();
  }

  private CliRun run(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--node";
    all[args.length + 1] = node.httpUrl().toString();
    return CliRun.run(all);
  }

  @Test
  void connectPeersAndDisconnectManageARunningNode() {
    CliRun connect = run("connect", otherAddress());
    assertThat(connect.status).as(connect.err()).isZero();
    assertThat(connect.out()).contains("connected to " + otherAddress());

    CliRun peers = run("peers");
    assertThat(peers.status).as(peers.err()).isZero();
    assertThat(peers.out()).contains("connected").contains(otherAddress()).contains("1 peer(s)");

    CliRun disconnect = run("disconnect", otherAddress());
    assertThat(disconnect.out()).contains("disconnected from");
    await().atMost(Duration.ofSeconds(10)).until(() -> node.conn().peers().isEmpty());
  }

  @Test
  void rememberForgetStageAndStagedChangeTheNodesLists() {
    CliRun remember = run("remember", otherAddress(), "--data", "{\"type\":\"pub\"}");
    assertThat(remember.status).as(remember.err()).isZero();
    assertThat(node.conn().db().has(otherAddress())).isTrue();

    CliRun forget = run("forget", otherAddress());
    assertThat(forget.out()).contains("forgot");
    assertThat(node.conn().db().has(otherAddress())).isFalse();

    assertThat(run("stage", otherAddress()).out()).contains("staged " + otherAddress());
    CliRun staged = run("staged", "--json");
    assertThat(staged.status).as(staged.err()).isZero();
    assertThat(staged.out()).contains("\"count\" : 1").contains(otherAddress());
    assertThat(run("unstage", otherAddress()).out()).contains("unstaged");
  }

  @Test
  void aBadAddressOrAnAbsentNodeFailsWithOneClearLine() throws Exception {
    CliRun bad = run("remember", "ws://nowhere~shs:short");
    assertThat(bad.status).isEqualTo(1);
    assertThat(bad.err()).contains("remember:").contains("failed (400)");

    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    CliRun absent = CliRun.run("peers", "--node", "http://127.0.0.1:" + closedPort + "/");
    assertThat(absent.status).isEqualTo(1);
    assertThat(absent.err()).contains("no node is listening");
  }
}
