package dev.switchboard.broker.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.ConfigLoader;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /admin/audit} through the real broker: the audit log's records of real sessions, newest first, the
 * limit, the tenant filter, each role (a tenant admin sees its own tenant's records only), 400 for a bad limit, and
 * 404 {@code audit_not_configured} on a broker without an audit log.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AdminAuditTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Path auditDir;
    private static AdminBroker broker;
    private static String acmeSession;
    private static String globexSession;

    @BeforeAll
    static void start() throws Exception {
        auditDir = Files.createTempDirectory("admin-audit-read");
        broker = AdminBroker.start(AdminApiTest.yaml(auditDir));
        AdminBroker.Live acme = broker.open("acme-key-2", "sim-chat");
        AdminBroker.Live globex = broker.open("globex-key-1", "sim-chat");
        acme.client().close();
        globex.client().close();
        acmeSession = acme.sessionId();
        globexSession = globex.sessionId();
        // Both sessions' "session opened" are written (the writer is asynchronous).
        await().atMost(WAIT).until(() -> records("", AdminApiTest.ADMIN),
                r -> has(r, "session opened", acmeSession) && has(r, "session opened", globexSession));
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
        try (Stream<Path> walk = Files.walk(auditDir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The records {@code GET /admin/audit?QUERY} answers {@code token} (asserting 200). */
    private static List<JsonNode> records(String query, String token) throws IOException, InterruptedException {
        HttpResponse<String> response = broker.get("/admin/audit" + (query.isEmpty() ? "" : "?" + query), token);
        assertEquals(200, response.statusCode(), response::body);
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        List<JsonNode> records = new ArrayList<>();
        AdminBroker.json(response).path("records").forEach(records::add);
        return records;
    }

    private static boolean has(List<JsonNode> records, String event, String sessionId) {
        return records.stream().anyMatch(r -> r.path("event").asText().equals(event)
                && r.path("session_id").asText().equals(sessionId));
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws IOException {
        assertEquals(status, response.statusCode(), response::body);
        JsonNode error = AdminBroker.json(response).path("error");
        assertEquals(code, error.path("code").asText(), response::body);
        assertFalse(error.path("message").asText().isEmpty(), response::body);
    }

    @Test
    void records_of_a_session_appear_newest_first_as_the_log_wrote_them() throws Exception {
        List<JsonNode> records = records("limit=500", AdminApiTest.ADMIN);
        assertTrue(has(records, "session opened", acmeSession));
        JsonNode opened = records.stream().filter(r -> r.path("session_id").asText().equals(acmeSession)
                && r.path("event").asText().equals("session opened")).findFirst().orElseThrow();
        assertEquals("allow", opened.path("decision").asText());
        assertEquals("acme", opened.path("tenant").asText());
        assertEquals("sim-chat", opened.path("model").asText());
        assertEquals(64, opened.path("hash").asText().length(), "the record as written, hash included");
        // Newest first: each record's predecessor in the chain is the one after it.
        for (int i = 0; i + 1 < records.size(); i++) {
            assertEquals(records.get(i + 1).path("hash").asText(), records.get(i).path("prev_hash").asText());
        }
        JsonNode oldest = records.get(records.size() - 1);
        assertEquals("config loaded", oldest.path("event").asText(), "the first record of this log");
    }

    @Test
    void the_limit_cuts_the_newest_records_and_defaults_to_50() throws Exception {
        List<JsonNode> two = records("limit=2", AdminApiTest.ADMIN);
        assertEquals(2, two.size());
        assertEquals(two.get(1).path("hash").asText(), two.get(0).path("prev_hash").asText());
        List<JsonNode> all = records("", AdminApiTest.ADMIN);
        assertTrue(all.size() > 2 && all.size() <= 50, () -> all.size() + " records");
    }

    @Test
    void a_tenant_filter_keeps_that_tenants_records_only() throws Exception {
        List<JsonNode> globex = records("tenant=globex", AdminApiTest.VIEWER);
        assertTrue(has(globex, "session opened", globexSession));
        assertTrue(globex.stream().allMatch(r -> r.path("tenant").asText().equals("globex")));
        assertEquals(List.of(), records("tenant=initech", AdminApiTest.ADMIN), "no such tenant, no records");
    }

    @Test
    void admins_and_viewers_see_broker_wide_records_too() throws Exception {
        Predicate<JsonNode> configLoaded = r -> r.path("event").asText().equals("config loaded");
        assertTrue(records("limit=500", AdminApiTest.VIEWER).stream().anyMatch(configLoaded));
        assertTrue(records("limit=500", AdminApiTest.ADMIN).stream().anyMatch(configLoaded));
    }

    @Test
    void a_tenant_admin_sees_only_its_own_tenants_records() throws Exception {
        List<JsonNode> own = records("limit=500", AdminApiTest.ACME_ADMIN);
        assertTrue(has(own, "session opened", acmeSession));
        assertFalse(own.isEmpty());
        assertTrue(own.stream().allMatch(r -> r.path("tenant").asText().equals("acme")),
                "neither another tenant's records nor broker-wide ones (empty tenant)");
        assertEquals(own.size(), records("limit=500&tenant=acme", AdminApiTest.ACME_ADMIN).size());
        assertError(broker.get("/admin/audit?tenant=globex", AdminApiTest.ACME_ADMIN), 403, "forbidden");
    }

    @Test
    void a_bad_limit_is_400_naming_the_rule() throws Exception {
        for (String limit : List.of("0", "501", "-1", "ten", "", "1.5", "99999999999")) {
            HttpResponse<String> response = broker.get("/admin/audit?limit=" + limit, AdminApiTest.ADMIN);
            assertError(response, 400, "invalid_query");
            assertTrue(AdminBroker.json(response).path("error").path("message").asText().contains("limit"));
        }
        assertEquals(1, records("limit=1", AdminApiTest.ADMIN).size(), "the bounds themselves are valid");
        assertFalse(records("limit=500", AdminApiTest.ADMIN).isEmpty());
    }

    @Test
    void the_audit_endpoint_needs_a_token_and_takes_only_get() throws Exception {
        assertError(broker.get("/admin/audit", null), 401, "missing_token");
        assertError(broker.post("/admin/audit", AdminApiTest.ADMIN), 405, "method_not_allowed");
    }

    @Test
    void without_an_audit_log_the_endpoint_is_404_audit_not_configured() throws Exception {
        var config = new ConfigLoader(name -> null).parse(AdminApiTest.yaml(auditDir)).withAudit(Optional.empty());
        try (AdminBroker plain = AdminBroker.start(config)) {
            HttpResponse<String> response = plain.get("/admin/audit", AdminApiTest.ADMIN);
            assertError(response, 404, "audit_not_configured");
            assertTrue(AdminBroker.json(response).path("error").path("message").asText()
                    .contains("no audit log is configured"));
            assertError(plain.get("/admin/audit", null), 401, "missing_token");
        }
    }
}
