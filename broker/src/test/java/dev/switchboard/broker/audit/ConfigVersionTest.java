package dev.switchboard.broker.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.config.ConfigLoader;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The {@code config loaded} record's version: the same settings give the same version, others another. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigVersionTest {
    private final ConfigLoader loader = new ConfigLoader(name -> null);

    @Test
    void the_same_settings_in_another_order_and_layout_have_the_same_version() throws Exception {
        String one = ConfigVersion.of(loader.parse("""
                tenants:
                  a: {keys: [ka], models: ["*"]}
                  b: {keys: [kb], models: ["*"], limits: {requests_per_minute: 5}}
                """));
        String two = ConfigVersion.of(loader.parse("""
                # the same, reordered
                tenants:
                  b:
                    limits: {requests_per_minute: 5}
                    models: ["*"]
                    keys: [kb]
                  a: {models: ["*"], keys: [ka]}
                """));
        assertEquals(one, two);
        assertTrue(one.matches("[0-9a-f]{64}"), one);
    }

    @Test
    void a_changed_limit_or_key_is_another_version() throws Exception {
        String base = ConfigVersion.of(loader.parse("tenants: {a: {keys: [ka], limits: {requests_per_minute: 5}}}"));
        assertNotEquals(base, ConfigVersion.of(loader.parse(
                "tenants: {a: {keys: [ka], limits: {requests_per_minute: 6}}}")));
        assertNotEquals(base, ConfigVersion.of(loader.parse(
                "tenants: {a: {keys: [kz], limits: {requests_per_minute: 5}}}")));
    }
}
