package dev.grapevine.tests.dashboard;

import static dev.grapevine.tests.dashboard.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.Node;
import dev.grapevine.conn.ConnAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real browser (headless Chromium): two nodes on loopback, the page of one, and
 * everything done through the page as a person would. Skipped when Chromium is not installed.
 */
class DashboardBrowserTest {
  private Node a;
  private Node b;
  private Browser browser;

  @BeforeEach
  void start() throws Exception {
    Browser.assumeInstalled();
    a = Node.builder().ephemeral(true).port(0).start();
    b = Node.builder().ephemeral(true).port(0).start();
    browser = Browser.start();
  }

  @AfterEach
  void stop() throws Exception {
    Browser.closeAll(browser, a, b);
  }

  private static String addressOf(Node n) {
    return "ws://127.0.0.1:" + n.localAddress().getPort() + "~shs:" + n.publicKey().value();
  }

  private String peerRow(Node n) {
    return "#peers .vrows .row" + Browser.attr("data-key", n.publicKey().value());
  }

  /** The newest result of {@code action} in the results list, once it is no longer pending. */
  private String lastResult(String action) {
    List<WebElement> r = browser.all("#results li" + Browser.attr("data-action", action));
    return r.isEmpty() || r.get(0).getAttribute("data-status").equals("pending")
        ? null
        : r.get(0).getAttribute("data-status") + " " + r.get(0).getText();
  }

  @Test
  void connectPublishAndDisconnectThroughThePage() throws Exception {
    browser.open(a.httpUrl().toString());
    try {
      eventually().until(() -> a.publicKey().value().equals(browser.text("node-key")));
      assertThat(browser.text("store-messages")).isEqualTo("0");
      assertThat(browser.text("node-urls")).contains(a.url().toString());
      assertThat(browser.all("#peers .vrows .row")).isEmpty();

      // Connect to b by its address: the peer shows up connected, and the result says so.
      browser.type("address", addressOf(b));
      browser.click("#connect");
      eventually().until(() -> lastResult("connect"), r -> r != null);
      assertThat(lastResult("connect")).startsWith("200").contains("connected: true");
      eventually()
          .until(() -> browser.one(peerRow(b)).getAttribute("data-state"), "connected"::equals);
      String row = browser.one(peerRow(b)).getText();
      assertThat(row).contains("connected", "out", "127.0.0.1:" + b.localAddress().getPort());
      assertThat(browser.text("peers-count")).startsWith("1 connected");

      // Publish: the node's message count changes, the post is listed, and b receives it.
      browser.type("post-text", "hello from the dashboard");
      browser.type("post-name", "dash");
      browser.click("#publish");
      eventually().until(() -> browser.text("store-messages"), "1"::equals);
      assertThat(lastResult("publish")).startsWith("200").contains("hash ");
      String hash = a.store().getLatest(a.publicKey()).orElseThrow().hash().value();
      assertThat(lastResult("publish")).contains(hash);
      eventually().until(() -> browser.text("posts"), t -> t.contains("hello from the dashboard"));
      assertThat(browser.text("posts")).contains("dash");
      eventually().until(() -> b.store().count() == 1);
      assertThat(browser.text("ingest-summary")).startsWith("1 in the last 120 s");
      browser.screenshot("dashboard-connected");

      // Disconnect from the peer's row: it goes from the list, and from the node.
      browser.click(peerRow(b) + " button[data-action=disconnect]");
      eventually().until(() -> lastResult("disconnect"), r -> r != null);
      assertThat(lastResult("disconnect")).startsWith("200").contains("disconnected: true");
      eventually().until(() -> browser.all(peerRow(b)).isEmpty());
      assertThat(a.conn().peers()).isEmpty();
      assertThat(browser.text("peers-count")).startsWith("0 connected");
    } finally {
      browser.screenshot("dashboard-desktop");
    }
  }

  @Test
  void rememberForgetStageAndUnstageThroughThePageShowTheirResultsAndTheLists() throws Exception {
    // A peer at a port nobody listens on, remembered with recent failures: the scheduler waits.
    String dead =
        "ws://127.0.0.1:1~shs:" + dev.grapevine.anproto.KeyPair.generate().publicKey().value();
    String dbRow = "#db .vrows .row" + Browser.attr("data-key", dead);
    String stagedRow = "#staged .vrows .row" + Browser.attr("data-key", dead);
    browser.open(a.httpUrl().toString());
    eventually().until(() -> a.publicKey().value().equals(browser.text("node-key")));

    browser.type("address", dead);
    browser.type(
        "address-data",
        "{\"type\":\"pub\",\"failure\":3,\"stateChange\":" + System.currentTimeMillis() + "}");
    browser.click("#remember");
    eventually().until(() -> lastResult("remember"), r -> r != null);
    assertThat(lastResult("remember")).startsWith("200");
    eventually().until(() -> browser.all(dbRow).size() == 1);
    assertThat(browser.text("db-count")).isEqualTo("1");
    assertThat(browser.one(dbRow).getAttribute("data-failures")).isEqualTo("3");
    // The scheduler's next round reckons the retry; the page fetches the list once more after it.
    eventually().until(() -> a.conn().scheduler().nextAttempts().containsKey(dead));
    long next = a.conn().scheduler().nextAttempts().get(dead);
    eventually()
        .until(() -> browser.one(dbRow).getAttribute("data-next-attempt"), v -> !v.isEmpty());
    assertThat(Long.parseLong(browser.one(dbRow).getAttribute("data-next-attempt")))
        .isGreaterThan(System.currentTimeMillis());
    assertThat(browser.one(dbRow + " .cell[data-label='Next retry']").getText()).startsWith("in ");
    assertThat(next).isGreaterThan(System.currentTimeMillis());

    browser.click("#forget");
    eventually().until(() -> lastResult("forget"), r -> r != null && r.contains("forgotten: true"));
    eventually().until(() -> browser.all(dbRow).isEmpty());
    assertThat(a.conn().dbPeers()).isEmpty();

    browser.type("address-data", "");
    browser.click("#stage");
    eventually().until(() -> lastResult("stage"), r -> r != null && r.contains("staged: true"));
    eventually().until(() -> browser.all(stagedRow).size() == 1);
    assertThat(browser.one(stagedRow).getText()).contains("127.0.0.1:1", "internet");

    browser.click(stagedRow + " button[data-action=unstage]");
    eventually().until(() -> lastResult("unstage"), r -> r != null && r.contains("unstaged: true"));
    eventually().until(() -> browser.all(stagedRow).isEmpty());
    assertThat(a.conn().stagedPeers()).isEmpty();
    assertThat(a.conn().peers()).isEmpty();
  }

