package dev.switchboard.broker.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The admin API through the real broker: its own listener, each endpoint, each role, 401/403/404/405, a session
 * ended by an administrator (close 4042 to the live client, resume refused, audit record), and {@code /metrics} on
 * the admin listener while {@code metrics.public: false} hides it on the main port. Sessions are real WebSocket
 * sessions against the embedded simulator.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AdminApiTest {
    static final String ADMIN = "admin-token-1";
    static final String VIEWER = "viewer-token-1";
    static final String ACME_ADMIN = "acme-admin-token";
    private static final String SLOW = "{\"sim_tokens\":\"3000\",\"sim_ttft_ms\":\"0\","
            + "\"sim_tokens_per_second\":\"50\"}";
    private static final String QUICK = "{\"sim_tokens\":\"20\",\"sim_ttft_ms\":\"0\"}";
    private static Path auditDir;
    private static AdminBroker broker;

    static String yaml(Path audit) {
        return """
                simulator: {enabled: true}
                admin:
                  listen: {host: 127.0.0.1, port: 0}
                  tokens:
                    - {token: admin-token-1, role: admin, name: ops}
                    - {token: viewer-token-1, role: viewer}
                    - {token: acme-admin-token, role: tenant_admin, tenant: acme, name: acme-ops}
                metrics: {public: false}
                audit: {dir: '%s'}
                tenants:
                  acme:
                    keys: [{key: acme-key-1, id: acme-one, limits: {requests_per_minute: 50}}, acme-key-2]
                    models: ["*"]
                    limits: {requests_per_minute: 100, concurrent_sessions: 5, max_output_tokens: 4000,
                             session_idle_timeout: 10m}
                    budgets: [{period: day, tokens: 1000000}, {period: month, cost_usd: 25}]
                  globex:
                    keys: [globex-key-1]
                    models: [sim-chat]
                """.formatted(audit);
    }

    @BeforeAll
    static void start() throws Exception {
        auditDir = Files.createTempDirectory("admin-audit");
        broker = AdminBroker.start(yaml(auditDir));
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

    private static void assertError(HttpResponse<String> response, int status, String code) throws IOException {
        assertEquals(status, response.statusCode(), response::body);
        JsonNode error = AdminBroker.json(response).path("error");
        assertEquals(code, error.path("code").asText(), response::body);
        assertFalse(error.path("message").asText().isEmpty(), response::body);
        assertTrue(error.has("type"), response::body);
    }

    @Test
    void a_request_without_a_token_is_refused_with_401_and_a_bearer_challenge() throws Exception {
        HttpResponse<String> response = broker.get("/admin/tenants", null);
        assertError(response, 401, "missing_token");
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    }

    @Test
    void an_unknown_token_is_refused_with_401_and_never_echoed() throws Exception {
        HttpResponse<String> response = broker.get("/admin/sessions", "not-a-configured-token");
        assertError(response, 401, "invalid_token");
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"));
        assertFalse(response.body().contains("not-a-configured-token"));
        // A main API key is not an admin token either.
        assertError(broker.get("/admin/sessions", "acme-key-1"), 401, "invalid_token");
    }

    @Test
    void an_unknown_path_is_404_and_a_wrong_method_is_405_naming_the_allowed_ones() throws Exception {
        assertError(broker.get("/admin/nothing-here", ADMIN), 404, "not_found");
        assertError(broker.get("/v1/realtime", null), 404, "not_found");
        HttpResponse<String> wrong = broker.delete("/admin/tenants", ADMIN);
        assertError(wrong, 405, "method_not_allowed");
        assertEquals("GET", wrong.headers().firstValue("Allow").orElse(""));
        assertEquals("DELETE", broker.get("/admin/sessions/sess_abc", ADMIN).headers().firstValue("Allow")
                .orElse(""));
        assertEquals("POST", broker.get("/admin/config/reload", ADMIN).headers().firstValue("Allow").orElse(""));
    }

    @Test
    void the_admin_sees_every_tenant_with_key_ids_limits_and_budgets_but_never_a_key() throws Exception {
        HttpResponse<String> response = broker.get("/admin/tenants", ADMIN);
        assertEquals(200, response.statusCode(), response::body);
        assertFalse(response.body().contains("acme-key-1") || response.body().contains("globex-key-1"),
                "keys must never be shown: " + response.body());
        JsonNode tenants = AdminBroker.json(response).path("tenants");
        assertEquals(List.of("acme", "globex"), List.of(tenants.get(0).path("id").asText(),
                tenants.get(1).path("id").asText()));
        JsonNode acme = tenants.get(0);
        assertEquals("acme-one", acme.path("keys").get(0).path("id").asText());
        assertTrue(acme.path("keys").get(1).path("id").asText().startsWith("key_"), acme::toString);
        assertEquals(50, acme.path("keys").get(0).path("limits").path("requests_per_minute").path("limit").asLong());
        JsonNode limits = acme.path("limits");
        assertEquals(100, limits.path("requests_per_minute").path("limit").asLong(), acme::toString);
        assertTrue(limits.path("requests_per_minute").has("remaining"), acme::toString);
        assertEquals(5, limits.path("concurrent_sessions").path("limit").asLong());
        assertEquals(4000, limits.path("max_output_tokens").asLong());
        assertEquals("10m", limits.path("session_idle_timeout").asText());
        JsonNode tokens = acme.path("budgets").get(0);
        assertEquals("day", tokens.path("period").asText());
        assertEquals("tokens", tokens.path("unit").asText());
        assertEquals(1_000_000, tokens.path("limit").asLong());
        assertEquals(tokens.path("limit").asLong() - tokens.path("spent").asLong(), tokens.path("remaining").asLong());
        assertEquals("usd", acme.path("budgets").get(1).path("unit").asText());
        assertEquals(25.0, acme.path("budgets").get(1).path("limit").asDouble());
        assertEquals(List.of("sim-chat"), List.of(tenants.get(1).path("models").get(0).asText()));
    }

    @Test
    void what_remains_follows_live_use_a_held_session_slot_and_spent_tokens() throws Exception {
        AdminBroker.Live live = broker.open("acme-key-2", "sim-chat");
        try (RealtimeClient client = live.client()) {
            JsonNode acme = acmeEntry();
            assertTrue(acme.path("limits").path("concurrent_sessions").path("in_use").asLong() >= 1, acme::toString);
            long spentBefore = acme.path("budgets").get(0).path("spent").asLong();
            answer(client, QUICK);
            JsonNode after = acmeEntry();
            assertTrue(after.path("budgets").get(0).path("spent").asLong() > spentBefore, after::toString);
        }
    }

    private static JsonNode acmeEntry() throws Exception {
        return AdminBroker.json(broker.get("/admin/tenants", ADMIN)).path("tenants").get(0);
    }

    /** Asks for one answer with {@code metadata} and reads up to its {@code response.done}. */
    private static void answer(RealtimeClient client, String metadata) throws InterruptedException {
        client.send(RealtimeClient.userMessage("hello"));
        client.until("conversation.item.done");
        client.send(RealtimeClient.responseCreate("go", metadata));
        client.until("response.done");
    }

    @Test
    void a_tenant_admin_sees_only_its_own_tenant() throws Exception {
        JsonNode tenants = AdminBroker.json(broker.get("/admin/tenants", ACME_ADMIN)).path("tenants");
        assertEquals(1, tenants.size(), tenants::toString);
        assertEquals("acme", tenants.get(0).path("id").asText());
        assertEquals(2, AdminBroker.json(broker.get("/admin/tenants", VIEWER)).path("tenants").size());
    }

    @Test
    void live_sessions_are_listed_with_tenant_key_model_state_and_counters() throws Exception {
        AdminBroker.Live live = broker.open("acme-key-1", "sim-chat");
        try (RealtimeClient client = live.client()) {
            answer(client, QUICK);
            JsonNode session = await().atMost(Duration.ofSeconds(20)).until(() -> find(live.sessionId(), ADMIN),
                    s -> s.path("responses").asLong() == 1);
            assertEquals("acme", session.path("tenant").asText());
            assertEquals("acme-one", session.path("key_id").asText());
            assertEquals("sim-chat", session.path("model").asText());
            assertEquals("websocket", session.path("transport").asText());
            assertEquals("connected", session.path("state").asText());
            assertTrue(session.path("bytes_sent").asLong() > 100, session::toString);
            assertFalse(session.path("started_at").asText().isEmpty());
            // The connection drops without a close frame: the session waits for a resume, detached.
            client.session().disconnect();
            await().atMost(Duration.ofSeconds(20)).until(() -> find(live.sessionId(), ADMIN).path("state").asText(),
                    "detached"::equals);
        }
    }

    /** The listed session {@code id} as {@code token} sees it, or a missing node. */
    private static JsonNode find(String id, String token) throws Exception {
        for (JsonNode session : AdminBroker.json(broker.get("/admin/sessions", token)).path("sessions")) {
            if (session.path("id").asText().equals(id)) {
                return session;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    @Test
    void a_tenant_admin_lists_only_its_tenants_sessions_and_may_not_ask_for_another() throws Exception {
        AdminBroker.Live acme = broker.open("acme-key-1", "sim-chat");
        AdminBroker.Live globex = broker.open("globex-key-1", "sim-chat");
        try (RealtimeClient a = acme.client(); RealtimeClient g = globex.client()) {
            List<String> seen = new ArrayList<>();
            AdminBroker.json(broker.get("/admin/sessions", ACME_ADMIN)).path("sessions")
                    .forEach(s -> seen.add(s.path("tenant").asText() + "/" + s.path("id").asText()));
            assertTrue(seen.contains("acme/" + acme.sessionId()), seen::toString);
            assertTrue(seen.stream().allMatch(s -> s.startsWith("acme/")), seen::toString);
            assertError(broker.get("/admin/sessions?tenant=globex", ACME_ADMIN), 403, "forbidden");
            JsonNode onlyGlobex = AdminBroker.json(broker.get("/admin/sessions?tenant=globex", VIEWER));
            assertTrue(onlyGlobex.path("sessions").size() >= 1, onlyGlobex::toString);
            onlyGlobex.path("sessions").forEach(s -> assertEquals("globex", s.path("tenant").asText()));
            assertError(broker.get("/admin/sessions?tenant=nobody", ADMIN), 404, "tenant_not_found");
        }
    }

    @Test
    void a_viewer_reads_but_may_not_end_a_session_or_reload() throws Exception {
        AdminBroker.Live live = broker.open("globex-key-1", "sim-chat");
        try (RealtimeClient client = live.client()) {
            assertEquals(200, broker.get("/admin/sessions", VIEWER).statusCode());
            assertError(broker.delete("/admin/sessions/" + live.sessionId(), VIEWER), 403, "forbidden");
            assertError(broker.post("/admin/config/reload", VIEWER), 403, "forbidden");
            assertError(broker.post("/admin/config/reload", ACME_ADMIN), 403, "forbidden");
            assertTrue(client.closeStatus().isEmpty(), "the session must still be open");
        }
    }

    @Test
    void ending_a_session_closes_its_client_with_4042_and_refuses_its_resume() throws Exception {
        AdminBroker.Live live = broker.open("acme-key-1", "sim-chat");
        try (RealtimeClient client = live.client()) {
            client.send(RealtimeClient.userMessage("tell me a long story"));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("long", SLOW));
            client.until("response.output_text.delta");

            HttpResponse<String> ended = broker.delete("/admin/sessions/" + live.sessionId(), ADMIN);
            assertEquals(200, ended.statusCode(), ended::body);
            assertTrue(AdminBroker.json(ended).path("ended").asBoolean(), ended::body);

            List<JsonNode> upToDone = client.until("response.done");
            JsonNode done = upToDone.get(upToDone.size() - 1);
            assertEquals("cancelled", done.path("response").path("status").asText(), done::toString);
            assertEquals("session_ended_by_admin", done.path("response").path("status_details").path("reason")
                    .asText(), done::toString);
            List<JsonNode> upToError = client.until("error");
            JsonNode last = upToError.get(upToError.size() - 1);
            assertEquals("session_ended_by_admin", last.path("error").path("code").asText(), last::toString);
            assertEquals(4042, client.awaitClose());
        }
        try (RealtimeClient resumed = broker.resume("acme-key-1", live.resumeToken(), 1)) {
            JsonNode refusal = resumed.next();
            assertEquals("resume_token_expired", refusal.path("error").path("code").asText(), refusal::toString);
            assertEquals(4410, resumed.awaitClose());
        }
        assertTrue(find(live.sessionId(), ADMIN).isMissingNode(), "an ended session is no longer listed");
        assertError(broker.delete("/admin/sessions/" + live.sessionId(), ADMIN), 404, "session_not_found");
        JsonNode record = await().atMost(Duration.ofSeconds(20)).until(() -> adminRecord(live.sessionId(), "ended"),
                r -> !r.isMissingNode());
        assertEquals("end_session", record.path("action").asText());
        assertEquals("ops", record.path("caller").asText());
        assertEquals("admin", record.path("roles").asText());
        assertEquals("acme", record.path("tenant").asText());
    }

    /** The audit log's {@code admin action} record about {@code sessionId} with {@code outcome}, if written. */
    private static JsonNode adminRecord(String sessionId, String outcome) throws IOException {
        try (Stream<Path> files = Files.list(auditDir)) {
            for (Path file : files.sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    JsonNode node = RealtimeClient.JSON.readTree(line);
                    if (node.path("event").asText().equals("admin action")
                            && node.path("session_id").asText().equals(sessionId)
                            && node.path("reason").asText().equals(outcome)) {
                        return node;
                    }
                }
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    @Test
    void a_tenant_admin_ends_its_own_tenants_session_while_another_tenants_is_not_found() throws Exception {
        AdminBroker.Live acme = broker.open("acme-key-2", "sim-chat");
        AdminBroker.Live globex = broker.open("globex-key-1", "sim-chat");
        try (RealtimeClient a = acme.client(); RealtimeClient g = globex.client()) {
            assertError(broker.delete("/admin/sessions/" + globex.sessionId(), ACME_ADMIN), 404, "session_not_found");
            assertEquals(200, broker.delete("/admin/sessions/" + acme.sessionId(), ACME_ADMIN).statusCode());
            assertEquals(4042, a.awaitClose());
            assertTrue(g.closeStatus().isEmpty(), "the other tenant's session must be untouched");
        }
    }

    @Test
    void ending_an_unknown_session_is_404() throws Exception {
        assertError(broker.delete("/admin/sessions/sess_doesnotexist", ADMIN), 404, "session_not_found");
        assertError(broker.delete("/admin/sessions/not-a-session-id", ADMIN), 404, "not_found");
    }

    @Test
    void metrics_are_served_on_the_admin_listener_without_a_token_and_hidden_on_the_main_port() throws Exception {
        HttpResponse<String> admin = broker.get("/metrics", null);
        assertEquals(200, admin.statusCode());
        assertTrue(admin.body().contains("broker_sessions_active"), "a Prometheus scrape");
        HttpResponse<String> main = AdminBroker.send("GET", broker.main("/metrics"), null);
        assertEquals(404, main.statusCode(), main::body);
        assertEquals(200, AdminBroker.send("GET", broker.main("/healthz"), null).statusCode());
    }
}
