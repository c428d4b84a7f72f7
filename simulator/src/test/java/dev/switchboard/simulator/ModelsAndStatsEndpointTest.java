package dev.switchboard.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ModelsAndStatsEndpointTest {

    private static SimulatorHttpClient http;
    private ProviderSimulator simulator;

    @BeforeAll
    static void startClient() throws Exception {
        http = new SimulatorHttpClient();
    }

    @AfterAll
    static void stopClient() throws Exception {
        http.close();
    }

    @BeforeEach
    void startSimulator() throws Exception {
        simulator = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral());
    }

    @AfterEach
    void stopSimulator() {
        simulator.close();
    }

    @Test
    void models_lists_sim_chat_and_sim_realtime_in_openai_shape() throws Exception {
        ContentResponse response = http.get(URI.create(simulator.baseUri() + "/models"));

        assertEquals(200, response.getStatus());
        assertEquals("{\"object\":\"list\",\"data\":[{\"id\":\"sim-chat\",\"object\":\"model\",\"created\":1735689600,"
                + "\"owned_by\":\"switchboard-simulator\"},{\"id\":\"sim-realtime\",\"object\":\"model\","
                + "\"created\":1735689600,\"owned_by\":\"switchboard-simulator\"}]}", response.getContentAsString());
        assertEquals(java.util.List.of(SimulatorModels.SIM_CHAT, SimulatorModels.SIM_REALTIME),
                SimulatorModels.names());
    }

    @Test
    void stats_endpoint_reports_the_live_counters() throws Exception {
        http.postChat(simulator, ChatBodies.fastStream("count me", Map.of("sim_tokens", "2")));
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.stats().streamsCompleted() == 1);

        JsonNode stats = SimulatorHttpClient.json(http.get(URI.create(
                "http://127.0.0.1:" + simulator.port() + "/sim/stats")));

        assertEquals(2, stats.path("requests").asLong());
        assertEquals(1, stats.path("streams_started").asLong());
        assertEquals(1, stats.path("streams_completed").asLong());
        assertEquals(0, stats.path("streams_aborted").asLong());
        assertEquals(0, stats.path("streams_active").asLong());
    }
}
