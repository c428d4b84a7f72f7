package dev.switchboard.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GuardrailConfigTest {
    private static final String YAML = """
            prices:
              chat-default: {input: 0.15, output: 0.60, cached_input: 0.075, audio_input: 10.0, audio_output: 20.0}
            providers:
              openai-eu: {kind: openai, base_url: "http://127.0.0.1:1/v1", region: eu}
            models:
              chat-default: {route: [openai-eu/gpt-4o-mini]}
            usage: {dir: /tmp/switchboard-usage}
            tenants:
              acme:
                keys:
                  - sk-acme-1
                  - {key: "${ACME_BATCH_KEY}", id: batch, limits: {requests_per_minute: 10}}
                models: ["*"]
                regions: [eu]
                limits:
                  requests_per_minute: 600
                  tokens_per_minute: 200000
                  concurrent_sessions: 100
                  concurrent_responses: 20
                  max_output_tokens: 4096
                  session_max_duration: 2h
                  session_idle_timeout: 10m
                budgets:
                  - {period: month, tokens: 50000000}
                  - {period: day, cost_usd: 25.00}
                on_guardrail_failure: open
            """;

    private final ConfigLoader loader = new ConfigLoader(Map.of("ACME_BATCH_KEY", "sk-batch")::get);

    @Test
    void the_issue_example_binds_every_guardrail_key() throws Exception {
        BrokerConfig config = loader.parse(YAML);
        BrokerConfig.Tenant acme = config.tenants().get("acme");
        assertEquals(List.of("sk-acme-1", "sk-batch"), acme.keys());
        assertEquals(Optional.of("batch"), acme.keySettings().get("sk-batch").id());
        assertEquals(OptionalLong.of(10), acme.keySettings().get("sk-batch").limits().requestsPerMinute());
        assertFalse(acme.keySettings().containsKey("sk-acme-1"), "a plain key has no settings of its own");
        assertEquals(OptionalLong.of(600), acme.limits().requestsPerMinute());
        assertEquals(OptionalLong.of(4096), acme.limits().maxOutputTokens());
        assertEquals(Optional.of(Duration.ofHours(2)), acme.limits().sessionMaxDuration());
        assertEquals(List.of("eu"), acme.regions());
        assertEquals(Guardrails.FailureMode.OPEN, acme.onGuardrailFailure());
        assertEquals(OptionalLong.of(50_000_000), acme.budgets().get(0).tokens());
        assertEquals(OptionalLong.of(25_000_000), acme.budgets().get(1).costMicroUsd());
        assertEquals(Guardrails.Period.DAY, acme.budgets().get(1).period());
        assertEquals(0.075, config.prices().get("chat-default").cachedInput());
        assertEquals(Optional.of("eu"), config.providers().get("openai-eu").region());
        assertTrue(config.usage().dir().isPresent());
        assertFalse(acme.toString().contains("sk-"), "a printed tenant shows no key");
    }

    @Test
    void a_tenant_without_guardrails_is_unlimited() throws Exception {
        BrokerConfig.Tenant t = loader.parse("tenants: {t: {keys: [k]}}").tenants().get("t");
        assertTrue(t.limits().isEmpty());
        assertTrue(t.budgets().isEmpty());
        assertEquals(Guardrails.FailureMode.CLOSED, t.onGuardrailFailure());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "tenants: {t: {keys: [k], limits: {requests_per_minute: 0}}}|tenants.t.limits.requests_per_minute must be >= 1 (leave it out for no limit)",
        "tenants: {t: {keys: [k], limits: {rpm: 5}}}|tenants.t.limits.rpm is not a known key",
        "tenants: {t: {keys: [k], limits: {tokens_per_minute: 100000000000}}}|tenants.t.limits.tokens_per_minute must be <= 1000000000",
        "tenants: {t: {keys: [k], budgets: [{period: week, tokens: 5}]}}|tenants.t.budgets[0].period must be one of [day, month] but was 'week'",
        "tenants: {t: {keys: [k], budgets: [{period: day}]}}|tenants.t.budgets[0].tokens or cost_usd: exactly one of them must be set",
        "tenants: {t: {keys: [k], budgets: [{period: day, tokens: 1, cost_usd: 2}]}}|tenants.t.budgets[0].tokens or cost_usd: exactly one of them must be set",
        "tenants: {t: {keys: [{id: x}]}}|tenants.t.keys[0].key is required and must not be empty",
        "tenants: {t: {keys: [{key: a, id: 'bad id'}]}}|tenants.t.keys[0].id must be 1-64 letters, digits, '_', '.' or '-'",
        "tenants: {t: {keys: [{key: a, id: x}, {key: b, id: x}]}}|tenants.t.keys gives id 'x' twice",
        "tenants: {t: {keys: [k], on_guardrail_failure: maybe}}|tenants.t.on_guardrail_failure must be one of [closed, open] but was 'maybe'",
        "prices: {ghost: {input: 1}}|prices.ghost names model 'ghost', which is not configured under models",
        "usage: {flush_interval: 5s}|usage.flush_interval must be <= 1s",
    })
    void guardrail_settings_are_validated_with_the_key_named(String yaml, String expected) {
        ConfigException error = assertThrows(ConfigException.class, () -> loader.parse(yaml + "\n"));
        assertTrue(error.getMessage().startsWith(expected), error.getMessage());
    }
}
