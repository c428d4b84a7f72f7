package dev.switchboard.broker.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.reload.Reload;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.transport.http.HttpErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.jspecify.annotations.Nullable;

/**
 * Routes the admin listener's requests. In order: an unknown path is 404, a method the path does not take is 405
 * (with {@code Allow}), a missing or invalid bearer token is 401 (with {@code WWW-Authenticate: Bearer}), a caller
 * whose roles do not allow the call is 403; then the endpoint answers. {@code /metrics} needs no token. Errors have
 * the main API's shape, {@code {"error":{"message","type","param","code"}}}.
 *
 * <p>Runs on the admin server's own threads and may block (a JWKS fetch, a bounded wait for a session to end, a
 * reload): the handler is declared blocking, and none of these threads is a shard or selector thread.
 */
final class AdminHandler extends Handler.Abstract {
    private static final Pattern TENANT_USAGE = Pattern.compile("/admin/tenants/([A-Za-z0-9_.-]{1,128})/usage");
    private static final Pattern SESSION = Pattern.compile("/admin/sessions/(sess_[A-Za-z0-9_-]{1,64})");
    private static final int AUDIT_DEFAULT_LIMIT = 50;
    private static final int AUDIT_MAX_LIMIT = 500;
    private static final String REALM = "Bearer realm=\"switchboard-admin\"";

    private final ObjectMapper json = new ObjectMapper();
    private final ConsoleCors cors;
    private final AdminSources sources;
    private final Authenticator authenticator;
    private final TenantsView tenants;
    private final SessionsView sessions;
    private final AdminActions actions;

    AdminHandler(AdminSources sources, Authenticator authenticator) {
        this.sources = sources;
        this.cors = new ConsoleCors(sources.console());
        this.authenticator = authenticator;
        this.tenants = new TenantsView(json, sources.standing());
        this.sessions = new SessionsView(json, sources.sessions(), sources.scheduler());
        this.actions = new AdminActions(sources.audit());
    }

    /** One request in context: what the endpoints need to answer it. */
    private record Call(Request request, Response response, Callback callback) {
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (cors.apply(request, response, callback)) {
            return true;
        }
        Call call = new Call(request, response, callback);
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        Matcher usage = TENANT_USAGE.matcher(path);
        Matcher session = SESSION.matcher(path);
        if (path.equals("/metrics")) {
            if (allowed(call, method, "GET", "HEAD")) {
                writeText(call, sources.metrics().scrape());
            }
        } else if (path.equals("/admin/tenants")) {
            if (allowed(call, method, "GET")) {
                authenticated(call).ifPresent(caller -> listTenants(call, caller));
            }
        } else if (usage.matches()) {
            if (allowed(call, method, "GET")) {
                authenticated(call).ifPresent(caller -> usage(call, caller, usage.group(1)));
            }
        } else if (path.equals("/admin/sessions")) {
            if (allowed(call, method, "GET")) {
                authenticated(call).ifPresent(caller -> listSessions(call, caller));
            }
        } else if (session.matches()) {
            if (allowed(call, method, "DELETE")) {
                Optional<Caller> caller = authenticated(call);
                if (caller.isPresent()) {
                    endSession(call, caller.get(), session.group(1));
                }
            }
        } else if (path.equals("/admin/audit")) {
            if (allowed(call, method, "GET")) {
                authenticated(call).ifPresent(caller -> audit(call, caller));
            }
        } else if (path.equals("/admin/config/reload")) {
            if (allowed(call, method, "POST")) {
                authenticated(call).ifPresent(caller -> reload(call, caller));
            }
        } else {
            // The path is not echoed: it is the client's bytes, of any length.
            error(call, 404, "not_found", "no such path; the admin API serves /admin/tenants, "
                    + "/admin/tenants/{id}/usage, /admin/sessions, /admin/sessions/{id}, /admin/audit, "
                    + "/admin/config/reload and /metrics");
        }
        return true;
    }

    // ---- endpoints ----

    private void listTenants(Call call, Caller caller) {
        if (!caller.hasRole()) {
            forbidden(call, caller, "reading tenants");
            return;
        }
        writeJson(call, 200, tenants.list(sources.config().get(), caller));
    }

