package dev.switchboard.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.switchboard.broker.audit.ConfigVersion;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * What {@code deploy/} ships is a configuration the broker accepts: {@code deploy/broker.yaml} (the image's file)
 * and the copy in the Kubernetes ConfigMap say the same, and the grace periods outlast {@code drain.timeout}. The
 * container files themselves are not run here (no container runtime); {@code NginxFrontTest} runs the nginx file.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DeployFilesTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Map<String, String> ENV = Map.of("REDIS_URI", "redis://redis:6379", "HOSTNAME", "broker-1",
            "SWITCHBOARD_RESUME_SECRET", "0123456789abcdef0123456789abcdef", "SWITCHBOARD_API_KEY", "sk-demo-1");

    private static BrokerConfig shipped() throws Exception {
        return new ConfigLoader(ENV::get).load(DEPLOY.resolve("broker.yaml"));
    }

    private static List<JsonNode> k8s() throws Exception {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class)
                .readValues(DEPLOY.resolve("k8s/switchboard.yaml").toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isEmpty()) {
                    documents.add(doc);
                }
            }
        }
        return documents;
    }

    private static JsonNode kind(List<JsonNode> documents, String kind) {
        return documents.stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in deploy/k8s/switchboard.yaml"));
    }

    @Test
    void the_images_configuration_is_a_redis_cluster_node_named_by_its_host_with_a_shared_resume_secret()
            throws Exception {
        BrokerConfig config = shipped();
        assertEquals(Optional.of(URI.create("redis://redis:6379")), config.cluster().store().redis());
        assertEquals("broker-1", config.cluster().nodeId());
        assertEquals(Optional.of(ENV.get("SWITCHBOARD_RESUME_SECRET")), config.sessions().resumeSecret());
        assertEquals("0.0.0.0", config.listen().host());
        assertEquals(8080, config.listen().port());
        assertTrue(config.simulator().enabled(), "runs without provider keys");
    }

    @Test
    void the_kubernetes_config_map_holds_the_same_configuration_as_deploy_broker_yaml() throws Exception {
        String embedded = kind(k8s(), "ConfigMap").path("data").path("broker.yaml").asText();
        BrokerConfig fromConfigMap = new ConfigLoader(ENV::get).parse(embedded);
        assertEquals(ConfigVersion.of(shipped()), ConfigVersion.of(fromConfigMap));
    }

    @Test
    void the_grace_periods_outlast_the_drain_timeout() throws Exception {
        Duration drain = shipped().drain().timeout();
        JsonNode pod = kind(k8s(), "Deployment").path("spec").path("template").path("spec");
        long grace = pod.path("terminationGracePeriodSeconds").asLong();
        List<String> preStop = new ArrayList<>();
        pod.path("containers").get(0).path("lifecycle").path("preStop").path("exec").path("command")
                .forEach(part -> preStop.add(part.asText()));
        assertEquals("sleep", preStop.get(0));
        long pause = Long.parseLong(preStop.get(1));
        assertTrue(grace > pause + drain.toSeconds(), "terminationGracePeriodSeconds " + grace
                + " must exceed the preStop pause " + pause + " s plus drain.timeout " + drain.toSeconds() + " s");

        JsonNode compose = new YAMLMapper().readTree(Files.readString(DEPLOY.resolve("compose.yaml")));
        Duration stop = Duration.parse("PT" + compose.path("x-broker").path("stop_grace_period").asText()
                .toUpperCase());
        assertTrue(stop.compareTo(drain) > 0, "compose stop_grace_period " + stop + " must exceed " + drain);
    }
}
