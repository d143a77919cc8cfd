package dev.avatarservice.browser;

import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The demo page in headless Chromium against a real node: one user in three browsers (separate
 * ChromeDriver sessions and profiles, so separate sessionStorage). A registers, B and C log in, A
 * uploads an avatar through the file input and B and C show it without a reload, then A deletes
 * the account and B and C show that it is gone. B uses the WebSocket at /ws, which closes with the
 * contract's 4410; C has no WebSocket, so the client falls back to SockJS and SockJS to
 * xhr-streaming, where Vert.x closes with 3000 and the page must go by the {@code user.deleted}
 * message alone. A third test drives each SockJS HTTP transport (xhr-streaming, xhr-polling,
 * eventsource) on its own.
 * <p>
 * Debian's chromium and chromedriver are used by path, so Selenium Manager never runs (it would try
 * to download a driver), and Chromium is told to resolve no host name but localhost. Without them
 * the test is skipped, except when {@code CI=true}. The consoles must show no CSP violation, no
 * script error and no warning. Screenshots of the key steps and the console logs go to
 * {@code target/browser-screenshots/}.
 */
class DemoBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path OUT = Path.of("target", "browser-screenshots");
  private static final Path PROFILES = Path.of("target", "browser-profiles");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String IDENTIFIER = "browser.user@example.com";

  /**
   * Selenium looks for a CDP binding matching the browser's version at every start and warns that
   * it has none (none is on the classpath: this test needs no CDP binding); held here so that the
   * level sticks (the JDK keeps loggers weakly).
   */
  private static final Logger CDP_VERSION_LOG = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  private static TestNode node;
  private static final List<Browser> browsers = new ArrayList<>();
  private static final Map<String, Long> timings = new LinkedHashMap<>();
  private static long stepStart;

  /** Called by the test rather than run as a @BeforeAll, so that a skip is counted and reported as one. */
  private static void start() throws IOException {
    requireChromium();
    if (node != null) {
      // a test before this one: its browsers go, the node stays
      quitBrowsers();
      return;
    }
    CDP_VERSION_LOG.setLevel(Level.SEVERE);
    Files.createDirectories(OUT);
    try (Stream<Path> old = Files.list(OUT)) {
      for (Path file : old.filter(f -> f.toString().endsWith(".png")).toList()) {
        Files.delete(file);
      }
    }
    stepStart = System.nanoTime();
    node = TestNode.start();
    step("node started");
  }

  @AfterAll
  static void stop() {
    quitBrowsers();
    if (node != null) {
      node.close();
    }
    if (!timings.isEmpty()) {
      System.out.println("DemoBrowserTest timings (ms): " + timings);
    }
  }

  private static void quitBrowsers() {
    // Every driver is quit (which also ends its chromium and chromedriver) even if one fails.
    for (Browser browser : browsers) {
      try {
        browser.saveConsole();
      } catch (RuntimeException e) {
        System.err.println("DemoBrowserTest: could not save the console of browser " + browser.name + ": " + e);
      }
      try {
        browser.driver.quit();
      } catch (RuntimeException e) {
        System.err.println("DemoBrowserTest: could not quit browser " + browser.name + ": " + e);
      }
      deleteTree(browser.profile);
    }
    browsers.clear();
  }

  @Test
  void oneUserInThreeBrowsersSeesTheAvatarChangeAndTheDeletionLive() throws IOException {
    start();
    Browser a = open("a", false);
    Browser b = open("b", false);
    Browser c = open("c", true);
    step("3 browsers started");
    for (Browser browser : browsers) {
      browser.get(node.baseUrl() + "/demo/");
      browser.waitVisible("identifier-input");
    }
    step("demo loaded");

    // A: the server's field errors are shown under their fields, then a valid registration.
    a.type("identifier-input", "x");
    a.type("password-input", "short");
    a.click("register-button");
    a.waitVisible("identifier-error");
    a.waitVisible("password-error");
    assertThat(a.testId("identifier-input").getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(a.testId("password-input").getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(a.text("identifier-error")).isNotBlank();
    assertThat(a.text("password-error")).isNotBlank();
    a.expectHttpError(400);
    a.screenshot("01-registration-errors");
    a.type("identifier-input", IDENTIFIER);
    a.type("password-input", ApiClient.PASSWORD);
    a.click("register-button");
    a.waitVisible("profile");
    assertThat(a.testId("identifier-error").isDisplayed()).isFalse();
    assertThat(a.text("profile-identifier")).isEqualTo(IDENTIFIER);
    step("registered in a");

    // B: the identifier is taken (shown under its field), a wrong password is refused; then B and C log in.
    b.type("identifier-input", IDENTIFIER);
    b.type("password-input", ApiClient.PASSWORD);
    b.click("register-button");
    b.waitVisible("identifier-error");
    assertThat(b.testId("auth-error").isDisplayed()).isFalse();
    b.expectHttpError(409);
    b.type("password-input", ApiClient.PASSWORD + "-wrong");
    b.click("login-button");
    b.waitVisible("auth-error");
    assertThat(b.testId("identifier-error").isDisplayed()).isFalse();
    b.expectHttpError(401);
    for (Browser browser : List.of(b, c)) {
      browser.type("identifier-input", IDENTIFIER);
      browser.type("password-input", ApiClient.PASSWORD);
      browser.click("login-button");
      browser.waitVisible("profile");
    }
    for (Browser browser : browsers) {
      browser.waitText("connection-state", "authenticated");
      assertThat(browser.text("profile-identifier")).isEqualTo(IDENTIFIER);
      assertThat(browser.testId("avatar-img").isDisplayed()).isFalse();
      assertThat(browser.testId("avatar-placeholder").getText()).isEqualTo("BU");
    }
    // B on the WebSocket at /ws; C has none, so the client falls back to SockJS, which picks xhr-streaming
    assertThat(b.text("connection-detail")).contains("via websocket");
    assertThat(c.text("connection-detail")).contains("sockjs/xhr-streaming");
    step("logged in in b and c, all authenticated");
    screenshots("02-authenticated");

    // A uploads through the file input; B and C show the new avatar without a reload.
    for (Browser browser : List.of(b, c)) {
      browser.script("window.demoBrowserTestMark = true;");
    }
    a.testId("file-input").sendKeys(pngFile().toAbsolutePath().toString());
    a.waitAttribute("upload-status", "data-state", "success");
    String src = a.testId("avatar-img").getAttribute("src");
    // an opaque picture is stored as a JPEG, and the page asks for the size it shows (96 CSS pixels)
    assertThat(src).startsWith(node.baseUrl() + "/avatars/").matches(".*/[A-Za-z0-9_-]{22}\\.jpg\\?size=[0-9]+");
    String avatarUrl = src.substring(0, src.indexOf('?'));
    step("uploaded in a");
    for (Browser browser : browsers) {
      browser.waitAttribute("avatar-img", "src", src);
      browser.waitUntil("the avatar image to load", d -> browser.avatarWidth() > 0);
      assertThat(browser.testId("avatar-img").isDisplayed()).isTrue();
      assertThat(browser.testId("avatar-placeholder").isDisplayed()).isFalse();
      // re-encoded by the server: 160x120 fits in 512x512, so it keeps its size, and the page shows
      // the variant for 96 pixels (at the headless browsers' density of 1): the 128 one
      assertThat(browser.avatarWidth()).isEqualTo(128);
    }
    for (Browser browser : List.of(b, c)) {
      WebElement changed = browser.waitUntil("an avatar.changed entry in the event log",
        d -> browser.first("[data-testid='event-log'] li[data-type='avatar.changed']"));
      assertThat(changed.getText()).contains(avatarUrl);
      assertThat(browser.script("return window.demoBrowserTestMark === true;")).as("page not reloaded").isEqualTo(true);
    }
    step("avatar live in b and c");
    screenshots("03-avatar-changed");

    // A deletes the account; B and C show that it is gone.
    a.click("delete-account-button");
    a.waitVisible("delete-confirm");
    a.screenshot("04-delete-confirm");
    a.click("delete-confirm-button");
    for (Browser browser : browsers) {
      browser.waitVisible("account-deleted-notice");
      browser.waitText("connection-state", "closed");
      assertThat(browser.testId("profile").isDisplayed()).isFalse();
      assertThat(browser.testId("identifier-input").isDisplayed()).isTrue();
      assertThat(browser.script("return sessionStorage.length;")).isEqualTo(0L);
    }
    for (Browser browser : List.of(b, c)) {
      browser.waitUntil("a user.deleted entry in the event log",
        d -> browser.first("[data-testid='event-log'] li[data-type='user.deleted']"));
    }
    assertThat(b.text("connection-detail")).contains("4410");
    assertThat(c.text("connection-detail")).contains("3000");
    step("deletion shown in a, b and c");
    screenshots("05-account-deleted");

    // the account is really gone
    JsonObject login = new JsonObject().put("identifier", IDENTIFIER).put("password", ApiClient.PASSWORD);
    assertThat(node.api().post("/api/login", login).statusCode()).isEqualTo(401);

    for (Browser browser : browsers) {
      assertThat(browser.consoleProblems()).as("console of browser " + browser.name).isEmpty();
    }
  }

  /**
   * Sessions in two browsers of one user, D and E (and a third session from an API client): D lists
   * them with its own marked, ends the API client's, changes the password (a wrong current one
   * first), which logs E out live (its socket closed with 4401); E logs in again, and D logs out
   * everywhere, which closes E's socket with 4401 again and shows E logged out.
   */
  @Test
  void aSecondBrowserSeesItsSessionEndWhenTheFirstChangesThePasswordOrLogsOutEverywhere() throws IOException {
    start();
    String identifier = "browser.sessions@example.com";
    String newPassword = "another long and unusual passphrase";
    node.api().register(identifier);
    JsonObject apiClient;
    var login = node.client().post("/api/login").putHeader("User-Agent", "api-client/1.0")
      .sendJsonObject(new JsonObject().put("identifier", identifier).put("password", ApiClient.PASSWORD)).await();
    assertThat(login.statusCode()).isEqualTo(200);
    apiClient = login.bodyAsJsonObject().getJsonObject("data");
    Browser d = open("d", false);
    Browser e = open("e", false);
    for (Browser browser : List.of(d, e)) {
      browser.get(node.baseUrl() + "/demo/");
      browser.waitVisible("identifier-input");
      browser.type("identifier-input", identifier);
      browser.type("password-input", ApiClient.PASSWORD);
      browser.click("login-button");
      browser.waitVisible("profile");
      browser.waitText("connection-state", "authenticated");
    }
    step("d and e logged in");

    // D lists four sessions (registration, API client, D, E), newest first, its own marked
    d.click("sessions-refresh-button");
    d.waitUntil("four sessions", drv -> drv.findElements(By.cssSelector("[data-testid='session-item']")).size() == 4);
    List<WebElement> items = d.driver.findElements(By.cssSelector("[data-testid='session-item']"));
    assertThat(items.get(1).getAttribute("data-current")).isEqualTo("true");
    assertThat(items.stream().filter(item -> "true".equals(item.getAttribute("data-current"))).count()).isEqualTo(1);
    assertThat(items.get(1).findElements(By.cssSelector("[data-testid='session-current']"))).hasSize(1);
    assertThat(items.get(2).getText()).contains("api-client/1.0");
    d.screenshot("06-sessions");

    // D ends the API client's session: its token is refused at once
    items.get(2).findElement(By.cssSelector("[data-testid='end-session-button']")).click();
    d.waitUntil("three sessions", drv -> drv.findElements(By.cssSelector("[data-testid='session-item']")).size() == 3);
    assertThat(node.api().get("/api/user", apiClient.getString("accessToken")).statusCode()).isEqualTo(401);
    step("d ended the api client's session");

    // D changes the password: a wrong current one is refused, then the right one logs E out live
    d.type("current-password-input", "not the password at all");
    d.type("new-password-input", newPassword);
    d.click("change-password-button");
    d.waitVisible("current-password-error");
    d.expectHttpError(403);
    d.type("current-password-input", ApiClient.PASSWORD);
    d.click("change-password-button");
    d.waitAttribute("password-status", "data-state", "success");
    e.waitVisible("identifier-input");
    e.waitText("connection-state", "closed");
    assertThat(e.text("connection-detail")).contains("4401");
    assertThat(e.text("session-notice")).contains("ended");
    e.waitUntil("a session.ended entry in the event log", drv -> e.first("[data-testid='event-log'] li[data-type='session.ended']"));
    assertThat(e.script("return sessionStorage.length;")).isEqualTo(0L);
    d.waitUntil("only its own session", drv -> drv.findElements(By.cssSelector("[data-testid='session-item']")).size() == 1);
    assertThat(d.text("connection-state")).isEqualTo("authenticated");
    step("password changed in d, e logged out");
    screenshots("07-password-changed");

    // E logs in with the new password; D logs out everywhere: both are logged out, E's socket closed with 4401
    e.type("identifier-input", identifier);
    e.type("password-input", newPassword);
    e.click("login-button");
    e.waitVisible("profile");
    e.waitText("connection-state", "authenticated");
    d.click("logout-everywhere-button");
    d.waitVisible("identifier-input");
    assertThat(d.text("session-notice")).contains("everywhere");
    e.waitVisible("identifier-input");
    e.waitText("connection-state", "closed");
    assertThat(e.text("connection-detail")).contains("4401");
    assertThat(e.text("session-notice")).contains("ended");
    step("d logged out everywhere, e logged out live");
    screenshots("08-logged-out-everywhere");

    for (Browser browser : List.of(d, e)) {
      assertThat(browser.consoleProblems()).as("console of browser " + browser.name).isEmpty();
    }
  }

  /**
   * Every SockJS HTTP transport the client may fall back to, forced one per browser with the page's
   * {@code ?sockjs=} (sockjs-client's {@code transports} option) in a browser without WebSocket:
   * each authenticates, receives its own {@code avatar.changed} after an upload and
   * {@code user.deleted} after the deletion, and then shows SockJS's close code 3000.
   */
  @Test
  void everySockJsHttpTransportCarriesTheEvents() throws IOException {
    start();
    Map<String, Browser> byTransport = new LinkedHashMap<>();
    for (String transport : List.of("xhr-streaming", "xhr-polling", "eventsource")) {
      Browser browser = open(transport, true);
      byTransport.put(transport, browser);
      browser.get(node.baseUrl() + "/demo/?sockjs=" + transport);
      browser.waitVisible("identifier-input");
      browser.type("identifier-input", "browser." + transport + "@example.com");
      browser.type("password-input", ApiClient.PASSWORD);
      browser.click("register-button");
      browser.waitVisible("profile");
    }
    byTransport.forEach((transport, browser) -> {
      browser.waitText("connection-state", "authenticated");
      assertThat(browser.text("connection-detail")).contains("sockjs/" + transport);
    });
    step("sockjs transports authenticated");
    Path png = pngFile();
    byTransport.forEach((transport, browser) -> {
      browser.testId("file-input").sendKeys(png.toAbsolutePath().toString());
      browser.waitAttribute("upload-status", "data-state", "success");
    });
    byTransport.forEach((transport, browser) -> {
      WebElement changed = browser.waitUntil("an avatar.changed entry in the event log over " + transport,
        d -> browser.first("[data-testid='event-log'] li[data-type='avatar.changed']"));
      String src = browser.testId("avatar-img").getAttribute("src");
      assertThat(changed.getText()).contains(src.substring(0, src.indexOf('?')));
    });
    step("avatar.changed over every sockjs transport");
    byTransport.forEach((transport, browser) -> {
      browser.click("delete-account-button");
      browser.waitVisible("delete-confirm");
      browser.click("delete-confirm-button");
    });
    byTransport.forEach((transport, browser) -> {
      browser.waitVisible("account-deleted-notice");
      browser.waitUntil("a user.deleted entry in the event log over " + transport,
        d -> browser.first("[data-testid='event-log'] li[data-type='user.deleted']"));
      browser.waitText("connection-state", "closed");
      assertThat(browser.text("connection-detail")).contains("3000");
      browser.screenshot("09-sockjs-" + transport);
      assertThat(browser.consoleProblems()).as("console of browser " + browser.name).isEmpty();
    });
    step("user.deleted over every sockjs transport");
  }

  /** Skips (or, in CI, fails) when Debian's chromium or chromedriver is missing. */
  private static void requireChromium() {
    List<String> missing = Stream.of(CHROMIUM, CHROMEDRIVER)
      .filter(path -> !Files.isExecutable(path)).map(Path::toString).toList();
    if (missing.isEmpty()) {
      return;
    }
    String message = "DemoBrowserTest needs Debian's chromium and chromedriver"
      + " (apt-get install -y chromium chromium-driver); not found: " + String.join(", ", missing);
    if ("true".equals(System.getenv("CI"))) {
      fail(message + ". CI=true, where the browser test is required.");
    }
    System.err.println("Skipped: " + message);
    Assumptions.abort(message);
  }

  /** Best effort: a profile left behind only costs disk space under target/. */
  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("DemoBrowserTest: could not delete " + root + ": " + e);
    }
  }

  private static void step(String name) {
    long now = System.nanoTime();
    timings.put(name, (now - stepStart) / 1_000_000);
    stepStart = now;
  }

  private static void screenshots(String step) {
    for (Browser browser : browsers) {
      browser.screenshot(step);
    }
  }

  /** The file to upload: a 160x120 PNG made here, a disc on a plain background. */
  private static Path pngFile() throws IOException {
    BufferedImage image = new BufferedImage(160, 120, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(new Color(0x06b6d4));
      g.fillRect(0, 0, 160, 120);
      g.setColor(new Color(0x4f46e5));
      g.fillOval(35, 15, 90, 90);
    } finally {
      g.dispose();
    }
    Path file = OUT.resolve("avatar-upload.png");
    assertThat(ImageIO.write(image, "png", file.toFile())).isTrue();
    return file;
  }

  /** Starts a headless chromium with a profile of its own; noWebSocket hides WebSocket from the page. */
  private static Browser open(String name, boolean noWebSocket) throws IOException {
    Path profile = Files.createTempDirectory(Files.createDirectories(PROFILES), "profile-" + name + "-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-extensions", "--window-size=1280,1000",
      "--user-data-dir=" + profile.toAbsolutePath(),
      // Even so, Chromium looks up Google's hosts (autofill, password leak check, optimisation
      // hints, accounts, updates): turn those off, and resolve no name but localhost at all.
      "--disable-features=AutofillServerCommunication,PasswordLeakDetection,OptimizationHints,"
        + "OptimizationHintsFetching,OptimizationGuideModelDownloading,MediaRouter,Translate",
      "--disable-domain-reliability", "--no-pings",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost");
    options.setExperimentalOption("prefs", Map.of(
      "credentials_enable_service", false,
      "profile.password_manager_enabled", false,
      "profile.password_manager_leak_detection", false,
      "autofill.profile_enabled", false));
    LoggingPreferences logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logging);
    // The driver is given by path, so Selenium Manager is never asked for one.
    ChromeDriverService service = new ChromeDriverService.Builder()
      .usingDriverExecutable(CHROMEDRIVER.toFile())
      .usingAnyFreePort()
      .withSilent(true)
      .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    Browser browser = new Browser(name, driver, profile);
    browsers.add(browser);
    driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    if (noWebSocket) {
      // runs before the page's own scripts, outside its CSP: the client then goes to SockJS at once
      driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
        Map.of("source", "delete window.WebSocket;"));
    }
    return browser;
  }

  /** One browser: its driver, waits on data-testid elements, screenshots, console log. */
  private static final class Browser {

    /** Chromium's console line for a refused request: "URL - Failed to load resource: ... status of 401 (...)". */
    private static final Pattern HTTP_ERROR =
      Pattern.compile("Failed to load resource: the server responded with a status of (\\d{3})");

    final String name;
    final ChromeDriver driver;
    final Path profile;
    private final WebDriverWait wait;
    private final List<LogEntry> console = new ArrayList<>();
    private final Set<Integer> expectedHttpErrors = new java.util.HashSet<>();

    Browser(String name, ChromeDriver driver, Path profile) {
      this.name = name;
      this.driver = driver;
      this.profile = profile;
      this.wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
    }

    void get(String url) {
      driver.get(url);
    }

    WebElement testId(String id) {
      return driver.findElement(By.cssSelector("[data-testid='" + id + "']"));
    }

    /** The first element matching the selector, or null (so that it can be waited for). */
    WebElement first(String css) {
      List<WebElement> found = driver.findElements(By.cssSelector(css));
      return found.isEmpty() ? null : found.get(0);
    }

    String text(String id) {
      return testId(id).getText();
    }

    void type(String id, String text) {
      WebElement input = testId(id);
      input.clear();
      input.sendKeys(text);
    }

    void click(String id) {
      waitUntil(id + " to be enabled", d -> {
        WebElement button = testId(id);
        return button.isDisplayed() && button.isEnabled() ? button : null;
      }).click();
    }

    Object script(String js, Object... args) {
      return driver.executeScript(js, args);
    }

    long avatarWidth() {
      Object width = script("var img = arguments[0]; return img.complete ? img.naturalWidth : 0;", testId("avatar-img"));
      return ((Number) width).longValue();
    }

    <T> T waitUntil(String what, ExpectedCondition<T> condition) {
      return wait.withMessage(() -> "browser " + name + " waiting for " + what + "; the page says: " + pageSays())
        .until(condition);
    }

    /** What the page tells a person right now (alerts, statuses), for the message of a failed wait. */
    private String pageSays() {
      try {
        return driver.findElements(By.cssSelector("[role='alert'], [role='status'], [data-testid='connection-detail']"))
          .stream().filter(WebElement::isDisplayed).map(WebElement::getText).filter(text -> !text.isBlank())
          .collect(Collectors.joining(" | "));
      } catch (WebDriverException e) {
        return "(unreadable: " + e.getClass().getSimpleName() + ")";
      }
    }

    void waitVisible(String id) {
      waitUntil(id + " to be visible", d -> testId(id).isDisplayed());
    }

    void waitText(String id, String text) {
      waitUntil(id + " to read '" + text + "' (reads '" + text(id) + "')", d -> text.equals(text(id)));
    }

    void waitAttribute(String id, String attribute, String value) {
      waitUntil(id + " to have " + attribute + "=" + value, d -> value.equals(testId(id).getAttribute(attribute)));
    }

    void expectHttpError(int status) {
      expectedHttpErrors.add(status);
    }

    void screenshot(String step) {
      try {
        Files.write(OUT.resolve(step + "-" + name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Keeps the whole console next to the screenshots, for a look after a failure. */
    void saveConsole() {
      readConsole();
      String lines = console.stream().map(e -> e.getLevel() + " " + e.getMessage()).collect(Collectors.joining("\n"));
      try {
        Files.writeString(OUT.resolve("console-" + name + ".log"), lines + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void readConsole() {
      driver.manage().logs().get(LogType.BROWSER).forEach(console::add);
    }

    /**
     * Console entries that fail the test: every CSP report, every error but the network errors
     * of the 4xx answers this browser was meant to get, and every warning.
     */
    List<String> consoleProblems() {
      try {
        readConsole();
      } catch (WebDriverException e) {
        return List.of("could not read the console: " + e.getMessage());
      }
      return console.stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue()
          || entry.getMessage().contains("Content Security Policy"))
        .filter(entry -> !expectedHttpError(entry.getMessage()))
        .map(entry -> entry.getLevel() + " " + entry.getMessage())
        .collect(Collectors.toList());
    }

    private boolean expectedHttpError(String message) {
      Matcher matcher = HTTP_ERROR.matcher(message);
      return matcher.find() && expectedHttpErrors.contains(Integer.parseInt(matcher.group(1)))
        && !message.contains("Content Security Policy");
    }
  }
}
