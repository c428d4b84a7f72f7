package dev.switchboard.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
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

/** Fault paths on the OpenAI endpoint: {@code /faults/{spec}/v1/chat/completions}. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FaultPathTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
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
    void a_faulty_provider_fails_while_the_plain_path_of_the_same_simulator_stays_healthy() throws Exception {
        String body = ChatBodies.fastStream("Hello", Map.of("sim_tokens", "4"));

        ContentResponse faulty = postChat("status=503", body);
        ContentResponse healthy = http.postChat(simulator, body);

        assertEquals(503, faulty.getStatus());
        assertEquals("server_error", SimulatorHttpClient.json(faulty).path("error").path("type").asText());
        assertEquals(200, healthy.getStatus());
        assertEquals(4, StreamedCompletion.parse(healthy.getContentAsString()).contentChunks().size());
        assertEquals(1, simulator.stats().faultsInjected());
    }

    @Test
    void status_429_with_retry_after_is_an_openai_rate_limit_error_with_a_retry_after_header() throws Exception {
        ContentResponse response = postChat("status=429,retry_after=7", ChatBodies.fastStream("hi", Map.of()));

        assertEquals(429, response.getStatus());
        assertEquals("7", response.getHeaders().get(HttpHeader.RETRY_AFTER));
        assertEquals("application/json", response.getHeaders().get(HttpHeader.CONTENT_TYPE));
        JsonNode error = SimulatorHttpClient.json(response).path("error");
        assertEquals(List.of("message", "type", "param", "code"), fieldNames(error));
        assertEquals("rate_limit_exceeded", error.path("code").asText());
        assertEquals(0, simulator.stats().streamsStarted());
    }

    @Test
    void error_code_context_length_exceeded_is_a_400_with_the_openai_code() throws Exception {
        ContentResponse response =
                postChat("error_code=context_length_exceeded", ChatBodies.fastStream("hi", Map.of()));

        assertEquals(400, response.getStatus());
        JsonNode error = SimulatorHttpClient.json(response).path("error");
        assertEquals("invalid_request_error", error.path("type").asText());
        assertEquals("context_length_exceeded", error.path("code").asText());
        assertEquals("messages", error.path("param").asText());
        assertTrue(error.path("message").asText().contains("maximum context length"));
    }

    @Test
    void error_code_content_policy_violation_names_the_reason() throws Exception {
        ContentResponse response = postChat("status=400,error_code=content_policy_violation",
                ChatBodies.fastStream("hi", Map.of()));

        JsonNode error = SimulatorHttpClient.json(response).path("error");
        assertEquals(400, response.getStatus());
        assertEquals("content_policy_violation", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("flagged by the content policy: violence"));
    }

    @Test
    void a_status_fault_answers_before_validating_the_body() throws Exception {
        ContentResponse response = postChat("status=500", "not json");

        assertEquals(500, response.getStatus());
        assertEquals("server_error", SimulatorHttpClient.json(response).path("error").path("type").asText());
    }

    @Test
    void reset_before_headers_fails_the_connection_without_any_response() throws Exception {
        CapturedExchange exchange = CapturedExchange.send(http.post(
                SimulatorHttpClient.faultBase(simulator, "reset_before_headers=true"), "/chat/completions",
                ChatBodies.fastStream("hi", Map.of())));

        exchange.awaitFailure();

        assertFalse(exchange.responseBegan(), "no status line may arrive");
        assertEquals("", exchange.body());
        assertEquals(1, simulator.stats().faultsInjected());
        assertEquals(0, simulator.stats().streamsStarted());
    }

    @Test
    void no_response_holds_the_request_until_the_client_gives_up_and_the_simulator_closes() throws Exception {
        CapturedExchange exchange = CapturedExchange.send(http.post(
                SimulatorHttpClient.faultBase(simulator, "no_response=true"), "/chat/completions",
                ChatBodies.fastStream("hi", Map.of())));
        await().atMost(WAIT).until(() -> simulator.stats().faultsInjected() == 1);

        assertFalse(exchange.responseBegan());
        exchange.abort();
        exchange.awaitFailure();
        simulator.close();

        assertFalse(exchange.responseBegan());
        assertEquals(0, simulator.stats().streamsStarted());
    }

    @Test
    void ttft_ms_replaces_a_slow_first_token_knob() throws Exception {
        // Without the override the first token would be 60 s away, beyond the client's 30 s timeout.
        String body = ChatBodies.chat("Quick", true, Map.of("sim_tokens", "3", "sim_ttft_ms", "60000",
                "sim_tokens_per_second", "100000")).toString();

        ContentResponse response = postChat("ttft_ms=0", body);

        assertEquals(3, StreamedCompletion.parse(response.getContentAsString()).contentChunks().size());
        assertEquals(1, simulator.stats().faultsInjected());
    }

    @Test
    void a_slow_ttft_ms_holds_the_first_token_back() throws Exception {
        CapturedExchange exchange = CapturedExchange.send(http.post(
                SimulatorHttpClient.faultBase(simulator, "ttft_ms=60000"), "/chat/completions",
                ChatBodies.fastStream("Slow", Map.of("sim_tokens", "3"))));

        assertEquals(200, exchange.awaitStatus());
        await().atMost(WAIT).until(() -> simulator.stats().streamsStarted() == 1);
        assertEquals("", exchange.body(), "headers go out at once, the first token only after the TTFT");
        simulator.close();
        exchange.awaitFailure();
        await().atMost(WAIT).until(() -> simulator.stats().streamsAborted() == 1);
    }

    @Test
    void cut_after_streams_that_many_tokens_then_closes_the_connection_without_a_finish_chunk() throws Exception {
        CapturedExchange exchange = CapturedExchange.send(http.post(
                SimulatorHttpClient.faultBase(simulator, "cut_after=5"), "/chat/completions",
                ChatBodies.fastStream("Cut me", Map.of("sim_tokens", "20"))));

        exchange.awaitFailure();

        assertEquals(200, exchange.awaitStatus());
        List<String> data = exchange.dataLines();
        assertEquals(1 + 5, data.size(), exchange::body);
        assertFalse(exchange.body().contains("finish_reason\":\""), "no finish chunk");
        assertFalse(exchange.body().contains("[DONE]"));
        String full = StreamedCompletion.parse(http.postChat(simulator,
                ChatBodies.fastStream("Cut me", Map.of("sim_tokens", "20"))).getContentAsString()).text();
        assertTrue(full.startsWith(contentOf(data)), "the cut stream is a prefix of the full one");
        await().atMost(WAIT).until(() -> simulator.stats().streamsAborted() == 1);
    }

    @Test
    void stall_after_streams_that_many_tokens_then_keeps_the_connection_open_without_writing() throws Exception {
        CapturedExchange exchange = CapturedExchange.send(http.post(
                SimulatorHttpClient.faultBase(simulator, "stall_after=3"), "/chat/completions",
                ChatBodies.fastStream("Stall me", Map.of("sim_tokens", "20"))));

        await().atMost(WAIT).until(() -> exchange.dataLines().size() == 1 + 3);

        // Unstalled, the remaining tokens and the trailer would have gone out in the same unpaced write.
        assertFalse(exchange.done());
        assertFalse(exchange.body().contains("finish_reason\":\""));
        assertEquals(1, simulator.stats().streamsActive());
        exchange.abort();
        exchange.awaitFailure();
        simulator.close();
        await().atMost(WAIT).until(() -> simulator.stats().streamsAborted() == 1);
        assertEquals(0, simulator.stats().streamsCompleted());
    }

    @Test
    void malformed_at_adds_one_broken_chunk_and_loses_no_token() throws Exception {
        String body = ChatBodies.fastStream("Break one", Map.of("sim_tokens", "10"));

        ContentResponse faulty = postChat("malformed_at=2", body);
        String healthy = StreamedCompletion.parse(http.postChat(simulator, body).getContentAsString()).text();

        List<String> data = CapturedExchange.dataLines(faulty.getContentAsString());
        assertEquals(1 + 10 + 1 + 1 + 1, data.size(), "role, tokens, malformed, finish, [DONE]");
        assertEquals("{\"choices\":[{\"delta\":", data.get(2), "the malformed line comes before the 2nd token");
        StringBuilder text = new StringBuilder();
        int unparsable = 0;
        for (String line : data) {
            try {
                JsonNode chunk = SimulatorHttpClient.JSON.readTree(line);
                JsonNode delta = chunk.path("choices").path(0).path("delta");
                if (delta.has("content") && !delta.has("role")) {
                    text.append(delta.path("content").asText());
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                unparsable++;
            }
        }
        assertEquals(2, unparsable, "the malformed chunk, and [DONE]");
        assertEquals(healthy, text.toString());
    }

    @Test
    void no_done_ends_the_body_after_the_finish_and_usage_chunks() throws Exception {
        ObjectNode body =
                ChatBodies.chat("No done", true, ChatBodies.merge(ChatBodies.FAST, Map.of("sim_tokens", "4")));
        body.putObject("stream_options").put("include_usage", true);

        ContentResponse response = postChat("no_done=true", body.toString());

        assertEquals(200, response.getStatus());
        List<String> data = CapturedExchange.dataLines(response.getContentAsString());
        assertEquals(1 + 4 + 1 + 1, data.size());
        assertEquals(4, SimulatorHttpClient.JSON.readTree(data.get(data.size() - 1)).path("usage")
                .path("completion_tokens").asInt());
        assertFalse(response.getContentAsString().contains("[DONE]"));
        await().atMost(WAIT).until(() -> simulator.stats().streamsCompleted() == 1);
    }

    @Test
    void inband_error_after_sends_the_error_event_and_ends_the_body() throws Exception {
        ContentResponse response = postChat("inband_error_after=4",
                ChatBodies.fastStream("Fail late", Map.of("sim_tokens", "20")));

        assertEquals(200, response.getStatus());
        List<String> data = CapturedExchange.dataLines(response.getContentAsString());
        assertEquals(1 + 4 + 1, data.size());
        assertEquals("{\"error\":{\"message\":\"The server had an error while processing your request.\","
                + "\"type\":\"server_error\"}}", data.get(data.size() - 1));
    }

    @Test
    void reject_prefill_refuses_only_requests_that_end_with_an_assistant_message() throws Exception {
        ObjectNode prefill = ChatBodies.chat("Continue", true, ChatBodies.merge(ChatBodies.FAST,
                Map.of("sim_tokens", "3")));
        ((com.fasterxml.jackson.databind.node.ArrayNode) prefill.path("messages")).addObject()
                .put("role", "assistant").put("content", "Partial");

        ContentResponse refused = postChat("reject_prefill=true", prefill.toString());
        ContentResponse normal =
                postChat("reject_prefill=true", ChatBodies.fastStream("Hi", Map.of("sim_tokens", "3")));

        assertEquals(400, refused.getStatus());
        JsonNode error = SimulatorHttpClient.json(refused).path("error");
        assertEquals("invalid_request_error", error.path("type").asText());
        assertEquals("assistant prefill is not supported by this model", error.path("message").asText());
        assertEquals(200, normal.getStatus());
        assertEquals(1, simulator.stats().faultsInjected());
    }

    @Test
    void fail_first_faults_only_the_first_arrivals_on_each_spec_path() throws Exception {
        String body = ChatBodies.fastStream("Flap", Map.of("sim_tokens", "2"));

        int first = postChat("status=503,fail_first=2", body).getStatus();
        int second = postChat("status=503,fail_first=2", body).getStatus();
        int otherSpec = postChat("fail_first=2,status=503", body).getStatus();
        int third = postChat("status=503,fail_first=2", body).getStatus();
        int fourth = postChat("status=503,fail_first=2", body).getStatus();

        assertEquals(List.of(503, 503, 503, 200, 200), List.of(first, second, otherSpec, third, fourth));
        assertEquals(3, simulator.stats().faultsInjected());
    }

    @Test
    void stream_faults_leave_non_streaming_requests_untouched() throws Exception {
        ContentResponse response = postChat("cut_after=1",
                ChatBodies.chat("Whole", false, Map.of("sim_ttft_ms", "0", "sim_tokens", "5")).toString());

        assertEquals(200, response.getStatus());
        assertEquals(5, SimulatorHttpClient.json(response).path("usage").path("completion_tokens").asInt());
        assertEquals(0, simulator.stats().faultsInjected());
    }

    @Test
    void the_stats_endpoint_reports_injected_faults() throws Exception {
        postChat("status=500", ChatBodies.fastStream("x", Map.of()));

        JsonNode stats = SimulatorHttpClient.json(http.get(URI.create(
                "http://127.0.0.1:" + simulator.port() + "/sim/stats")));

        assertEquals(1, stats.path("faults_injected").asLong());
    }

    @Test
    void a_fault_path_for_an_unknown_endpoint_is_404() throws Exception {
        ContentResponse response = http.get(URI.create(SimulatorHttpClient.faultBase(simulator, "status=500")
                + "/models"));

        assertEquals(404, response.getStatus());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "foo=1                           | faults.foo",
        "status                          | faults.status",
        "status=200                      | faults.status",
        "status=abc                      | faults.status",
        "status=429,status=503           | faults.status",
        "retry_after=5                   | faults.retry_after",
        "error_code=teapot               | faults.error_code",
        "cut_after=-1                    | faults.cut_after",
        "malformed_at=0                  | faults.malformed_at",
        "no_done=yes                     | faults.no_done",
        "status=500,cut_after=1          | faults.cut_after",
        "cut_after=1,stall_after=2       | faults.stall_after",
        "no_response=true,ttft_ms=5      | faults.ttft_ms",
        "reset_before_headers=true,no_response=true | faults.no_response",
        "fail_first=x                    | faults.fail_first",
    })
    void a_bad_fault_spec_is_a_400_naming_the_key(String spec, String param) throws Exception {
        ContentResponse response = postChat(spec, ChatBodies.fastStream("hi", Map.of()));

        assertEquals(400, response.getStatus(), response::getContentAsString);
        JsonNode error = SimulatorHttpClient.json(response).path("error");
        assertEquals(param, error.path("param").asText());
        assertEquals("invalid_request_error", error.path("type").asText());
        assertEquals(0, simulator.stats().faultsInjected());
    }

    private ContentResponse postChat(String spec, String body) throws Exception {
        return http.post(SimulatorHttpClient.faultBase(simulator, spec), "/chat/completions", body).send();
    }

    private static String contentOf(List<String> dataLines) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String line : dataLines) {
            JsonNode delta = SimulatorHttpClient.JSON.readTree(line).path("choices").path(0).path("delta");
            if (!delta.has("role")) {
                text.append(delta.path("content").asText());
            }
        }
        return text.toString();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
