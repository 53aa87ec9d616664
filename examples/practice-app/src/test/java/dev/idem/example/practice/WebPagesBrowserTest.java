package dev.idem.example.practice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.testing.Programs;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The app's web page in a real browser: Debian's headless Chromium driven through the system's {@code chromedriver}
 * (nothing is downloaded; without them the class is skipped, with one line). Every state-changing click goes
 * through {@code idempotent-fetch.js}, and the flaky-network panel makes real network failures
 * ({@code DemoFaultValve}), so each test counts rows in the database. A console error fails a test (the network
 * failures the panel injects are the browser's own reports, not the page's, and are allowed). Each test saves a
 * screenshot under {@code target/screenshots}.
 */
class WebPagesBrowserTest extends PracticeAppTestBase {

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static String chromedriver;
    private static String chromium;
    private WebDriver driver;
    private WebDriverWait wait;

    @BeforeAll
    static void findTheBrowser() {
        chromedriver = Programs.onPath("chromedriver");
        chromium = Programs.onPath("chromium");
        Assumptions.assumeTrue(chromedriver != null && chromium != null,
                "no chromium and chromedriver on the PATH (Debian packages chromium, chromium-driver): the browser"
                        + " tests are skipped");
    }

    @BeforeEach
    void openTheBrowser() throws Exception {
        ChromeOptions options = new ChromeOptions().setBinary(chromium)
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900",
                        "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver))
                .build(), options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        jdbc.sql("DELETE FROM subscriptions").update();
        jdbc.sql("UPDATE users SET entitled = false WHERE id = 'carol'").update();
        for (String user : List.of("alice", "bob", "carol")) {
            closeOpenCheckouts(user);
        }
    }

    @AfterEach
    void screenshotAndClose(TestInfo test) throws Exception {
        try {
            Files.createDirectories(SCREENSHOTS);
            File shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), SCREENSHOTS.resolve(test.getTestMethod().orElseThrow().getName() + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
            List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                    .map(LogEntry::getMessage)
                    .filter(m -> !m.contains("Failed to load resource") && !m.contains("net::ERR_"))
                    .toList();
            assertThat(errors).as("console errors").isEmpty();
        } finally {
            driver.quit();
        }
    }

    @AfterEach
    void carolUnsubscribedAgain() {
        // the billing test entitles carol; other test classes expect her unentitled
        jdbc.sql("DELETE FROM subscriptions").update();
        jdbc.sql("UPDATE users SET entitled = false WHERE id = 'carol'").update();
    }

