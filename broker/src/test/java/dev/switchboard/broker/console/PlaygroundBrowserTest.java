package dev.switchboard.broker.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console's playground in headless Chromium against the real dev-mode broker: an answer streams, Stop
 * cancels it with nothing of it after its {@code response.done}, a forced drop resumes with every seq exactly once,
 * failover is shown in the answer, and a wrong key shows the broker's refusal, not a bare close 1006.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PlaygroundBrowserTest {
    private static ConsoleBroker broker;
    private static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        Chromium.assumeInstalled();
        broker = ConsoleBroker.dev();
        chromium = Chromium.start(List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void open() {
        chromium.driver.manage().window().setSize(Chromium.LAPTOP);
        chromium.open(broker.origin(), "playground");
    }

    @AfterEach
    void clean() {
        chromium.assertNoScriptErrors();
        chromium.assertOnlyRequested(broker.origin(), "ws://127.0.0.1:" + broker.broker.port());
        // End the session (close 1000) so the next test starts from a fresh page and no session lingers.
        chromium.js("sessionStorage.clear();");
    }

    @Test
    void an_answer_streams_and_stop_cancels_it_with_nothing_of_it_after_its_response_done() throws Exception {
        connect("sim-chat");
        ask("Tell me about switchboards.", "{\"sim_tokens\":\"600\",\"sim_tokens_per_second\":\"40\"}");
        // Streaming: the answer grows while the response runs.
        chromium.waiting().until(d -> assistantText().length() > 40);
        WebElement stopButton = chromium.byId("pg-stop");
        assertTrue(stopButton.isEnabled(), "Stop is enabled while the answer streams");
        stopButton.click();
        WebElement done = chromium.waiting().until(d -> rows("response.done").stream().findFirst().orElse(null));
        assertEquals("cancelled", done.getAttribute("data-status"));
        String cancelled = done.getAttribute("data-response");
        chromium.waiting().until(d -> chromium.byId("pg-send").isEnabled());
        // A second answer on the same ordered stream: once it is done, anything of the first would have arrived.
        ask("And a short one.", "{\"sim_tokens\":\"5\",\"sim_tokens_per_second\":\"1000\"}");
        chromium.waiting().until(d -> rows("response.done").size() == 2);
        assertEquals("completed", rows("response.done").get(1).getAttribute("data-status"));
        List<String> responsesAfterDone = eventTypesAfter(done).stream()
                .filter(r -> cancelled.equals(r.getAttribute("data-response"))).map(r -> r.getAttribute("data-type"))
                .toList();
        assertEquals(List.of(), responsesAfterDone, "events of the cancelled response after its response.done");
        assertTrue(chat().contains("Response cancelled (client_cancelled)"), chat());
        assertSeqExactlyOnce(0);
        chromium.byId("pg-disconnect").click();
    }

    @Test
    void a_dropped_connection_resumes_with_every_seq_exactly_once() throws Exception {
        connect("sim-chat");
        ask("A long story, please.", "{\"sim_tokens\":\"300\",\"sim_tokens_per_second\":\"60\"}");
        chromium.waiting().until(d -> assistantText().length() > 30);
        chromium.byId("pg-drop").click();
        chromium.waiting().until(d -> !rows("session.resumed").isEmpty());
        chromium.waiting().until(d -> !rows("response.done").isEmpty());
        assertEquals("completed", rows("response.done").get(0).getAttribute("data-status"));
        WebElement seq = chromium.byId("pg-seq");
        assertEquals("0", seq.getAttribute("data-missing"), seq.getText());
        assertEquals("0", seq.getAttribute("data-repeated"), seq.getText());
        assertEquals("1", seq.getAttribute("data-resumes"), seq.getText());
        assertSeqExactlyOnce(1);
        chromium.byId("pg-filter").sendKeys("session");
        chromium.screenshot("console-playground-resume");
        chromium.byId("pg-disconnect").click();
    }

    @Test
    void failover_on_sim_failover_is_shown_where_the_answer_moved_and_the_answer_completes() throws Exception {
        connect("sim-failover");
        ask("Tell me a long story about a night-shift operator.",
                "{\"sim_tokens\":\"80\",\"sim_tokens_per_second\":\"200\"}");
        WebElement note = chromium.waiting().until(d -> d.findElements(By.cssSelector("#pg-chat li.note.failover"))
                .stream().findFirst().orElse(null));
        assertTrue(note.getText().contains("simulator-cut/sim-chat → simulator/sim-chat"), note.getText());
        assertTrue(note.getText().contains("continue"), note.getText());
        chromium.waiting().until(d -> !rows("response.done").isEmpty());
        assertEquals("completed", rows("response.done").get(0).getAttribute("data-status"));
        assertEquals(1, rows("switchboard.response.failover").size());
        assertSeqExactlyOnce(0);
        chromium.screenshot("console-playground");
        chromium.driver.manage().window().setSize(Chromium.PHONE);
        chromium.assertNoHorizontalScroll();
        chromium.screenshot("console-playground-phone");
        chromium.byId("pg-disconnect").click();
    }

    @Test
    void a_wrong_key_shows_the_brokers_refusal_when_checked_and_when_connecting() throws Exception {
        chromium.enterKey(ConsoleBroker.KEY);
        new Select(chromium.byId("pg-model")).selectByValue("sim-chat");
        chromium.enterKey("not-a-key");
        String keyStatus = chromium.byId("key-status").getText();
        assertTrue(keyStatus.contains("invalid API key") && keyStatus.contains("HTTP 401")
                && keyStatus.contains("invalid_api_key"), keyStatus);
        // The model list was cleared: connecting says what to do instead of failing silently.
        chromium.byId("pg-connect").click();
        String alert = chromium.waiting().until(d -> {
            WebElement box = chromium.byId("pg-alert");
            return box.isDisplayed() ? box.getText() : null;
        });
        assertTrue(alert.contains("Check the key"), alert);
        // A key that worked for the model list and was then revoked: the connect pre-check shows the 401 body.
        chromium.js("document.getElementById('pg-model').append(new Option('sim-chat', 'sim-chat'));"
                + "document.getElementById('pg-model').value = 'sim-chat';");
        chromium.byId("pg-connect").click();
        WebElement status = chromium.byId("pg-status");
        chromium.waiting().until(d -> "closed".equals(status.getAttribute("data-state")));
        assertTrue(status.getText().contains("Refused: invalid API key (HTTP 401, invalid_api_key)"), status.getText());
        assertFalse(status.getText().contains("1006"), status.getText());
        chromium.screenshot("console-refusal");
    }

    @Test
    void an_upgrade_the_broker_refuses_shows_its_reason_instead_of_close_1006() {
        chromium.enterKey(ConsoleBroker.KEY);
        chromium.js("document.getElementById('pg-model').append(new Option('no-such-model', 'no-such-model'));"
                + "document.getElementById('pg-model').value = 'no-such-model';");
        chromium.byId("pg-connect").click();
        WebElement status = chromium.byId("pg-status");
        chromium.waiting().until(d -> "closed".equals(status.getAttribute("data-state")));
        // The browser saw only 1006; the console asked the broker the same admission without the upgrade.
        assertTrue(status.getText().startsWith("Refused: ") && status.getText().contains("HTTP 404")
                && status.getText().contains("no-such-model"), status.getText());
        assertTrue(chromium.byId("pg-connect").isEnabled(), "Connect is offered again");
    }

    @Test
    void the_views_are_tabs_moved_between_with_arrow_keys_and_every_control_has_a_label() {
        WebElement playground = chromium.byId("tab-playground");
        playground.click();
        playground.sendKeys(org.openqa.selenium.Keys.ARROW_RIGHT);
        chromium.waiting().until(d -> chromium.byId("view-voice").isDisplayed());
        assertEquals("tab-voice", chromium.driver.switchTo().activeElement().getAttribute("id"));
        assertEquals("true", chromium.byId("tab-voice").getAttribute("aria-selected"));
        chromium.driver.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.END);
        chromium.waiting().until(d -> chromium.byId("view-operations").isDisplayed());
        assertFalse(chromium.byId("view-playground").isDisplayed());
        assertTrue(chromium.driver.getCurrentUrl().endsWith("#operations"), chromium.driver.getCurrentUrl());
        @SuppressWarnings("unchecked")
        List<String> unlabelled = (List<String>) chromium.js("return [...document.querySelectorAll("
                + "'input, select, textarea, button')].filter(e => !(e.labels && e.labels.length)"
                + " && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.outerHTML);");
        assertEquals(List.of(), unlabelled, "controls without a label");
    }

    private void connect(String model) {
        chromium.enterKey(ConsoleBroker.KEY);
        assertEquals("ok", chromium.byId("key-status").getAttribute("data-state"), chromium.byId("key-status").getText());
        new Select(chromium.byId("pg-model")).selectByValue(model);
        chromium.byId("pg-connect").click();
        chromium.waiting().until(d -> !rows("session.created").isEmpty());
        chromium.waiting().until(d -> chromium.byId("pg-send").isEnabled());
    }

    private void ask(String question, String metadata) {
        WebElement options = chromium.driver.findElement(By.cssSelector("#pg-form details"));
        if (options.getAttribute("open") == null) {
            options.findElement(By.tagName("summary")).click();
        }
        WebElement field = chromium.byId("pg-metadata");
        field.clear();
        field.sendKeys(metadata);
        WebElement input = chromium.byId("pg-input");
        input.sendKeys(question);
        chromium.byId("pg-send").click();
    }

    private String assistantText() {
        return chromium.driver.findElements(By.cssSelector("#pg-chat li.assistant .text")).stream()
                .map(WebElement::getText).reduce("", String::concat);
    }

    private String chat() {
        return chromium.byId("pg-chat").getText();
    }

    /** The inspector's rows of server events of {@code type}, oldest first. */
    private List<WebElement> rows(String type) {
        return chromium.driver.findElements(By.cssSelector("#pg-inspector li.in[data-type='" + type + "'], "
                + "#pg-inspector li.err[data-type='" + type + "']"));
    }

    @SuppressWarnings("unchecked")
    private List<WebElement> eventTypesAfter(WebElement row) {
        return (List<WebElement>) chromium.js("const rows = []; let r = arguments[0].nextElementSibling;"
                + "while (r) { if (r.dataset.seq) rows.push(r); r = r.nextElementSibling; } return rows;", row);
    }

    /**
     * The seq numbers the inspector shows are 1..N, each exactly once, whatever the page's own counters say; and
     * {@code resumes} session.resumed events (no seq) came in between.
     */
    private void assertSeqExactlyOnce(int resumes) {
        @SuppressWarnings("unchecked")
        List<Long> seqs = (List<Long>) chromium.js("return [...document.querySelectorAll('#pg-inspector li[data-seq]')]"
                + ".map(r => Number(r.dataset.seq));");
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i + 1, seqs.get(i).intValue(), "seq at position " + i + " of " + seqs);
        }
        assertEquals(resumes, rows("session.resumed").size());
    }
}