  @Test
  void onANodeThatRequiresATokenThePageAsksForItAndThenWorksLive() throws Exception {
    String token = "dashboard-token-0123456789";
    try (Node guarded =
        dev.grapevine.NodeConfig.builder()
            .ephemeral(true)
            .port(0)
            .api(dev.grapevine.api.ApiConfig.builder().token(token).build())
            .start()) {
      browser.open(guarded.httpUrl().toString());
      eventually().until(() -> browser.one("#auth").isDisplayed());
      assertThat(browser.text("node-key")).isEmpty();

      browser.type("auth-token", token);
      browser.click("#auth button[type=submit]");

      eventually().until(() -> guarded.publicKey().value().equals(browser.text("node-key")));
      eventually().until(() -> browser.one("#live").getAttribute("data-state"), "live"::equals);
      assertThat(browser.one("#auth").isDisplayed()).isFalse();
      // The node's own event API (not a stand-in) admitted the page with its token.
      assertThat(guarded.eventApi().stats().activeConnections()).isEqualTo(1);
      assertThat(guarded.eventApi().stats().pendingAuth()).isZero();
      guarded.publish("seen live");
      eventually().until(() -> browser.text("store-messages"), "1"::equals);
    }
  }

  @Test
  void aBadAddressGetsTheNodesErrorShownAndNothingChanges() throws Exception {
    browser.open(a.httpUrl().toString());
    eventually().until(() -> a.publicKey().value().equals(browser.text("node-key")));

    browser.type("address", "not an address");
    browser.click("#connect");

    eventually().until(() -> lastResult("connect"), r -> r != null);
    assertThat(lastResult("connect")).startsWith("400").contains("bad_request");
    assertThat(a.conn().peers()).isEmpty();
  }

  @Test
  void aThousandStagedPeersAreListedButOnlyTheVisibleRowsAreDrawn() throws Exception {
    for (int i = 0; i < 1_000; i++) {
      String key = dev.grapevine.anproto.KeyPair.generate().publicKey().value();
      ConnAddress address =
          ConnAddress.parse("ws://10.0." + (i / 250) + "." + (i % 250 + 1) + ":8008~shs:" + key);
      assertThat(a.conn().stage(address, Map.of("type", "lan"))).isTrue();
    }
    browser.open(a.httpUrl().toString());

    eventually().until(() -> browser.text("staged-count"), "1,000"::equals);
    int drawn = browser.all("#staged .vrows .row").size();
    assertThat(drawn).isBetween(5, 60);

    // Scrolling to the end draws the last rows instead of the first.
    browser.js(
        "const v = document.querySelector('#staged .vviewport'); v.scrollTop = v.scrollHeight;");
    eventually()
        .until(
            () -> browser.all("#staged .vrows .row").stream().map(WebElement::getText).toList(),
            rows -> rows.stream().anyMatch(t -> t.contains("10.0.3.250:8008")));
    assertThat(browser.all("#staged .vrows .row").size()).isBetween(5, 60);

    // Filtering narrows the list to the matching peer.
    browser.type("staged-filter", "10.0.2.17:");
    eventually().until(() -> browser.all("#staged .vrows .row").size() == 1);
  }

  @Test
  void onAPhoneWidthScreenNothingOverflowsSideways() throws Exception {
    a.conn().connect(ConnAddress.parse(addressOf(b))).get();
    a.publish("a post to show");
    browser.resize(390, 844);
    browser.open(a.httpUrl().toString());
    eventually()
        .until(() -> browser.one(peerRow(b)).getAttribute("data-state"), "connected"::equals);
    eventually().until(() -> browser.text("store-messages"), "1"::equals);

    Object overflow =
        browser.js(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    assertThat(((Number) overflow).intValue()).isLessThanOrEqualTo(0);
    // Every field of the peer's row is on screen (a card of label: value lines).
    List<WebElement> cells = browser.all(peerRow(b) + " .cell");
    assertThat(cells).hasSize(9);
    for (WebElement cell : cells) {
      var r = cell.getRect();
      assertThat(r.getX()).as(cell.getText()).isNotNegative();
      assertThat(r.getX() + r.getWidth()).as(cell.getText()).isLessThanOrEqualTo(390);
    }
    assertThat(cells).allMatch(WebElement::isDisplayed);
    assertThat(browser.one(peerRow(b)).getText())
        .contains("127.0.0.1:" + b.localAddress().getPort(), "connected", "out")
        .containsPattern("\\d+ / \\d+");
    WebElement disconnect = browser.one(peerRow(b) + " button[data-action=disconnect]");
    assertThat(disconnect.isDisplayed()).isTrue();
    assertThat(disconnect.getRect().getX() + disconnect.getRect().getWidth())
        .isLessThanOrEqualTo(390);
    browser.screenshot("dashboard-phone");
  }
}
