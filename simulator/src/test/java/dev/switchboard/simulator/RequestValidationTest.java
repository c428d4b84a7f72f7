package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RequestValidationTest {

    private static final String KEY = "sk-sim-test";
    private static SimulatorHttpClient http;
    private ProviderSimulator open;
    private ProviderSimulator keyed;

    @BeforeAll
    static void startClient() throws Exception {
        http = new SimulatorHttpClient();
    }

    @AfterAll
    static void stopClient() throws Exception {
        http.close();
    }

    @BeforeEach
    void startSimulators() throws Exception {
        open = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral());
        keyed = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral().withApiKey(KEY));
    }

    @AfterEach
    void stopSimulators() {
        open.close();
        keyed.close();
    }

    @Test
    void a_missing_api_key_is_rejected_with_401_invalid_api_key() throws Exception {
        ContentResponse response = http.postChat(keyed, ChatBodies.fastStream("hi", Map.of()));

        assertError(response, 401, null, "invalid_api_key");
    }

    @Test
    void a_wrong_api_key_is_rejected_with_401_invalid_api_key() throws Exception {
        ContentResponse response = http.postChat(keyed, ChatBodies.fastStream("hi", Map.of()), "Bearer nope");

        assertError(response, 401, null, "invalid_api_key");
        assertEquals(0, keyed.stats().streamsStarted());
    }

    @Test
    void the_right_api_key_is_accepted() throws Exception {
        ContentResponse response = http.postChat(keyed,
                ChatBodies.fastStream("hi", Map.of("sim_tokens", "2")), "Bearer " + KEY);

        assertEquals(200, response.getStatus());
        assertEquals(2, StreamedCompletion.parse(response.getContentAsString()).contentChunks().size());
    }

    @Test
    void models_also_require_the_api_key() throws Exception {
        ContentResponse response = http.get(URI.create(keyed.baseUri() + "/models"));

        assertError(response, 401, null, "invalid_api_key");
    }

    @Test
    void malformed_json_is_rejected_with_400() throws Exception {
        for (String body : List.of("{\"model\":", "not json", "", "[1,2]", "{\"model\":\"m\"} trailing")) {
            ContentResponse response = http.postChat(open, body);

            assertError(response, 400, null, null);
        }
    }

    @Test
    void missing_messages_are_rejected_with_400_naming_the_parameter() throws Exception {
        ContentResponse response = http.postChat(open, "{\"model\":\"sim-chat\",\"stream\":true}");

        assertError(response, 400, "messages", "missing_required_parameter");
    }

    @Test
    void empty_messages_and_unknown_roles_are_rejected_with_400() throws Exception {
        assertError(http.postChat(open, "{\"model\":\"m\",\"messages\":[]}"), 400, "messages", "invalid_value");
        assertError(http.postChat(open, "{\"model\":\"m\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}"),
                400, "messages[0].role", "invalid_value");
    }

    @ParameterizedTest
    @CsvSource({
        "sim_tokens, abc",
        "sim_tokens, -1",
        "sim_tokens, 100001",
        "sim_ttft_ms, soon",
        "sim_ttft_ms, 60001",
        "sim_tokens_per_second, fast",
        "sim_tokens_per_second, -5",
        "sim_tokens_per_second, NaN",
        "sim_tokenz, 5",
    })
    void invalid_simulator_metadata_is_rejected_with_400_naming_the_field(String key, String value) throws Exception {
        ContentResponse response = http.postChat(open, ChatBodies.chat("hi", true, Map.of(key, value)).toString());

        assertError(response, 400, "metadata." + key, "invalid_value");
        assertEquals(0, open.stats().streamsStarted());
    }

    @Test
    void non_string_metadata_values_are_rejected_with_400() throws Exception {
        ObjectNode body = ChatBodies.chat("hi", true, Map.of());
        body.putObject("metadata").put("sim_tokens", 5);

        assertError(http.postChat(open, body.toString()), 400, "metadata.sim_tokens", "invalid_type");
    }

    @Test
    void invalid_max_tokens_is_rejected_with_400() throws Exception {
        ObjectNode body = ChatBodies.chat("hi", false, ChatBodies.FAST);
        body.put("max_tokens", 0);

        assertError(http.postChat(open, body.toString()), 400, "max_tokens", "invalid_value");
    }

    @Test
    void unknown_request_fields_are_ignored() throws Exception {
        ObjectNode body = ChatBodies.chat("hi", true, ChatBodies.merge(ChatBodies.FAST, Map.of("sim_tokens", "3",
                "trace", "abc")));
        body.put("temperature", 0.2).put("user", "u-1").put("n", 1).putNull("stop");
        body.putArray("tools").addObject().put("type", "function");
        body.putObject("response_format").put("type", "text");
        ((ObjectNode) body.path("messages").path(0)).put("name", "setup");

        ContentResponse response = http.postChat(open, body.toString());

        assertEquals(200, response.getStatus());
        assertEquals(3, StreamedCompletion.parse(response.getContentAsString()).contentChunks().size());
    }

    @Test
    void every_role_and_null_assistant_content_are_accepted() throws Exception {
        String body = "{\"model\":\"any-model-name\",\"stream\":false,\"metadata\":{\"sim_ttft_ms\":\"0\"},"
                + "\"messages\":[{\"role\":\"developer\",\"content\":\"d\"},{\"role\":\"system\",\"content\":\"s\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"u\"},{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"data:x\"}}]},{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\"}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"42\"}]}";

        ContentResponse response = http.postChat(open, body);

        assertEquals(200, response.getStatus());
        assertEquals("any-model-name", SimulatorHttpClient.json(response).path("model").asText());
    }

    @Test
    void unknown_paths_get_404_with_an_openai_error() throws Exception {
        ContentResponse response = http.get(URI.create(open.baseUri() + "/embeddings"));

        assertError(response, 404, null, null);
        assertEquals("Invalid URL (GET /v1/embeddings)",
                SimulatorHttpClient.json(response).path("error").path("message").asText());
    }

    @Test
    void a_known_path_with_the_wrong_method_gets_405() throws Exception {
        assertError(http.get(URI.create(open.baseUri() + "/chat/completions")), 405, null, null);
    }

    private static void assertError(ContentResponse response, int status, String param, String code)
            throws Exception {
        assertEquals(status, response.getStatus(), response::getContentAsString);
        assertTrue(response.getHeaders().get(HttpHeader.CONTENT_TYPE).startsWith("application/json"));
        JsonNode error = SimulatorHttpClient.json(response).path("error");
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isEmpty());
        assertEquals("invalid_request_error", error.path("type").asText());
        assertEquals(param == null ? "null" : "\"" + param + "\"", error.path("param").toString());
        assertEquals(code == null ? "null" : "\"" + code + "\"", error.path("code").toString());
    }
}
