package dev.grapevine.tests.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.core.ConditionFactory;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium driven through chromedriver (Debian's {@code chromium} and {@code
 * chromium-driver}), each instance with a fresh profile that is deleted on close. Tests call {@link
 * #assumeInstalled()} first, so that they are skipped, with a message, on a machine without the
 * browser. The paths can be changed with {@code -Dgrapevine.chromium=…} and {@code
 * -Dgrapevine.chromedriver=…}.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM =
      Path.of(System.getProperty("grapevine.chromium", "/usr/bin/chromium"));
  static final Path DRIVER =
      Path.of(System.getProperty("grapevine.chromedriver", "/usr/bin/chromedriver"));

  /** Where screenshots go: the module's {@code target/dashboard-screenshots}. */
  static final Path SCREENSHOTS =
      Path.of(System.getProperty("basedir", "."), "target", "dashboard-screenshots");

  final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Skips the calling test unless Chromium and chromedriver are installed. */
  static void assumeInstalled() {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "Skipping the dashboard browser tests: "
            + CHROMIUM
            + " or "
            + DRIVER
            + " is missing (apt-get install chromium chromium-driver)");
  }

  /** Starts a headless browser with a desktop-sized window. */
  static Browser start() throws IOException {
    Path profile = Files.createTempDirectory("grapevine-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
      return new Browser(driver, profile);
    } catch (RuntimeException e) {
      service.stop();
      delete(profile);
      throw e;
    }
  }

  void open(String url) {
    driver.get(url);
  }

  /** The text of the element with this id, or null if there is none. */
  String text(String id) {
    List<WebElement> found = driver.findElements(By.id(id));
    return found.isEmpty() ? null : found.get(0).getText();
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  WebElement one(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  /** Replaces the value of the input with this id and types {@code text}. */
  void type(String id, String text) {
    WebElement e = driver.findElement(By.id(id));
    e.clear();
    e.sendKeys(text);
  }

  void click(String css) {
    driver.findElement(By.cssSelector(css)).click();
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  void resize(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /**
   * Saves a PNG of the whole page as {@code target/dashboard-screenshots/<name>.png}: the window is
   * made as tall as the page (up to 8,000 pixels) for the picture, then restored.
   */
  Path screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Path file = SCREENSHOTS.resolve(name + ".png");
    Dimension before = driver.manage().window().getSize();
    long height = ((Number) js("return document.documentElement.scrollHeight;")).longValue();
    resize(before.getWidth(), (int) Math.min(8_000, Math.max(before.getHeight(), height + 100)));
    try {
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } finally {
      resize(before.getWidth(), before.getHeight());
    }
    return file;
  }

  /**
   * Waits up to 30 s for a condition on the page, checking every 100 ms; a page being redrawn (an
   * element replaced while it is read) counts as "not yet".
   */
  static ConditionFactory eventually() {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptionsInstanceOf(WebDriverException.class);
  }

  /** Closes each of {@code things} that is not null, all of them even when one fails. */
  static void closeAll(AutoCloseable... things) throws Exception {
    Exception first = null;
    for (AutoCloseable c : things) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** A CSS attribute selector value: {@code [data-key="…"]} with quotes and backslashes escaped. */
  static String attr(String name, String value) {
    return "[" + name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      delete(profile);
    }
  }

  /** Best effort: the browser may still be removing its own files as it exits. */
  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          System.err.println("Could not delete " + p + ": " + e);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("Could not delete the browser profile " + dir + ": " + e);
    }
  }
}
