package dev.switchboard.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 15, the {@code admin} and {@code metrics} sections: defaults, binding and errors naming the key. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AdminConfigTest {
    private static final String TENANTS = "tenants: {acme: {keys: [acme-key]}}\n";
    private final ConfigLoader loader = new ConfigLoader(name -> name.equals("ADMIN_TOKEN") ? "from-the-env" : null);

    @Test
    void without_an_admin_section_there_is_no_admin_api_and_metrics_stay_public() throws Exception {
        BrokerConfig config = loader.parse(TENANTS);
        assertEquals(Optional.empty(), config.admin());
        assertTrue(config.metrics().publicEndpoint());
    }

    @Test
    void every_key_is_bound_and_a_token_is_never_printed() throws Exception {
        BrokerConfig config = loader.parse(TENANTS + """
                metrics: {public: false}
                admin:
                  listen: {host: 0.0.0.0, port: 9091}
                  tokens:
                    - {token: "${ADMIN_TOKEN}", role: admin}
                    - {token: acme-secret-token, role: tenant_admin, tenant: acme, name: acme-ops}
                  oidc:
                    issuer: https://login.example.com/
                    audience: switchboard-admin
                    jwks_url: https://login.example.com/.well-known/jwks.json
                """);
        Admin admin = config.admin().orElseThrow();
        assertFalse(config.metrics().publicEndpoint());
        assertEquals(new BrokerConfig.Listen("0.0.0.0", 9091), admin.listen());
        assertEquals("from-the-env", admin.tokens().get(0).token());
        assertEquals(Admin.Role.TENANT_ADMIN, admin.tokens().get(1).role());
        assertEquals(Optional.of("acme"), admin.tokens().get(1).tenant());
        Admin.Oidc oidc = admin.oidc().orElseThrow();
        assertEquals(Optional.of(URI.create("https://login.example.com/.well-known/jwks.json")), oidc.jwksUrl());
        assertEquals("switchboard_roles", oidc.rolesClaim());
        assertFalse(config.toString().contains("acme-secret-token") || config.toString().contains("from-the-env"),
                config::toString);
    }

    @Test
    void an_admin_section_without_listen_serves_on_loopback_8081() throws Exception {
        Admin admin = loader.parse(TENANTS + "admin: {tokens: [{token: an-admin-token, role: viewer}]}")
                .admin().orElseThrow();
        assertEquals(new BrokerConfig.Listen("127.0.0.1", 8081), admin.listen());
    }

    @Test
    void a_free_main_port_makes_the_admin_port_free_too_and_another_port_leaves_it() throws Exception {
        BrokerConfig config = loader.parse(TENANTS + "admin: {tokens: [{token: an-admin-token, role: admin}]}");
        assertEquals(0, config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)).admin().orElseThrow().listen()
                .port());
        assertEquals(8081, config.withListen(new BrokerConfig.Listen("127.0.0.1", 9000)).admin().orElseThrow()
                .listen().port());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "admin: {tokens: [{token: an-admin-token, role: root}]}"
                + "|admin.tokens[0].role must be one of [admin, viewer, tenant_admin] but was 'root'",
        "admin: {tokens: [{token: an-admin-token}]}|admin.tokens[0].role is required",
        "admin: {tokens: [{token: short, role: admin}]}|admin.tokens[0].token is required and must be at least 8",
        "admin: {tokens: [{token: an-admin-token, role: tenant_admin}]}"
                + "|admin.tokens[0].tenant is required for role tenant_admin",
        "admin: {tokens: [{token: an-admin-token, role: viewer, tenant: acme}]}"
                + "|admin.tokens[0].tenant is only for role tenant_admin",
        "admin: {tokens: [{token: an-admin-token, role: tenant_admin, tenant: ghost}]}"
                + "|admin.tokens[0].tenant names tenant 'ghost', which is not configured under tenants",
        "admin: {tokens: [{token: an-admin-token, role: admin}, {token: an-admin-token, role: viewer}]}"
                + "|admin.tokens[1].token repeats another token",
        "admin: {tokens: []}|admin.tokens must list at least one token when oidc is not set",
        "admin: {tokens: [{token: an-admin-token, role: admin, scope: all}]}|admin.tokens[0].scope is not a known key",
        "admin: {oidc: {issuer: 'https://i/', jwks_url: 'https://i/k'}}|admin.oidc.audience is required",
        "admin: {oidc: {issuer: 'https://i/', audience: a}}|admin.oidc.jwks_url or jwks_file: exactly one",
        "admin: {oidc: {issuer: 'https://i/', audience: a, jwks_url: 'https://i/k', jwks_file: k.json}}"
                + "|admin.oidc.jwks_url or jwks_file: exactly one",
        "admin: {oidc: {issuer: 'https://i/', audience: a, jwks_url: 'http://idp.example.com/k'}}"
                + "|admin.oidc.jwks_url must be an https URL (plain http only to a loopback address)",
        "admin: {listen: {port: 70000}, tokens: [{token: an-admin-token, role: admin}]}"
                + "|admin.listen.port must be between 0 and 65535",
        "metrics: {public: maybe}|metrics.public must be true or false",
    })
    void admin_settings_are_validated_with_the_key_named(String yaml, String expected) {
        ConfigException error = assertThrows(ConfigException.class, () -> loader.parse(TENANTS + yaml + "\n"));
        assertTrue(error.getMessage().startsWith(expected), error.getMessage());
        assertFalse(error.getMessage().contains("an-admin-token"), "a token must never be printed");
    }

    @Test
    void plain_http_keys_are_allowed_from_a_loopback_address() throws Exception {
        Admin admin = loader.parse(TENANTS + "admin: {oidc: {issuer: 'https://i/', audience: a, "
                + "jwks_url: 'http://127.0.0.1:9999/jwks.json'}}").admin().orElseThrow();
        assertTrue(admin.tokens().isEmpty());
        assertEquals(9999, admin.oidc().orElseThrow().jwksUrl().orElseThrow().getPort());
    }
}
