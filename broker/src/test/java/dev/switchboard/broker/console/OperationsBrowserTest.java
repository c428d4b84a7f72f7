package dev.switchboard.broker.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.RealtimeClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console's operations view in headless Chromium against the dev-mode broker's admin listener (another port,
 * so another origin): it lists the tenant's live sessions and ends one with its End button — the session's client
 * sees close 4042 — draws the usage of a response that completed, and shows the audit log's record of a session
 * opening; against a broker without an audit log it says so, without an error.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OperationsBrowserTest {
    private static final String ADMIN_TOKEN = "dev-admin";
    private static ConsoleBroker broker;
    private static WebSocketClient ws;
    private static Chromium chromium;
    @TempDir
    static Path auditDir;

    @BeforeAll
    static void start() throws Exception {
        Chromium.assumeInstalled();
        broker = ConsoleBroker.devWithAudit(auditDir);
        ws = new WebSocketClient();
        ws.start();
        chromium = Chromium.start(List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (ws != null) {
            ws.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void the_operations_view_lists_live_sessions_and_ends_one() throws Exception {
        String admin = broker.broker.adminUri().orElseThrow().toString();
        assertTrue(answersCors(admin), "the admin listener answers CORS for the console's origin");
        URI realtime = URI.create("ws://127.0.0.1:" + broker.broker.port() + "/v1/realtime?model=sim-chat");
        try (RealtimeClient kept = RealtimeClient.connect(ws, realtime, ConsoleBroker.KEY);
             RealtimeClient ended = RealtimeClient.connect(ws, realtime, ConsoleBroker.KEY)) {
            String keptId = kept.next().path("session").path("id").asText();
            String endedId = ended.next().path("session").path("id").asText();
            kept.send(RealtimeClient.userMessage("Count my tokens."));
            kept.send(RealtimeClient.responseCreate("evt_1", "{\"sim_tokens\":\"30\",\"sim_tokens_per_second\":\"1000\"}"));
            kept.until("response.done");

            load(broker, admin);
            chromium.waiting().until(d -> row(keptId).isPresent() && row(endedId).isPresent());
            assertEquals("connected", row(endedId).orElseThrow().getAttribute("data-state"));
            chromium.waiting().until(d -> chromium.byId("ops-usage-totals").getText().contains("1 requests"));

            row(endedId).orElseThrow().findElement(By.cssSelector("button[aria-label='End session " + endedId + "']"))
                    .click();
            chromium.waiting().until(d -> row(endedId).isEmpty());
            assertTrue(row(keptId).isPresent(), "the other session is still listed");
            assertTrue(chromium.byId("ops-alert").getText().contains("Ended " + endedId),
                    chromium.byId("ops-alert").getText());
            assertEquals(4042, ended.awaitClose());
            chromium.waiting().until(d -> chromium.byId("ops-chart-model").getAttribute("aria-label") != null);
            // The meters' charts need two scrapes of /metrics, one refresh (5 s) apart.
            chromium.waiting().until(d -> chromium.byId("ops-chart-ttft").getAttribute("aria-label") != null);
            // The audit log's record of the kept session opening, refreshed with the rest.
            chromium.waiting().until(d -> auditRow("session opened", keptId).isPresent());
            String opened = auditRow("session opened", keptId).orElseThrow().getText();
            assertTrue(opened.contains("allow") && opened.contains("dev"), opened);
            assertTrue(chromium.byId("ops-audit-note").getText().contains("newest first"),
                    chromium.byId("ops-audit-note").getText());
            chromium.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1850));
            chromium.screenshot("console-operations");
            chromium.driver.manage().window().setSize(Chromium.PHONE);
            chromium.assertNoHorizontalScroll();
            chromium.assertNoScriptErrors();
            chromium.assertOnlyRequested(broker.origin(), admin);
        }
    }

    @Test
    void without_an_audit_log_the_operations_view_says_so_without_an_error() throws Exception {
        try (ConsoleBroker plain = ConsoleBroker.dev()) {
            load(plain, plain.broker.adminUri().orElseThrow().toString());
            chromium.waiting().until(d -> "not-configured".equals(
                    chromium.byId("ops-audit-note").getAttribute("data-state")));
            assertTrue(chromium.byId("ops-audit-note").getText().contains("No audit log is configured"),
                    chromium.byId("ops-audit-note").getText());
            assertFalse(chromium.byId("ops-audit-wrap").isDisplayed(), "no empty table");
            chromium.waiting().until(d -> "open".equals(chromium.byId("ops-status").getAttribute("data-state")));
            assertFalse(chromium.byId("ops-alert").isDisplayed(), "not an error");
            chromium.assertNoScriptErrors();
        }
    }

    /** Opens the operations view of {@code on}'s console and loads it from the admin API at {@code admin}. */
    private static void load(ConsoleBroker on, String admin) {
        chromium.open(on.origin(), "operations");
        WebElement url = chromium.byId("ops-url");
        url.clear();
        url.sendKeys(admin);
        WebElement token = chromium.byId("ops-token");
        token.clear();
        token.sendKeys(ADMIN_TOKEN);
        chromium.byId("ops-load").click();
    }

    private java.util.Optional<WebElement> auditRow(String event, String sessionId) {
        return chromium.driver.findElements(By.cssSelector("#ops-audit tr[data-event='" + event + "'][data-session='"
                + sessionId + "']")).stream().findFirst();
    }

    private java.util.Optional<WebElement> row(String sessionId) {
        return chromium.driver.findElements(By.cssSelector("#ops-sessions tr[data-session='" + sessionId + "']"))
                .stream().findFirst();
    }

    /** Whether the admin listener lets the console's origin read it (a CORS preflight for GET with a token). */
    private static boolean answersCors(String admin) throws Exception {
        HttpRequest preflight = HttpRequest.newBuilder(URI.create(admin + "/admin/tenants"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10))
                .header("Origin", broker.origin()).header("Access-Control-Request-Method", "DELETE")
                .header("Access-Control-Request-Headers", "authorization").build();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(preflight, HttpResponse.BodyHandlers.ofString());
        return answer.headers().firstValue("Access-Control-Allow-Origin").isPresent();
    }
}
