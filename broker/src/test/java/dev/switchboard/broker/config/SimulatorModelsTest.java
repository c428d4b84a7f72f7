package dev.switchboard.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import java.net.URI;
import java.util.List;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: {@code simulator: {enabled: true}} in a user's file registered the simulator provider but none of the
 * {@code sim-*} models, so {@code sim-chat} was {@code model_not_found}. Enabling it now brings the dev-mode models;
 * a model of the same name in the file wins.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SimulatorModelsTest {

    @Test
    void enabling_the_simulator_brings_the_dev_models_to_a_file_that_routes_nothing() throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse("""
                simulator: {enabled: true}
                tenants:
                  t: {keys: [k], models: ["*"]}
                """);
        assertTrue(config.models().keySet().containsAll(List.of("sim-chat", "sim-claude", "sim-failover",
                "sim-realtime")), config.models()::toString);
        try (Running running = Running.start(config)) {
            List<JsonNode> answer = running.ask("sim-chat");
            assertEquals("completed", answer.get(answer.size() - 1).path("response").path("status").asText());
        }
    }

    @Test
    void a_model_of_the_same_name_in_the_file_wins() throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse("""
                simulator: {enabled: true}
                models:
                  sim-chat: {route: [simulator/my-upstream-name]}
                tenants:
                  t: {keys: [k], models: ["*"]}
                """);
        assertEquals("my-upstream-name", config.models().get("sim-chat").route().get(0).model());
        try (Running running = Running.start(config)) {
            List<JsonNode> answer = running.ask("sim-chat");
            JsonNode done = answer.get(answer.size() - 1).path("response");
            assertEquals("completed", done.path("status").asText(), done::toString);
            assertEquals("my-upstream-name", done.path("model").asText(), done::toString);
        }
    }

    @Test
    void without_the_simulator_no_dev_model_appears() throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse("""
                providers:
                  p: {kind: openai, base_url: "http://127.0.0.1:9/v1"}
                models:
                  m: {route: [p/x]}
                tenants:
                  t: {keys: [k], models: ["*"]}
                """);
        assertEquals(List.of("m"), List.copyOf(config.models().keySet()));
    }

    private record Running(Broker broker, WebSocketClient client) implements AutoCloseable {
        static Running start(BrokerConfig config) throws Exception {
            Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
            WebSocketClient client = new WebSocketClient();
            client.start();
            return new Running(broker, client);
        }

        List<JsonNode> ask(String model) throws Exception {
            URI uri = URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model=" + model);
            try (RealtimeClient session = RealtimeClient.connect(client, uri, "k")) {
                JsonNode created = session.next();
                assertEquals("session.created", created.path("type").asText(), created::toString);
                session.send(RealtimeClient.userMessage("Hi"));
                session.send(RealtimeClient.responseCreate("r", "{\"sim_tokens\":\"5\",\"sim_ttft_ms\":\"0\"}"));
                return session.until("response.done");
            }
        }

        @Override
        public void close() throws Exception {
            client.stop();
            broker.close();
        }
    }
}