    private void usage(Call call, Caller caller, String tenant) {
        if (!sources.config().get().tenants().containsKey(tenant)) {
            if (caller.readsAll()) {
                error(call, 404, "tenant_not_found", "no tenant with that id is configured");
            } else {
                forbidden(call, caller, "reading that tenant");
            }
            return;
        }
        if (!caller.reads(tenant)) {
            forbidden(call, caller, "reading that tenant");
            return;
        }
        UsageReports.Report report = sources.usage().report(tenant, firstValues(call.request()));
        if (report instanceof UsageReports.Report.Ok ok) {
            write(call, 200, "application/json", ok.json());
        } else if (report instanceof UsageReports.Report.BadQuery bad) {
            error(call, 400, "invalid_query", bad.message());
        } else {
            error(call, 404, "tenant_not_found", ((UsageReports.Report.NotFound) report).message());
        }
    }

    private void listSessions(Call call, Caller caller) {
        Optional<String> tenant = Optional.ofNullable(Request.extractQueryParameters(call.request())
                .getValue("tenant"));
        if (tenant.isEmpty() && !caller.readsAll() && caller.tenantAdminOf().size() == 1) {
            // A tenant admin's sessions are its tenant's: the parameter may be left out.
            tenant = Optional.of(caller.tenantAdminOf().iterator().next());
        }
        boolean allowed = tenant.map(caller::reads).orElse(caller.readsAll());
        if (!allowed) {
            forbidden(call, caller, tenant.isPresent() ? "reading that tenant's sessions"
                    : "reading every tenant's sessions (add ?tenant=ID)");
            return;
        }
        if (tenant.isPresent() && !sources.config().get().tenants().containsKey(tenant.get())) {
            error(call, 404, "tenant_not_found", "no tenant with that id is configured");
            return;
        }
        writeJson(call, 200, sessions.list(tenant));
    }

    private void endSession(Call call, Caller caller, String id) throws InterruptedException {
        if (!caller.admin() && caller.tenantAdminOf().isEmpty()) {
            actions.sessionEnd(caller, "", id, "forbidden");
            forbidden(call, caller, "ending sessions");
            return;
        }
        Optional<BrokerSession> found = sessions.find(id, caller);
        if (found.isEmpty()) {
            actions.sessionEnd(caller, "", id, "not_found");
            error(call, 404, "session_not_found", "no live session with that id");
            return;
        }
        String tenant = found.get().tenantId();
        if (!caller.endsSessionsOf(tenant)) {
            actions.sessionEnd(caller, tenant, id, "forbidden");
            forbidden(call, caller, "ending that tenant's sessions");
            return;
        }
        SessionsView.Ending ending = sessions.end(found.get());
        boolean ended = ending == SessionsView.Ending.ENDED;
        actions.sessionEnd(caller, tenant, id, ended ? "ended" : "pending");
        ObjectNode body = json.createObjectNode().put("id", id).put("tenant", tenant).put("ended", ended);
        writeJson(call, ended ? 200 : 202, body);
    }

    private void audit(Call call, Caller caller) {
        Fields query = Request.extractQueryParameters(call.request());
        String tenant = Optional.ofNullable(query.getValue("tenant")).orElse("");
        if (!caller.hasRole() || !tenant.isEmpty() && !caller.reads(tenant)) {
            forbidden(call, caller, tenant.isEmpty() ? "reading audit records" : "reading that tenant's audit records");
            return;
        }
        if (sources.auditRecords().isEmpty()) {
            error(call, 404, "audit_not_configured", "no audit log is configured (the configuration has no audit "
                    + "section), so there are no audit records to read; see docs/audit.md");
            return;
        }
        OptionalInt limit = auditLimit(query.getValue("limit"));
        if (limit.isEmpty()) {
            error(call, 400, "invalid_query", "limit must be a whole number from 1 to " + AUDIT_MAX_LIMIT
                    + " (default " + AUDIT_DEFAULT_LIMIT + ")");
            return;
        }
        // A tenant admin reads only its tenants' records; broker-wide ones (empty tenant) are not its to see.
        Predicate<String> tenants = !tenant.isEmpty() ? tenant::equals
                : caller.readsAll() ? any -> true : caller.tenantAdminOf()::contains;
        try {
            List<JsonNode> records = sources.auditRecords().get().newest(limit.getAsInt(), tenants);
            ObjectNode body = json.createObjectNode();
            body.putArray("records").addAll(records);
            writeJson(call, 200, body);
        } catch (IOException e) {
            error(call, 503, "audit_unreadable", "the audit log's files cannot be read now");
        }
    }

