package io.streetsense.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Objects;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium for browser tests: Debian's {@code chromium} driven by Selenium through
 * Debian's {@code chromedriver}, both given as paths (a module's test finds or installs them with
 * {@code NativePackages.require("chromium", "chromium")} and {@code
 * NativePackages.require("chromedriver", "chromium-driver")}; Selenium Manager is never asked to
 * download anything). The flags keep Chromium off the network it would reach for on its own (a
 * closed network refuses those connections) and give it a fresh profile.
 *
 * <pre>{@code
 * try (HeadlessChromium chrome = HeadlessChromium.start(chromium, chromedriver, profileDir, 1366, 768)) {
 *   WebDriver browser = chrome.driver();
 *   browser.get("http://127.0.0.1:" + port + "/console");
 *   chrome.screenshot(Path.of("target", "screenshots"), "console.png");
 * }
 * }</pre>
 *
 * <p>Selenium is an optional dependency of this module: a module whose tests use this class
 * declares {@code selenium-chrome-driver} and {@code selenium-support} itself (test scope; the
 * versions are the parent's).
 */
public final class HeadlessChromium implements AutoCloseable {
  private final WebDriver driver;

  private HeadlessChromium(WebDriver driver) {
    this.driver = driver;
  }

  /**
   * Starts Chromium with a page (viewport) of {@code width}×{@code height} showing {@code
   * about:blank}.
   *
   * @param profile an empty folder for the browser's profile (e.g. a JUnit {@code @TempDir})
   */
  public static HeadlessChromium start(
      Path chromium, Path chromedriver, Path profile, int width, int height) {
    Objects.requireNonNull(chromium, "chromium");
    Objects.requireNonNull(chromedriver, "chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + profile.toAbsolutePath(),
        "--window-size=" + width + "," + height);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(chromedriver.toString()))
            .usingAnyFreePort()
            .build();
    HeadlessChromium chrome = new HeadlessChromium(new ChromeDriver(service, options));
    chrome.driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    chrome.driver.get("about:blank");
    chrome.resizeViewport(width, height);
    return chrome;
  }

  public WebDriver driver() {
    return driver;
  }

  /**
   * Sizes the window so that the page itself (the viewport, without the browser's own frame) is
   * {@code width}×{@code height}, keeping the page that is open.
   */
  public void resizeViewport(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
    long dw = ((Number) js("return window.outerWidth - window.innerWidth")).longValue();
    long dh = ((Number) js("return window.outerHeight - window.innerHeight")).longValue();
    driver.manage().window().setSize(new Dimension(width + (int) dw, height + (int) dh));
  }

  /** Runs {@code script} in the page; {@code arguments[i]} are {@code args}. */
  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** The first element matching {@code by}, waiting up to {@code timeout} for one to appear. */
  public WebElement waitFor(By by, Duration timeout) {
    return new WebDriverWait(driver, timeout)
        .until(d -> d.findElements(by).stream().findFirst().orElse(null));
  }

  /** Saves what the page shows as {@code dir/name} (PNG) and prints where. */
  public Path screenshot(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path out = dir.resolve(name);
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), out, StandardCopyOption.REPLACE_EXISTING);
    System.out.println("screenshot: " + out.toAbsolutePath());
    return out;
  }

  /** Quits the browser and its driver. */
  @Override
  public void close() {
    driver.quit();
  }
}
