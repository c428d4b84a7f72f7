package dev.switchboard.broker.admin;

import dev.switchboard.broker.reload.Reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.Admin;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /admin/config/reload} and {@code GET /admin/tenants/{id}/usage} through a real admin server whose
 * {@link ConfigReloader} and {@link UsageReports} are small fakes of those interfaces (the broker's own reload and
 * usage ledger are wired elsewhere): what each outcome answers, what the reloader is told, and who may call.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AdminReloadTest {
    private static final List<String> RELOADS = new CopyOnWriteArrayList<>();
    private static final AtomicReference<Reload> NEXT = new AtomicReference<>();
    private static Broker broker;
    private static ScheduledExecutorService scheduler;
    private static AdminServer admin;

    @BeforeAll
    static void start() throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse("""
                simulator: {enabled: true}
                admin:
                  tokens:
                    - {token: admin-token-1, role: admin, name: ops}
                    - {token: acme-admin-token, role: tenant_admin, tenant: acme}
                    - {token: viewer-token-1, role: viewer}
                tenants:
                  acme: {keys: [acme-key-1], models: ["*"]}
                  globex: {keys: [globex-key-1], models: ["*"]}
                """);
        broker = Broker.start(config.withAdmin(Optional.empty(), config.metrics())
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        scheduler = Executors.newSingleThreadScheduledExecutor();
        ConfigReloader reloader = (who, endRevoked) -> {
            RELOADS.add(who.identity() + " " + who.roles() + " end_revoked_sessions=" + endRevoked);
            return NEXT.get();
        };
        UsageReports usage = (tenant, query) -> query.containsKey("bad")
                ? new UsageReports.Report.BadQuery("from must be a date (YYYY-MM-DD)")
                : new UsageReports.Report.Ok(RealtimeClient.JSON.createObjectNode().put("tenant", tenant)
                        .put("group_by", query.getOrDefault("group_by", "")).toString());
        Admin settings = config.admin().orElseThrow();
        admin = AdminServer.start(settings.withListen(new BrokerConfig.Listen("127.0.0.1", 0)), config.limits(),
                new AdminSources(() -> config, tenant -> Optional.empty(), broker.sessions(), scheduler,
                        broker.metrics(), reloader, usage, Optional.empty(), Optional.empty(),
                        () -> URI.create("http://127.0.0.1:1")));
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
        scheduler.shutdownNow();
    }

    private static HttpResponse<String> call(String method, String path, String token) throws Exception {
        return AdminBroker.send(method, URI.create(admin.uri() + path), token);
    }

    @Test
    void a_reload_that_goes_through_answers_the_new_version_and_tells_the_reloader_who_asked() throws Exception {
        NEXT.set(new Reload.Applied("abc123", "abc000", List.of("rings"), List.of(), 2));
        RELOADS.clear();
        HttpResponse<String> response = call("POST", "/admin/config/reload?end_revoked_sessions=true",
                "admin-token-1");
        assertEquals(200, response.statusCode(), response::body);
        JsonNode body = AdminBroker.json(response);
        assertEquals("abc123", body.path("version").asText());
        assertEquals(2, body.path("sessions_ended").asInt());
        assertEquals("abc000", body.path("previous_version").asText());
        assertEquals("rings", body.path("restart_required").path(0).asText(), body::toString);
        assertEquals(List.of("ops admin end_revoked_sessions=true"), RELOADS);
    }

    @Test
    void a_rejected_reload_is_400_with_the_reloaders_message() throws Exception {
        NEXT.set(new Reload.Rejected("tenants.acme.keys must list at least one key"));
        HttpResponse<String> response = call("POST", "/admin/config/reload", "admin-token-1");
        assertEquals(400, response.statusCode(), response::body);
        JsonNode error = AdminBroker.json(response).path("error");
        assertEquals("invalid_configuration", error.path("code").asText());
        assertEquals("tenants.acme.keys must list at least one key", error.path("message").asText());
    }

    @Test
    void a_reload_that_is_not_possible_is_409() throws Exception {
        NEXT.set(new Reload.Unavailable("dev mode has no configuration file to reload"));
        HttpResponse<String> response = call("POST", "/admin/config/reload", "admin-token-1");
        assertEquals(409, response.statusCode(), response::body);
        assertEquals("reload_unavailable", AdminBroker.json(response).path("error").path("code").asText());
    }

    @Test
    void only_an_admin_may_reload_and_the_reloader_is_not_called_otherwise() throws Exception {
        RELOADS.clear();
        assertEquals(403, call("POST", "/admin/config/reload", "acme-admin-token").statusCode());
        assertEquals(403, call("POST", "/admin/config/reload", "viewer-token-1").statusCode());
        assertEquals(401, call("POST", "/admin/config/reload", null).statusCode());
        assertTrue(RELOADS.isEmpty(), RELOADS::toString);
    }

    @Test
    void usage_is_answered_by_the_usage_reports_for_a_tenant_the_caller_may_read() throws Exception {
        HttpResponse<String> own = call("GET", "/admin/tenants/acme/usage?group_by=model", "acme-admin-token");
        assertEquals(200, own.statusCode(), own::body);
        assertEquals(Map.of("tenant", "acme", "group_by", "model"), RealtimeClient.JSON.convertValue(
                AdminBroker.json(own), Map.class));
        assertEquals(403, call("GET", "/admin/tenants/globex/usage", "acme-admin-token").statusCode());
        assertEquals(200, call("GET", "/admin/tenants/globex/usage", "viewer-token-1").statusCode());
        assertEquals(404, call("GET", "/admin/tenants/nobody/usage", "admin-token-1").statusCode());
        HttpResponse<String> bad = call("GET", "/admin/tenants/acme/usage?bad=1", "admin-token-1");
        assertEquals(400, bad.statusCode(), bad::body);
        assertEquals("invalid_query", AdminBroker.json(bad).path("error").path("code").asText());
    }
}