    private void open(String token) {
        driver.get("http://localhost:" + port + "/");
        click(By.id("signin-" + token));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("whoami"), token));
    }

    private void click(By by) {
        wait.until(ExpectedConditions.elementToBeClickable(by)).click();
    }

    private WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private void arm(String fault) {
        click(By.id("fault-" + fault));
    }

    private String activity() {
        return driver.findElement(By.id("activity")).getText();
    }

    private long sessionsOf(String user) {
        return count("SELECT count(*) FROM practice_sessions WHERE user_id = ?", user);
    }

    private void start(int questions) {
        WebElement count = visible(By.id("question-count"));
        count.clear();
        count.sendKeys(Integer.toString(questions));
        click(By.id("start"));
        visible(By.cssSelector("#question .stem"));
    }

    private String sessionId() {
        return (String) ((JavascriptExecutor) driver).executeScript(
                "return sessionStorage.getItem('idem-demo-session')");
    }

    private void answerFirstChoice() {
        click(By.cssSelector("#question button.choice"));
        visible(By.id("feedback"));
    }

    @Test
    void aPracticeRunFromStartToSummary() {
        open("alice");
        start(2);
        answerFirstChoice();
        click(By.id("next"));
        answerFirstChoice();
        WebElement summary = visible(By.id("summary"));
        assertThat(summary.getAttribute("data-answered")).isEqualTo("2");
        String session = sessionId();
        assertThat(count("SELECT count(*) FROM attempts WHERE session_id = ?::uuid", session)).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM practice_sessions WHERE id = ?::uuid AND ended_at IS NOT NULL",
                session)).isEqualTo(1);
    }

    @Test
    void aDoubleClickedStartGivesOneSession() {
        open("bob");
        long before = sessionsOf("bob");
        WebElement start = visible(By.id("start"));
        new Actions(driver).doubleClick(start).perform();
        visible(By.cssSelector("#question .stem"));
        wait.until(d -> activity().contains("start-session") || activity().contains("Start"));
        assertThat(sessionsOf("bob")).isEqualTo(before + 1);
    }

    @Test
    void aDroppedResponseOnAnAnswerIsRetriedByThePageAndRecordedOnce() {
        open("alice");
        start(1);
        arm("drop");
        answerFirstChoice();
        wait.until(d -> activity().contains("replayed"));
        assertThat(activity()).contains("network error");
        assertThat(count("SELECT count(*) FROM attempts WHERE session_id = ?::uuid", sessionId())).isEqualTo(1);
    }

    @Test
    void aBookmarkToggleRetriedAfterADropLeavesTheBookmarkOn() {
        open("bob");
        start(1);
        String questionId = visible(By.cssSelector("#question")).getAttribute("data-qid");
        jdbc.sql("DELETE FROM bookmarks WHERE user_id = 'bob' AND question_id = ?").param(Integer.parseInt(questionId))
                .update();
        arm("drop");
        click(By.id("bookmark"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("bookmark-state"), "Bookmarked"));
        wait.until(d -> activity().contains("replayed"));
        assertThat(count("SELECT count(*) FROM bookmarks WHERE user_id = 'bob' AND question_id = ?",
                Integer.parseInt(questionId))).as("BUG-096: the retried toggle did not untoggle").isEqualTo(1);
    }

    @Test
    void aReloadInTheMiddleOfAPendingActionResendsTheSameKeyAndGetsTheReplay() throws Exception {
        open("alice");
        long before = sessionsOf("alice");
        arm("slow"); // the server commits, then holds the answer 3 s
        visible(By.id("question-count")).clear();
        driver.findElement(By.id("question-count")).sendKeys("1");
        click(By.id("start"));
        wait.until(d -> sessionsOf("alice") == before + 1); // committed on the server, answer still held
        driver.navigate().refresh();
        visible(By.cssSelector("#question .stem"));
        wait.until(d -> activity().contains("replayed"));
        assertThat(sessionsOf("alice")).as("one session: the reload resent the same key").isEqualTo(before + 1);
        assertThat(count("SELECT count(*) FROM practice_sessions WHERE id = ?::uuid", sessionId())).isEqualTo(1);
    }

    @Test
    void aCheckoutPaidAndTheSubscriptionShown() {
        open("carol");
        click(By.id("nav-billing"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("subscription"), "None"));
        click(By.id("checkout"));
        visible(By.id("checkout-id"));
        click(By.id("pay"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("subscription"), "Active"));
        assertThat(count("SELECT count(*) FROM subscriptions WHERE user_id = 'carol' AND status = 'active'"))
                .isEqualTo(1);
    }

    @Test
    void aSessionStartsAndIsAnsweredFromTheKeyboard() {
        open("bob");
        WebElement count = visible(By.id("question-count"));
        count.clear();
        count.sendKeys("1");
        WebElement focused = driver.switchTo().activeElement();
        for (int tab = 0; tab < 5 && !"start".equals(focused.getAttribute("id")); tab++) {
            focused.sendKeys(Keys.TAB);
            focused = driver.switchTo().activeElement();
        }
        assertThat(focused.getAttribute("id")).as("Tab reaches the start button").isEqualTo("start");
        focused.sendKeys(Keys.ENTER);
        WebElement choice = visible(By.cssSelector("#question button.choice"));
        choice.sendKeys(Keys.SPACE);
        visible(By.id("summary"));
        assertThat(count("SELECT count(*) FROM attempts WHERE session_id = ?::uuid", sessionId())).isEqualTo(1);
    }

    @Test
    void anErrorReadsAsTheProblemsMessageNotAsJson() {
        open("carol"); // not entitled: starting a session is 403
        visible(By.id("question-count"));
        click(By.id("start"));
        WebElement error = visible(By.id("error"));
        wait.until(d -> !error.getText().isBlank());
        assertThat(error.getText()).doesNotContain("{").doesNotContain("\"status\"").doesNotContain("Exception")
                .matches("(?s)[A-Z].*");
    }

}
