package dev.switchboard.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 17, the {@code cluster} section: defaults, binding, and errors naming the key and the rule. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ClusterConfigTest {
    private static final String SECRET = "sessions: {resume_secret: \"0123456789abcdef0123\"}\n";
    private final ConfigLoader loader = new ConfigLoader(name -> name.equals("HOSTNAME") ? "pod-7" : null);

    @Test
    void without_the_section_everything_is_local_under_one_id_per_process() throws Exception {
        BrokerConfig config = loader.parse("tenants: {t: {keys: [k]}}");
        assertFalse(config.cluster().shared());
        assertEquals(Duration.ofSeconds(2), config.cluster().heartbeat());
        assertEquals(Duration.ofSeconds(6), config.cluster().deadAfter());
        assertEquals(config.cluster().nodeId(), loader.parse("tenants: {t: {keys: [k]}}").cluster().nodeId());
    }

    @Test
    void every_key_is_bound_and_redis_tls_is_rediss() throws Exception {
        BrokerConfig config = loader.parse(SECRET + """
                cluster:
                  store: {kind: redis, uri: "redis+tls://:pw@cache.internal:6380/2"}
                  node_id: ${HOSTNAME}
                  heartbeat: 500ms
                """);
        assertTrue(config.cluster().shared());
        assertEquals(URI.create("rediss://:pw@cache.internal:6380/2"), config.cluster().store().redis().orElseThrow());
        assertEquals("pod-7", config.cluster().nodeId());
        assertEquals(Duration.ofMillis(500), config.cluster().heartbeat());
    }

    @Test
    void a_redis_store_needs_the_shared_resume_secret() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(
                "cluster: {store: {kind: redis, uri: \"redis://127.0.0.1:6379\"}}"));
        assertTrue(e.getMessage().contains("sessions.resume_secret is required with cluster.store.kind: redis"),
                e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "cluster: {store: {kind: memcached}}|cluster.store.kind must be local or redis",
        "cluster: {store: {kind: redis}}|cluster.store.uri is required for kind: redis",
        "cluster: {store: {kind: local, uri: \"redis://x:1\"}}|cluster.store.uri applies only to kind: redis",
        "cluster: {store: {kind: redis, uri: \"http://x:1\"}}|cluster.store.uri must be a redis://",
        "cluster: {node_id: \"a b\"}|cluster.node_id must be 1 to 64 letters",
        "cluster: {heartbeat: 10ms}|cluster.heartbeat must be between 100ms and 1m",
        "cluster: {heartbeats: 1s}|cluster.heartbeats"
    })
    void a_bad_value_names_the_key_and_the_rule(String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(SECRET + yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