    /** The {@code limit} of {@code GET /admin/audit}: its default when absent, empty when invalid. */
    private static OptionalInt auditLimit(@Nullable String text) {
        if (text == null) {
            return OptionalInt.of(AUDIT_DEFAULT_LIMIT);
        }
        if (!text.matches("[0-9]{1,4}")) {
            return OptionalInt.empty();
        }
        int limit = Integer.parseInt(text);
        return limit >= 1 && limit <= AUDIT_MAX_LIMIT ? OptionalInt.of(limit) : OptionalInt.empty();
    }

    private void reload(Call call, Caller caller) {
        boolean endRevoked = "true".equals(Request.extractQueryParameters(call.request())
                .getValue("end_revoked_sessions"));
        if (!caller.reloads()) {
            actions.reload(caller, endRevoked, "forbidden", "");
            forbidden(call, caller, "reloading the configuration");
            return;
        }
        Reload outcome = sources.reloader().reload(caller, endRevoked);
        if (outcome instanceof Reload.Applied applied) {
            actions.reload(caller, endRevoked, "reloaded", applied.version());
            ObjectNode body = json.createObjectNode().put("version", applied.version())
                    .put("previous_version", applied.previous()).put("sessions_ended", applied.sessionsEnded());
            applied.restartRequired().forEach(body.putArray("restart_required")::add);
            applied.providersRebuilt().forEach(body.putArray("providers_rebuilt")::add);
            writeJson(call, 200, body);
        } else if (outcome instanceof Reload.Rejected rejected) {
            actions.reload(caller, endRevoked, "rejected", "");
            error(call, 400, "invalid_configuration", rejected.message());
        } else {
            actions.reload(caller, endRevoked, "unavailable", "");
            error(call, 409, "reload_unavailable", ((Reload.Unavailable) outcome).message());
        }
    }

    // ---- checks ----

    /** Whether {@code method} is one of {@code allowed}; otherwise answers 405 with {@code Allow}. */
    private boolean allowed(Call call, String method, String... allowed) {
        for (String candidate : allowed) {
            if (candidate.equals(method)) {
                return true;
            }
        }
        call.response().getHeaders().put(HttpHeader.ALLOW, String.join(", ", allowed));
        error(call, 405, "method_not_allowed", "this path takes " + String.join(" or ", allowed));
        return false;
    }

    /** The caller, or empty after answering 401 (with {@code WWW-Authenticate}) or 503. */
    private Optional<Caller> authenticated(Call call) {
        Authentication result = authenticator.authenticate(call.request());
        if (result instanceof Authentication.Authenticated known) {
            return Optional.of(known.caller());
        }
        if (result instanceof Authentication.Refused refused) {
            call.response().getHeaders().put(HttpHeader.WWW_AUTHENTICATE, refused.code().equals("missing_token")
                    ? REALM : REALM + ", error=\"invalid_token\"");
            error(call, 401, refused.code(), refused.message());
        } else {
            error(call, 503, "identity_provider_unavailable", ((Authentication.Unavailable) result).message());
        }
        return Optional.empty();
    }

    private void forbidden(Call call, Caller caller, String what) {
        error(call, 403, "forbidden", "the caller's roles (" + caller.roles() + ") do not allow " + what);
    }

    // ---- writing ----

    private static Map<String, String> firstValues(Request request) {
        Map<String, String> values = new LinkedHashMap<>();
        Fields fields = Request.extractQueryParameters(request);
        fields.forEach(field -> values.put(field.getName(), field.getValue()));
        return values;
    }

    private static void error(Call call, int status, String code, String message) {
        HttpErrors.refuse(call.request(), call.response(), call.callback(), status, code, message);
    }

    private static void writeJson(Call call, int status, JsonNode body) {
        write(call, status, "application/json", body.toString());
    }

    private static void writeText(Call call, String text) {
        write(call, 200, "text/plain; version=0.0.4; charset=utf-8", text);
    }

    private static void write(Call call, int status, String contentType, String body) {
        Response response = call.response();
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), call.callback());
    }
}
