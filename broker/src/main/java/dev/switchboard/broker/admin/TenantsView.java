package dev.switchboard.broker.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.Guardrails;
import dev.switchboard.broker.guardrail.TenantStanding;
import dev.switchboard.broker.guardrail.UsageStoreException;
import dev.switchboard.broker.tenant.TenantRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code GET /admin/tenants}: each tenant the caller may read, with its keys (ids only, never a key), models,
 * regions, policy, limits with what remains of each now, and budgets with their spend in the current period.
 * Stateless; runs on admin API threads and only reads (the usage store's counters without taking anything).
 */
final class TenantsView {
    private final ObjectMapper json;
    private final Function<String, Optional<TenantStanding>> standing;

    TenantsView(ObjectMapper json, Function<String, Optional<TenantStanding>> standing) {
        this.json = json;
        this.standing = standing;
    }

    /** The tenants of {@code config} that {@code caller} may read, sorted by id. */
    ObjectNode list(BrokerConfig config, Caller caller) {
        ObjectNode body = json.createObjectNode();
        ArrayNode tenants = body.putArray("tenants");
        new TreeMap<>(config.tenants()).forEach((id, tenant) -> {
            if (caller.reads(id)) {
                tenants.add(tenant(id, tenant));
            }
        });
        return body;
    }

    private ObjectNode tenant(String id, BrokerConfig.Tenant tenant) {
        ObjectNode node = json.createObjectNode().put("id", id);
        tenant.models().forEach(node.putArray("models")::add);
        tenant.regions().forEach(node.putArray("regions")::add);
        tenant.policy().ifPresentOrElse(p -> node.put("policy", p), () -> node.putNull("policy"));
        node.put("on_guardrail_failure", tenant.onGuardrailFailure().word());
        Optional<TenantStanding> now;
        try {
            now = standing.apply(id);
        } catch (UsageStoreException e) {
            now = Optional.empty();
            node.put("usage_store", "unavailable");
        }
        Optional<TenantStanding> state = now;
        node.set("limits", limits(tenant.limits(), state.map(TenantStanding::tenant)));
        ArrayNode keys = node.putArray("keys");
        for (String key : tenant.keys()) {
            Optional<Guardrails.Key> settings = Optional.ofNullable(tenant.keySettings().get(key));
            String keyId = TenantRegistry.keyIdOf(key, settings.flatMap(Guardrails.Key::id));
            ObjectNode keyNode = keys.addObject().put("id", keyId);
            keyNode.set("limits", limits(settings.map(Guardrails.Key::limits).orElse(Guardrails.Limits.NONE),
                    state.flatMap(s -> Optional.ofNullable(s.keys().get(keyId)))));
        }
        ArrayNode budgets = node.putArray("budgets");
        for (int i = 0; i < tenant.budgets().size(); i++) {
            budgets.add(budget(tenant.budgets().get(i), state.map(s -> s.budgets()), i));
        }
        return node;
    }

    /** Each configured limit: its value, and for rates and concurrency what remains (or is in use) now. */
    private ObjectNode limits(Guardrails.Limits limits, Optional<TenantStanding.Scope> now) {
        ObjectNode node = json.createObjectNode();
        rate(node, "requests_per_minute", limits.requestsPerMinute(),
                now.map(TenantStanding.Scope::requestsRemaining));
        rate(node, "tokens_per_minute", limits.tokensPerMinute(), now.map(TenantStanding.Scope::tokensRemaining));
        slots(node, "concurrent_sessions", limits.concurrentSessions(), now.map(TenantStanding.Scope::sessionsInUse));
        slots(node, "concurrent_responses", limits.concurrentResponses(),
                now.map(TenantStanding.Scope::responsesInUse));
        limits.maxOutputTokens().ifPresent(max -> node.put("max_output_tokens", max));
        limits.sessionMaxDuration().ifPresent(d -> node.put("session_max_duration", written(d)));
        limits.sessionIdleTimeout().ifPresent(d -> node.put("session_idle_timeout", written(d)));
        return node;
    }

    private void rate(ObjectNode parent, String name, OptionalLong limit, Optional<OptionalLong> remaining) {
        if (limit.isPresent()) {
            ObjectNode node = parent.putObject(name).put("limit", limit.getAsLong());
            remaining.filter(OptionalLong::isPresent).ifPresent(r -> node.put("remaining", r.getAsLong()));
        }
    }

    private void slots(ObjectNode parent, String name, OptionalLong limit, Optional<OptionalLong> inUse) {
        if (limit.isPresent()) {
            ObjectNode node = parent.putObject(name).put("limit", limit.getAsLong());
            inUse.filter(OptionalLong::isPresent).ifPresent(used -> node.put("in_use", used.getAsLong())
                    .put("remaining", Math.max(0, limit.getAsLong() - used.getAsLong())));
        }
    }

    private ObjectNode budget(Guardrails.Budget budget, Optional<java.util.List<TenantStanding.Budget>> now,
                              int index) {
        ObjectNode node = json.createObjectNode().put("period", budget.period().word());
        boolean tokens = budget.tokens().isPresent();
        node.put("unit", tokens ? "tokens" : "usd");
        if (tokens) {
            node.put("limit", budget.tokens().getAsLong());
        } else {
            node.put("limit", budget.costMicroUsd().getAsLong() / 1e6);
        }
        now.filter(list -> index < list.size()).map(list -> list.get(index)).ifPresent(b -> {
            node.put("period_id", b.periodId());
            if (tokens) {
                node.put("spent", Math.round(b.spent())).put("remaining", Math.round(b.remaining()));
            } else {
                node.put("spent", b.spent()).put("remaining", b.remaining());
            }
            node.put("resets_at", b.resetsAt().toString());
        });
        return node;
    }

    /** {@code duration} as the configuration writes it: {@code 1500ms}, {@code 30s}, {@code 10m}, {@code 2h}. */
    static String written(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 60 != 0) {
            return s + "s";
        }
        return s % 3600 != 0 ? s / 60 + "m" : s / 3600 + "h";
    }
}
