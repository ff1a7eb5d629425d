package dev.ums.console;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver: both paths are given, so
 * Selenium Manager never looks for (or downloads) a driver or a browser. Override with {@code
 * -Dums.test.chromium=…} and {@code -Dwebdriver.chrome.driver=…}.
 */
final class Browser implements AutoCloseable {

  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  private final ChromeDriver driver;
  private final String base;

  Browser(String base) {
    this.base = base;
    String chromium = System.getProperty("ums.test.chromium", "/usr/bin/chromium");
    String chromedriver = System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments(
        "--headless=new",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--window-size=1280,1000",
        "--lang=en-US");
    if ("root".equals(System.getProperty("user.name"))) {
      options.addArguments("--no-sandbox"); // Chromium's sandbox refuses to run as root
    }
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(chromedriver))
            .usingAnyFreePort()
            .build();
    this.driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  ChromeDriver driver() {
    return driver;
  }

  void open(String path) {
    driver.get(base + path);
  }

  String path() {
    return driver.getCurrentUrl().substring(base.length());
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  String text(String css) {
    return find(css).getText();
  }

  void type(String css, String value) {
    WebElement e = find(css);
    e.clear();
    e.sendKeys(value);
  }

  /**
   * Clicks a link or a submit button and waits until the next page has replaced this one and has
   * loaded. The current page is marked with a script variable first; a new document has no such
   * variable. (Watching the old {@code <html>} element go stale instead races the navigation:
   * Chromium may answer a question about a node of a document being torn down with an inspector
   * error rather than a stale-element one.) Errors while the page is in between are retried.
   */
  void click(String css) {
    driver.executeScript("window.umsPageLeft = true;");
    find(css).click();
    new WebDriverWait(driver, Duration.ofSeconds(15))
        .ignoring(WebDriverException.class)
        .until(
            d ->
                Boolean.TRUE.equals(
                    driver.executeScript(
                        "return window.umsPageLeft !== true && document.readyState ==="
                            + " 'complete';")));
  }

  /** Waits until {@code css} holds {@code text}, re-reading the page as htmx swaps parts of it. */
  void waitForText(String css, String text, Duration atMost) {
    new WebDriverWait(driver, atMost)
        .until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
  }

  void signIn(String key) {
    open("/console/sign-in");
    type("#key", key);
    click("#sign-in");
  }

  /** The console session cookie, for requests made outside the browser. */
  Cookie sessionCookie() {
    return driver.manage().getCookieNamed("UMS_CONSOLE");
  }

  void resetSession() {
    open("/console/sign-in");
    driver.manage().deleteAllCookies();
  }

  void size(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /** Writes the visible page to {@code target/console-screenshots/<name>.png}. */
  void screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
