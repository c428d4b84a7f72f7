package dev.switchboard.broker.http;

import static dev.switchboard.broker.http.ChatHttp.fast;
import static dev.switchboard.broker.http.ChatHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Authentication, authorisation and bad input, each an OpenAI error body naming the problem. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ChatCompletionsRefusalTest {
    private static final String CONFIG = """
            simulator: {enabled: true}
            models:
              sim-chat: {route: [simulator/sim-chat]}
              sim-other: {route: [simulator/sim-chat]}
            tenants:
              acme: {keys: [acme-key], models: [sim-chat]}
              dev: {keys: [dev-key], models: ["*"]}
            """;
    private static Broker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = Broker.start(new ConfigLoader(name -> null).parse(CONFIG)
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static JsonNode error(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
        JsonNode error = ChatHttp.json(response).path("error");
        for (String field : List.of("message", "type", "param", "code")) {
            assertTrue(error.has(field), () -> "error." + field + " missing: " + response.body());
        }
        return error;
    }

    @Test
    void a_missing_or_unknown_key_is_401() throws Exception {
        String body = request("sim-chat", "hi", fast(1), false).toString();

        JsonNode missing = error(ChatHttp.post(broker, null, body), 401);
        JsonNode wrong = error(ChatHttp.post(broker, "wrong-key", body), 401);

        assertEquals("invalid_api_key", missing.path("code").asText());
        assertEquals("invalid_request_error", missing.path("type").asText());
        assertEquals("invalid_api_key", wrong.path("code").asText());
        assertEquals(401, ChatHttp.get(broker, null, "/v1/models").statusCode());
    }

    @Test
    void an_unknown_model_is_404_and_a_model_the_key_may_not_use_is_403() throws Exception {
        JsonNode unknown = error(ChatHttp.post(broker, "acme-key",
                request("no-such-model", "hi", fast(1), false).toString()), 404);
        JsonNode forbidden = error(ChatHttp.post(broker, "acme-key",
                request("sim-other", "hi", fast(1), true).toString()), 403);

        assertEquals("model_not_found", unknown.path("code").asText());
        assertEquals("model", unknown.path("param").asText());
        assertEquals("model_not_allowed", forbidden.path("code").asText());
    }

    private static final String HI = "[{\"role\":\"user\",\"content\":\"hi\"}]";

    /** A body with {@code fields} (a JSON fragment, possibly empty) before {@code "messages": messages}. */
    private static String body(String fields, String messages) {
        return "{\"model\":\"sim-chat\"," + fields + (fields.isEmpty() ? "" : ",") + "\"messages\":" + messages + "}";
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("not json", "invalid_json", null),
                Arguments.of("[]", "invalid_json", null),
                Arguments.of(body("", HI) + " {}", "invalid_json", null),
                Arguments.of("{\"messages\":" + HI + "}", "missing_required_parameter", "model"),
                Arguments.of("{\"model\":\"sim-chat\"}", "missing_required_parameter", "messages"),
                Arguments.of(body("", "[]"), "invalid_value", "messages"),
                Arguments.of("{\"model\":7,\"messages\":" + HI + "}", "invalid_value", "model"),
                Arguments.of(body("", "\"hi\""), "invalid_value", "messages"),
                Arguments.of(body("", "[{\"content\":\"hi\"}]"), "missing_required_parameter", "messages[0].role"),
                Arguments.of(body("", "[{\"role\":\"robot\",\"content\":\"hi\"}]"), "invalid_value",
                        "messages[0].role"),
                Arguments.of(body("", "[{\"role\":\"user\"}]"), "missing_required_parameter",
                        "messages[0].content"),
                Arguments.of(body("", "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]"),
                        "invalid_value", "messages[0].content[0].type"),
                Arguments.of(body("", "[{\"role\":\"tool\",\"content\":\"x\"}]"), "missing_required_parameter",
                        "messages[0].tool_call_id"),
                Arguments.of(body("", "[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"function\":{}}]}]"),
                        "missing_required_parameter", "messages[0].tool_calls[0].function.name"),
                Arguments.of(body("", "[{\"role\":\"system\",\"content\":\"only instructions\"}]"),
                        "invalid_value", "messages"),
                Arguments.of(body("\"stream\":\"yes\"", HI), "invalid_value", "stream"),
                Arguments.of(body("\"n\":2", HI), "invalid_value", "n"),
                Arguments.of(body("\"metadata\":{\"a\":1}", HI), "invalid_value", "metadata.a"),
                Arguments.of(body("\"max_tokens\":0", HI), "invalid_value", "max_tokens"),
                Arguments.of(body("\"max_tokens\":4097", HI), "invalid_value", "max_tokens"),
                Arguments.of(body("\"max_completion_tokens\":\"9\"", HI), "invalid_value", "max_completion_tokens"),
                Arguments.of(body("\"tools\":[{\"type\":\"function\"}]", HI), "missing_required_parameter",
                        "tools[0].function"),
                Arguments.of(body("\"tool_choice\":\"always\"", HI), "invalid_value", "tool_choice"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void a_malformed_request_is_400_naming_the_field(String body, String code, String param) throws Exception {
        JsonNode error = error(ChatHttp.post(broker, "dev-key", body), 400);

        assertEquals(code, error.path("code").asText(), error::toString);
        if (param == null) {
            assertTrue(error.path("param").isNull(), error::toString);
        } else {
            assertEquals(param, error.path("param").asText(), error::toString);
        }
    }

    @Test
    void more_than_sixteen_metadata_pairs_is_400() throws Exception {
        Map<String, String> metadata = new java.util.HashMap<>();
        for (int i = 0; i < 17; i++) {
            metadata.put("k" + i, "v");
        }

        JsonNode error = error(ChatHttp.post(broker, "dev-key", request("sim-chat", "hi", metadata, false)
                .toString()), 400);

        assertTrue(error.path("message").asText().contains("16"), error::toString);
    }

    @Test
    void a_body_over_four_mebibytes_is_413() throws Exception {
        String big = request("sim-chat", "x".repeat((4 << 20) + 10), fast(1), false).toString();

        JsonNode error = error(ChatHttp.post(broker, "dev-key", big), 413);

        assertEquals("request_too_large", error.path("code").asText());
    }

    @Test
    void the_model_list_holds_only_the_models_the_key_may_use() throws Exception {
        HttpResponse<String> acme = ChatHttp.get(broker, "acme-key", "/v1/models");
        HttpResponse<String> dev = ChatHttp.get(broker, "dev-key", "/v1/models");

        assertEquals(200, acme.statusCode());
        assertEquals(ChatHttp.JSON.readTree("{\"object\":\"list\",\"data\":[{\"id\":\"sim-chat\",\"object\":\"model\","
                + "\"created\":0,\"owned_by\":\"switchboard\"}]}"), ChatHttp.json(acme));
        JsonNode all = ChatHttp.json(dev).path("data");
        List<String> ids = new java.util.ArrayList<>();
        all.forEach(model -> ids.add(model.path("id").asText()));
        // "*" is every configured model; enabling the simulator also brings its dev models (issue 11).
        assertEquals(List.of("sim-chat", "sim-claude", "sim-failover", "sim-other", "sim-realtime"), ids);
    }

    @Test
    void the_wrong_method_is_405() throws Exception {
        assertEquals(405, ChatHttp.get(broker, "dev-key", "/v1/chat/completions").statusCode());
    }
}
