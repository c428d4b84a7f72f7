package dev.switchboard.broker.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.BrokerProcess;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Dev mode's admin API: 127.0.0.1:8081 with token {@code dev-admin} as shipped, a free port whenever the main
 * listener takes one (so test brokers never collide), {@code /metrics} on both listeners, and {@code Main} printing
 * where the admin API is.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DevModeAdminTest {
    private static final Pattern ADMIN_LINE = Pattern.compile("Admin API on (http://127\\.0\\.0\\.1:\\d+)");

    @Test
    void the_dev_configuration_serves_the_admin_api_on_8081_with_token_dev_admin() throws Exception {
        BrokerConfig dev = new ConfigLoader(name -> null).loadDev();
        assertEquals(new BrokerConfig.Listen("127.0.0.1", 8081), dev.admin().orElseThrow().listen());
        assertEquals("dev-admin", dev.admin().orElseThrow().tokens().get(0).token());
        assertTrue(dev.metrics().publicEndpoint());
    }

    @Test
    void two_dev_brokers_on_free_ports_each_get_their_own_admin_port_and_answer_dev_admin() throws Exception {
        BrokerConfig dev = new ConfigLoader(name -> null).loadDev();
        try (AdminBroker one = AdminBroker.start(dev); AdminBroker two = AdminBroker.start(dev)) {
            assertNotEquals(one.broker.adminUri(), two.broker.adminUri());
            for (AdminBroker broker : new AdminBroker[] {one, two}) {
                HttpResponse<String> sessions = broker.get("/admin/sessions", "dev-admin");
                assertEquals(200, sessions.statusCode(), sessions::body);
                assertEquals(200, broker.get("/metrics", null).statusCode());
                assertEquals(200, AdminBroker.send("GET", broker.main("/metrics"), null).statusCode(),
                        "metrics.public defaults to true");
            }
        }
    }

    @Test
    void main_prints_where_the_admin_api_is_and_the_dev_token_works_there() throws Exception {
        try (BrokerProcess process = BrokerProcess.start()) {
            String uri = await().atMost(Duration.ofSeconds(30)).until(() -> {
                Matcher m = ADMIN_LINE.matcher(process.recentOutput());
                return m.find() ? m.group(1) : null;
            }, found -> found != null);
            assertTrue(process.recentOutput().contains("Authorization: Bearer dev-admin"), process::recentOutput);
            HttpResponse<String> tenants = AdminBroker.send("GET", URI.create(uri + "/admin/tenants"), "dev-admin");
            assertEquals(200, tenants.statusCode(), tenants::body);
            assertTrue(tenants.body().contains("\"id\":\"dev\""), tenants::body);
        }
    }
}
