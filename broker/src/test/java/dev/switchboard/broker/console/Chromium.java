package dev.switchboard.broker.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver, for the console's browser tests.
 *
 * <p>When {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver} is missing the tests are skipped — except
 * under CI ({@code CI=true}), where they fail: {@code .ci/run} installs both packages, so a missing browser there
 * is a broken build, not a reason to pass. Each instance has a fresh profile directory and is closed with the test.
 * Screenshots are written only when the system property {@code console.screenshots} (or the environment variable
 * {@code CONSOLE_SCREENSHOTS}) names a directory, e.g. {@code -Dconsole.screenshots=../docs/images}.
 */
final class Chromium implements AutoCloseable {
    static final Path BROWSER = Path.of(System.getProperty("console.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("console.chromedriver", "/usr/bin/chromedriver"));
    /** Generous: the machine may be loaded; every wait polls and ends as soon as its condition holds. */
    static final Duration WAIT = Duration.ofSeconds(45);
    static final Dimension LAPTOP = new Dimension(1280, 900);
    static final Dimension PHONE = new Dimension(390, 844);

    final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Skips (or, under CI, fails) when Chromium is not installed. */
    static void assumeInstalled() {
        boolean installed = Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
        if (!installed && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but " + BROWSER + " or " + DRIVER + " is missing: .ci/run installs the "
                    + "Debian packages chromium and chromium-driver");
        }
        Assumptions.assumeTrue(installed, "chromium and chromium-driver are not installed; browser tests skipped");
    }

    /** A headless browser; {@code extraArguments} add switches (the fake microphone, for example). */
    static Chromium start(List<String> extraArguments) throws IOException {
        assumeInstalled();
        Path profile = Files.createTempDirectory("switchboard-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        List<String> arguments = new ArrayList<>(List.of("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
                "--user-data-dir=" + profile, "--window-size=" + LAPTOP.width + "," + LAPTOP.height));
        arguments.addAll(extraArguments);
        arguments.addAll(extraFromProperty());
        options.addArguments(arguments);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(LAPTOP);
        return new Chromium(driver, profile);
    }

    /** Switches from {@code -Dconsole.chromium.args="--a --b"}, for debugging a run by hand. */
    static List<String> extraFromProperty() {
        String extra = System.getProperty("console.chromium.args", "").trim();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }

    WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(100));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    WebElement byId(String id) {
        return driver.findElement(By.id(id));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Opens the console at {@code origin} (e.g. http://127.0.0.1:PORT) on the view {@code view}. */
    void open(String origin, String view) {
        driver.get(origin + "/console/#" + view);
        waiting().until(d -> "true".equals(js("return document.body.dataset.ready;")));
    }

    /** Types the tenant key and checks it; waits for the key status to settle. */
    void enterKey(String key) {
        WebElement input = byId("api-key");
        input.clear();
        input.sendKeys(key);
        byId("key-check").click();
        waiting().until(d -> {
            String state = byId("key-status").getAttribute("data-state");
            return "ok".equals(state) || "error".equals(state);
        });
    }

    /** Where screenshots go, if anywhere. */
    static Optional<Path> screenshotDir() {
        String dir = System.getProperty("console.screenshots", System.getenv("CONSOLE_SCREENSHOTS"));
        return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
    }

    /** Saves a PNG of the window as {@code name}.png when screenshots are asked for. */
    void screenshot(String name) throws IOException {
        Optional<Path> dir = screenshotDir();
        if (dir.isPresent()) {
            Files.createDirectories(dir.get());
            Files.write(dir.get().resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        }
    }

    /** The page fits the window's width: nothing scrolls sideways (phone widths). */
    void assertNoHorizontalScroll() {
        // Charts follow their container's width on the next resize callback: give layout a moment to settle.
        try {
            waiting().withTimeout(Duration.ofSeconds(5)).until(d -> ((Number) js(
                    "return document.documentElement.scrollWidth - window.innerWidth;")).intValue() <= 0);
        } catch (org.openqa.selenium.TimeoutException e) {
            // Reported by the assertion below, with the width.
        }
        Number overflow = (Number) js("return document.documentElement.scrollWidth - window.innerWidth;");
        // The outermost element wider than the window names the culprit (its content may be wider still).
        Object widest = js("const clipped = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {"
                + " if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };"
                + " for (const e of document.querySelectorAll('body *')) {"
                + " if (e.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(e))"
                + " return e.tagName + '#' + e.id + '.' + e.className; } return null;");
        assertTrue(overflow.intValue() <= 0, "the page is " + overflow + " px wider than the window; widest: "
                + widest);
    }

    /** Every resource the page loaded came from {@code origins}: the console makes no external request. */
    void assertOnlyRequested(String... origins) {
        @SuppressWarnings("unchecked")
        List<String> urls = (List<String>) js("return performance.getEntriesByType('resource').map(e => e.name)"
                + ".concat([location.href]);");
        for (String url : urls) {
            assertTrue(List.of(origins).stream().anyMatch(url::startsWith), "the page requested " + url);
        }
    }

    /** No script error reached the browser's console (refused requests the page reports itself do not count). */
    void assertNoScriptErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            String message = entry.getMessage();
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue() && (message.contains("Uncaught")
                    || message.contains("SyntaxError") || message.contains("Content Security Policy"))) {
                errors.add(message);
            }
        }
        assertEquals(List.of(), errors, "script errors in the page");
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
