package dev.switchboard.bridge.anthropic;

import static dev.switchboard.bridge.anthropic.AnthropicFixtures.RELAXED;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.WAIT;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.assertNoSecret;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.assistantMessage;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.userMessage;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.bridge.openai.OpenAiConfig;
import dev.switchboard.bridge.openai.OpenAiConnector;
import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.StreamTimeouts;
import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.simulator.ProviderSimulator;
import dev.switchboard.simulator.SimulatorConfig;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The connector against the bundled provider simulator, a real server speaking Anthropic's Messages API: its
 * text matches the OpenAI endpoint's, a prefill is continued exactly, and its fault profiles map as expected.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AnthropicConnectorSimulatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static HttpClient client;
    private ProviderSimulator simulator;
    private final RecordingListener listener = new RecordingListener();

    @BeforeAll
    static void startClient() throws Exception {
        client = new HttpClient();
        client.start();
    }

    @AfterAll
    static void stopClient() throws Exception {
        client.stop();
    }

    @BeforeEach
    void startSimulator() throws Exception {
        simulator = ProviderSimulator.start(SimulatorConfig.loopbackEphemeral());
    }

    @AfterEach
    void stopSimulator() {
        simulator.close();
    }

    private AnthropicConnector connector() {
        return new AnthropicConnector(new AnthropicConfig("simulator", simulator.baseUri(), Optional.empty(),
                RELAXED), client);
    }

    /** A connector for the simulator's fault profile {@code spec}, e.g. {@code status=529}. */
    private AnthropicConnector faulty(String spec, StreamTimeouts timeouts) {
        URI base = URI.create("http://127.0.0.1:" + simulator.port() + "/faults/" + spec + "/v1");
        return new AnthropicConnector(new AnthropicConfig("faulty", base, Optional.empty(), timeouts), client);
    }

    /**
     * Metadata steering the simulator: {@code tokens} tokens at {@code tokensPerSecond}, the first one at once,
     * plus a non-knob entry that seeds the text.
     */
    private static Map<String, String> knobs(int tokens, int tokensPerSecond) {
        return Map.of("sim_tokens", String.valueOf(tokens), "sim_ttft_ms", "0",
                "sim_tokens_per_second", String.valueOf(tokensPerSecond), "trace", "t-1");
    }

    private static UpstreamRequest request(List<ConversationItem> items, Map<String, String> metadata) {
        return new UpstreamRequest("claude-test", "Be brief.", items, metadata, OptionalInt.empty(), List.of(),
                Optional.empty());
    }

    private static UpstreamRequest story(int tokens) {
        return request(List.of(userMessage("Tell me a story.")), knobs(tokens, 100_000));
    }

    /** Streams {@code request} through the simulator's OpenAI endpoint and returns the whole text. */
    private String openAiText(UpstreamRequest request) {
        OpenAiConnector openAi = new OpenAiConnector(new OpenAiConfig("simulator-openai", simulator.baseUri(),
                Optional.empty(), RELAXED), client);
        RecordingListener openAiListener = new RecordingListener();
        openAi.open(request, openAiListener);
        assertEquals("stop", openAiListener.awaitCompletion(WAIT).finishReason());
        return openAiListener.text();
    }

    @Test
    void a_simulated_stream_completes_with_the_same_text_as_the_openai_endpoint_for_the_same_conversation() {
        UpstreamRequest request = story(40);

        connector().open(request, listener);

        UpstreamOutcome.Completed completed = listener.awaitCompletion(WAIT);
        assertEquals("stop", completed.finishReason());
        assertEquals(40, completed.usage().outputTokens());
        assertTrue(completed.usage().inputTokens() > 0, completed::toString);
        assertEquals("claude-test", completed.model());
        assertEquals(40, listener.deltaTexts().size());
        assertEquals(openAiText(request), listener.text());
        await().atMost(WAIT).until(() -> simulator.stats().streamsCompleted() == 2);
    }

    @Test
    void metadata_seeds_the_text_so_other_metadata_gives_other_text() {
        Map<String, String> otherTrace = new HashMap<>(knobs(40, 100_000));
        otherTrace.put("trace", "t-2");
        UpstreamRequest other = request(List.of(userMessage("Tell me a story.")), otherTrace);
        connector().open(story(40), listener);
        RecordingListener otherListener = new RecordingListener();
        connector().open(other, otherListener);

        listener.awaitCompletion(WAIT);
        otherListener.awaitCompletion(WAIT);

        assertFalse(listener.text().equals(otherListener.text()), "the metadata header did not reach the seed");
        assertEquals(openAiText(other), otherListener.text());
    }

    @Test
    void a_prefill_of_the_first_tokens_is_continued_with_exactly_the_remaining_text() {
        connector().open(story(30), listener);
        listener.awaitCompletion(WAIT);
        List<String> tokens = listener.deltaTexts();
        assertEquals(30, tokens.size());
        String prefill = String.join("", tokens.subList(0, 12));
        String rest = String.join("", tokens.subList(12, 30));

        RecordingListener continuation = new RecordingListener();
        connector().open(request(List.of(userMessage("Tell me a story."), assistantMessage(prefill)),
                knobs(30, 100_000)), continuation);

        UpstreamOutcome.Completed completed = continuation.awaitCompletion(WAIT);
        assertEquals(rest, continuation.text());
        assertEquals(18, completed.usage().outputTokens());
        assertEquals("stop", completed.finishReason());
    }

    @Test
    void a_tool_call_streams_its_toolu_id_name_and_arguments_that_parse_as_json() throws Exception {
        Map<String, String> metadata = new HashMap<>(knobs(5, 100_000));
        metadata.put("sim_tool_call", "get_weather");
        JsonNode tool = JSON.readTree("{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}");
        UpstreamRequest request = new UpstreamRequest("claude-test", "", List.of(userMessage("Weather?")), metadata,
                OptionalInt.empty(), List.of(tool), Optional.of(JSON.readTree("\"required\"")));

        connector().open(request, listener);

        assertEquals("tool_calls", listener.awaitCompletion(WAIT).finishReason());
        List<UpstreamEvent.ToolCallDelta> calls = listener.events().stream()
                .filter(UpstreamEvent.ToolCallDelta.class::isInstance).map(UpstreamEvent.ToolCallDelta.class::cast)
                .toList();
        assertTrue(calls.get(0).callId().matches("toolu_[0-9a-f]{24}"), calls.get(0)::callId);
        assertEquals("get_weather", calls.get(0).name());
        assertTrue(calls.stream().allMatch(call -> call.index() == 0), calls::toString);
        JsonNode arguments = JSON.readTree(calls.stream().map(UpstreamEvent.ToolCallDelta::argumentsDelta)
                .reduce("", String::concat));
        assertTrue(arguments.path("city").isTextual() && arguments.path("days").isInt(), arguments::toString);
    }

    @Test
    void cancel_aborts_the_simulated_stream() {
        long abortedBefore = simulator.stats().streamsAborted();
        Upstream upstream = connector().open(request(List.of(userMessage("Tell me a story.")), knobs(4_000, 200)),
                listener);
        await().atMost(WAIT).until(() -> listener.deltaTexts().size() >= 3);

        upstream.cancel();

        assertEquals(new UpstreamOutcome.Cancelled(), listener.awaitEnd(WAIT));
        await().atMost(WAIT).until(() -> simulator.stats().streamsAborted() == abortedBefore + 1);
        assertEquals(0, simulator.stats().streamsCompleted());
    }

    @Test
    void a_wrong_key_is_an_auth_failure_that_shows_neither_key() throws Exception {
        try (ProviderSimulator keyed = ProviderSimulator.start(
                SimulatorConfig.loopbackEphemeral().withApiKey("sk-ant-the-right-one"))) {
            AnthropicConnector connector = AnthropicFixtures.connector(client,
                    URI.create("http://127.0.0.1:" + keyed.port()), RELAXED);

            connector.open(story(5), listener);

            UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
            assertEquals(CloseReason.UPSTREAM_AUTH, failed.reason());
            assertFalse(failed.message().contains("sk-ant-the-right-one"), failed::message);
        }
    }

    @Test
    void the_right_key_is_accepted() throws Exception {
        try (ProviderSimulator keyed = ProviderSimulator.start(
                SimulatorConfig.loopbackEphemeral().withApiKey(AnthropicFixtures.SECRET))) {
            AnthropicFixtures.connector(client, URI.create("http://127.0.0.1:" + keyed.port()), RELAXED)
                    .open(story(5), listener);

            assertEquals(5, listener.awaitCompletion(WAIT).usage().outputTokens());
        }
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
        "status=429,retry_after=2                 | UPSTREAM_RATE_LIMITED",
        "status=529                               | UPSTREAM_UNAVAILABLE",
        "status=500                               | UPSTREAM_UNAVAILABLE",
        "status=401                               | UPSTREAM_AUTH",
        "status=404                               | UPSTREAM_REJECTED",
        "error_code=context_length_exceeded       | UPSTREAM_CONTEXT_LENGTH",
        "error_code=content_policy_violation      | UPSTREAM_CONTENT_POLICY",
        "reset_before_headers=true                | UPSTREAM_UNAVAILABLE",
        "inband_error_after=3                     | UPSTREAM_STREAM_BROKEN",
        "cut_after=3                              | UPSTREAM_STREAM_BROKEN"
    })
    void a_simulator_fault_profile_fails_with_its_reason(String spec, CloseReason reason) {
        faulty(spec, RELAXED).open(story(20), listener);

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
        assertEquals(reason, failed.reason(), failed::message);
        if (spec.contains("retry_after=2")) {
            assertEquals(Optional.of(Duration.ofSeconds(2)), failed.retryAfter());
        }
        if (spec.contains("_after=3")) {
            assertEquals(3, listener.deltaTexts().size());
        }
    }

    @Test
    void an_in_band_overloaded_error_from_the_simulator_keeps_its_message() {
        faulty("inband_error_after=2", RELAXED).open(story(20), listener);

        assertEquals("provider error mid-stream: Overloaded (overloaded_error)",
                listener.awaitFailure(WAIT).message());
    }

    @Test
    void a_stall_after_some_tokens_times_out_at_the_idle_deadline() {
        faulty("stall_after=3", new StreamTimeouts(Duration.ofSeconds(2), WAIT, Duration.ofMillis(300)))
                .open(story(20), listener);

        assertEquals(CloseReason.UPSTREAM_TIMEOUT, listener.awaitFailure(WAIT).reason());
        assertEquals(3, listener.deltaTexts().size());
    }

    @Test
    void no_first_token_in_time_is_a_first_token_timeout() {
        faulty("ttft_ms=5000", new StreamTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300), WAIT))
                .open(story(20), listener);

        UpstreamOutcome.Failed failed = listener.awaitFailure(WAIT);
        assertEquals(CloseReason.UPSTREAM_TIMEOUT, failed.reason());
        assertTrue(failed.message().contains("first token"), failed::message);
    }

    @Test
    void a_malformed_event_is_skipped_and_counted_and_every_token_still_arrives() {
        AnthropicConnector connector = faulty("malformed_at=4", RELAXED);

        connector.open(story(20), listener);

        assertEquals(20, listener.awaitCompletion(WAIT).usage().outputTokens());
        assertEquals(1, connector.malformedEvents());
        assertEquals(openAiText(story(20)), listener.text());
    }

    @Test
    void a_stream_without_message_stop_completes_when_the_body_ends() {
        faulty("no_done=true", RELAXED).open(story(20), listener);

        UpstreamOutcome.Completed completed = listener.awaitCompletion(WAIT);
        assertEquals("stop", completed.finishReason());
        assertEquals(20, listener.deltaTexts().size());
    }

    @Test
    void a_model_that_refuses_prefill_is_a_rejection() {
        faulty("reject_prefill=true", RELAXED).open(request(List.of(userMessage("Tell me a story."),
                assistantMessage("Once")), knobs(20, 100_000)), listener);

        UpstreamOutcome.Failed failed = listener.awaitFailure(WAIT);
        assertEquals(CloseReason.UPSTREAM_REJECTED, failed.reason());
        assertTrue(failed.message().contains("does not support assistant message prefill"), failed::message);
    }
}
