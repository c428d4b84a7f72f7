package dev.switchboard.bridge.anthropic;

import static dev.switchboard.bridge.anthropic.AnthropicEvents.MODEL;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.blockStop;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.errorEvent;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.inputJson;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.messageDelta;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.messageStart;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.messageStop;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.opening;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.ping;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.steps;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.text;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.textBlockStart;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.toolUseBlockStart;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.trailer;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.RELAXED;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.WAIT;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.assertNoSecret;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.simpleRequest;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bridge.fakeprovider.Exchange;
import dev.switchboard.bridge.fakeprovider.ScriptedProvider;
import dev.switchboard.bridge.fakeprovider.Step;
import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.event.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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

/** What an Anthropic stream delivers, from a clean answer to the ways a 200 stream can go wrong. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AnthropicConnectorStreamingTest {
    private static HttpClient client;
    private ScriptedProvider provider;
    private AnthropicConnector connector;
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
    void startProvider() throws Exception {
        provider = ScriptedProvider.start();
        connector = AnthropicFixtures.connector(client, provider.baseUri(), RELAXED);
    }

    @AfterEach
    void stopProvider() {
        provider.close();
    }

    private static List<UpstreamEvent.ToolCallDelta> toolCalls(RecordingListener recorded) {
        return recorded.events().stream().filter(UpstreamEvent.ToolCallDelta.class::isInstance)
                .map(UpstreamEvent.ToolCallDelta.class::cast).toList();
    }

    @Test
    void a_normal_stream_delivers_the_deltas_in_order_then_completed_with_the_reported_usage_and_model() {
        provider.enqueue(AnthropicEvents.answer(12, "Hel", "lo", " world"));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome expected = new UpstreamOutcome.Completed("stop", Usage.of(12, 3), MODEL);
        assertEquals(expected, listener.awaitEnd(WAIT));
        assertEquals(List.of("delta Hel", "delta lo", "delta  world", RecordingListener.end(expected)),
                listener.transcript());
        // The body was read to its end, so the exchange completed rather than being cut off.
        assertEquals(Exchange.Ending.COMPLETED, provider.takeExchange(WAIT).awaitEnding(WAIT));
        assertEquals(0, connector.malformedEvents());
        assertEquals(0, connector.unknownEvents());
    }

    @Test
    void bytes_split_anywhere_across_network_writes_still_give_whole_deltas() {
        List<String> deltas = List.of("Grüße, ", "世界", " 👋", "!");
        List<Step> events = new ArrayList<>(List.of(messageStart(5), textBlockStart(0), ping()));
        deltas.forEach(delta -> events.add(text(delta)));
        events.addAll(trailer("end_turn", 4));
        // Anthropic's own framing uses \n; a proxy may rewrite it to \r\n, which must parse the same.
        byte[] bytes = AnthropicEvents.wire(events).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        List<Step> script = new ArrayList<>(List.of(Step.sseHeaders()));
        for (int from = 0; from < bytes.length; from += 7) {
            script.add(Step.write(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + 7))));
            script.add(Step.delay(Duration.ofMillis(1)));
        }
        provider.enqueue(script);

        connector.open(simpleRequest(), listener);

        assertEquals(new UpstreamOutcome.Completed("stop", Usage.of(5, 4), MODEL), listener.awaitEnd(WAIT));
        assertEquals(deltas, listener.deltaTexts());
    }

    @Test
    void a_tool_use_answer_streams_its_id_name_and_argument_fragments_then_completes_with_tool_calls() {
        provider.enqueue(Step.sseHeaders(), messageStart(20), toolUseBlockStart(0, "toolu_01A09q90qw90lq917835lq9",
                "get_weather"), ping(), inputJson(0, ""), inputJson(0, "{\"city\":"), inputJson(0, " \"Paris\"}"),
                blockStop(0), messageDelta("tool_use", 9), messageStop());

        connector.open(simpleRequest(), listener);

        assertEquals(new UpstreamOutcome.Completed("tool_calls", Usage.of(20, 9), MODEL), listener.awaitEnd(WAIT));
        assertEquals(List.of(), listener.deltaTexts());
        // The empty first fragment Anthropic sends carries nothing and is not delivered.
        assertEquals(List.of(
                new UpstreamEvent.ToolCallDelta(0, "toolu_01A09q90qw90lq917835lq9", "get_weather", "", 0),
                new UpstreamEvent.ToolCallDelta(0, "", "", "{\"city\":", 0),
                new UpstreamEvent.ToolCallDelta(0, "", "", " \"Paris\"}", 0)),
                toolCalls(listener).stream().map(call -> new UpstreamEvent.ToolCallDelta(call.index(),
                        call.callId(), call.name(), call.argumentsDelta(), 0)).toList());
    }

    @Test
    void text_then_two_tool_use_blocks_number_the_calls_from_zero_in_block_order() {
        provider.enqueue(steps(opening(30), text(0, "Checking both."), blockStop(0),
                toolUseBlockStart(1, "toolu_a", "get_weather"), inputJson(1, "{\"city\":\"Paris\"}"), blockStop(1),
                toolUseBlockStart(2, "toolu_b", "get_weather"), inputJson(2, "{\"city\":"), inputJson(2, "\"Oslo\"}"),
                blockStop(2), messageDelta("tool_use", 60), messageStop()));

        connector.open(simpleRequest(), listener);

        assertEquals(new UpstreamOutcome.Completed("tool_calls", Usage.of(30, 60), MODEL), listener.awaitEnd(WAIT));
        assertEquals(List.of("Checking both."), listener.deltaTexts());
        List<UpstreamEvent.ToolCallDelta> calls = toolCalls(listener);
        assertEquals(List.of(0, 0, 1, 1, 1), calls.stream().map(UpstreamEvent.ToolCallDelta::index).toList());
        assertEquals(List.of("toolu_a", "", "toolu_b", "", ""),
                calls.stream().map(UpstreamEvent.ToolCallDelta::callId).toList());
        assertEquals("{\"city\":\"Oslo\"}", calls.subList(2, 5).stream()
                .map(UpstreamEvent.ToolCallDelta::argumentsDelta).reduce("", String::concat));
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "end_turn, stop",
        "stop_sequence, stop",
        "max_tokens, length",
        "tool_use, tool_calls",
        "refusal, content_filter",
        "pause_turn, stop",
        "model_context_window_exceeded, length",
        "some_future_reason, stop"
    })
    void the_stop_reason_is_normalised(String stopReason, String finishReason) {
        provider.enqueue(steps(opening(4), text("Once upon"), blockStop(0), messageDelta(stopReason, 1),
                messageStop()));

        connector.open(simpleRequest(), listener);

        assertEquals(new UpstreamOutcome.Completed(finishReason, Usage.of(4, 1), MODEL), listener.awaitEnd(WAIT));
    }

    @Test
    void pings_and_unknown_event_types_are_tolerated_and_unknown_ones_counted() {
        List<Step> script = steps(opening(3), text("a"), ping(),
                Step.event("content_block_citation", "{\"type\":\"content_block_citation\",\"index\":0}"),
                text("b"), ping(), Step.write(": comment\n\n"));
        script.addAll(trailer("end_turn", 2));
        provider.enqueue(script);

        connector.open(simpleRequest(), listener);

        UpstreamOutcome expected = new UpstreamOutcome.Completed("stop", Usage.of(3, 2), MODEL);
        assertEquals(List.of("delta a", "delta b", RecordingListener.end(expected)), transcriptAfterEnd());
        assertEquals(1, connector.unknownEvents());
        assertEquals(0, connector.malformedEvents());
    }

    @Test
    void thinking_blocks_are_not_delivered_as_answer_text() {
        provider.enqueue(Step.sseHeaders(), messageStart(3),
                Step.event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}"),
                Step.event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me think.\"}}"),
                Step.event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}"),
                blockStop(0), textBlockStart(1), text(1, "Answer."), blockStop(1), messageDelta("end_turn", 9),
                messageStop());

        connector.open(simpleRequest(), listener);

        assertEquals(new UpstreamOutcome.Completed("stop", Usage.of(3, 9), MODEL), listener.awaitEnd(WAIT));
        assertEquals(List.of("Answer."), listener.deltaTexts());
    }

    @Test
    void a_malformed_event_in_the_middle_is_skipped_and_counted_and_the_stream_completes() {
        provider.enqueue(steps(opening(3), text("a"),
                Step.write("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":\n\n"),
                Step.event("message_delta", "{\"type\":\"message_delta\",\"delta\":{"),
                text("b"), blockStop(0), messageDelta("end_turn", 2), messageStop()));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome expected = new UpstreamOutcome.Completed("stop", Usage.of(3, 2), MODEL);
        assertEquals(List.of("delta a", "delta b", RecordingListener.end(expected)), transcriptAfterEnd());
        assertEquals(2, connector.malformedEvents());
    }

    @Test
    void a_stream_with_a_stop_reason_but_no_message_stop_completes_as_soon_as_the_body_ends() {
        provider.enqueue(steps(opening(7), text("Hi"), text("!"), blockStop(0), messageDelta("end_turn", 2)));

        connector.open(simpleRequest(), listener);

        // Well inside the 10 s idle timeout: the end of the body, not a timeout, finishes the stream.
        UpstreamOutcome expected = new UpstreamOutcome.Completed("stop", Usage.of(7, 2), MODEL);
        assertEquals(expected, listener.awaitEnd(Duration.ofSeconds(3)));
        assertEquals(List.of("delta Hi", "delta !", RecordingListener.end(expected)), listener.transcript());
    }

    @Test
    void a_connection_closed_after_the_stop_reason_still_completes() {
        provider.enqueue(steps(opening(7), text("Hi"), blockStop(0), messageDelta("max_tokens", 1),
                Step.closeConnection()));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome expected = new UpstreamOutcome.Completed("length", Usage.of(7, 1), MODEL);
        assertEquals(expected, listener.awaitEnd(Duration.ofSeconds(3)));
        assertEquals(List.of("delta Hi", RecordingListener.end(expected)), listener.transcript());
    }

    @Test
    void usage_is_estimated_when_the_provider_reports_none_and_the_requested_model_is_kept_without_one() {
        provider.enqueue(Step.sseHeaders(), Step.event("message_start", "{\"type\":\"message_start\",\"message\":{}}"),
                textBlockStart(0), text("a"), text("b"), blockStop(0),
                Step.event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}"),
                messageStop());

        connector.open(simpleRequest(), listener);

        // "Be brief." plus "Say hello." is 19 characters, about 4 tokens; one token per delta.
        assertEquals(new UpstreamOutcome.Completed("stop", Usage.of(4, 2), "claude-test"), listener.awaitEnd(WAIT));
    }

    @Test
    void cached_input_tokens_count_as_input_as_openai_counts_them() {
        provider.enqueue(Step.sseHeaders(), Step.event("message_start", "{\"type\":\"message_start\",\"message\":"
                        + "{\"model\":\"" + MODEL + "\",\"usage\":{\"input_tokens\":5,\"cache_creation_input_tokens\":"
                        + "100,\"cache_read_input_tokens\":2000,\"output_tokens\":1}}}"),
                textBlockStart(0), text("a"), blockStop(0), messageDelta("end_turn", 1), messageStop());

        connector.open(simpleRequest(), listener);

        assertEquals(new UpstreamOutcome.Completed("stop", Usage.of(2_105, 1), MODEL), listener.awaitEnd(WAIT));
    }

    @Test
    void a_stream_cut_mid_answer_delivers_the_deltas_then_fails_as_broken() {
        provider.enqueue(steps(opening(3), text("The answer"), text(" is"), Step.closeConnection()));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertEquals(Optional.empty(), failed.retryAfter());
        assertEquals(List.of("The answer", " is"), listener.deltaTexts());
    }

    @Test
    void a_connection_reset_mid_answer_delivers_the_deltas_then_fails_as_broken() {
        CompletableFuture<Void> deltasDelivered = new CompletableFuture<>();
        provider.enqueue(steps(opening(3), text("The answer"), text(" is"), Step.await(deltasDelivered),
                Step.resetConnection()));

        connector.open(simpleRequest(), listener);
        // A reset may discard bytes the client had not read yet, so reset only once both deltas are through.
        await().atMost(WAIT).until(() -> listener.deltaTexts().size() == 2);
        deltasDelivered.complete(null);

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertEquals(List.of("The answer", " is"), listener.deltaTexts());
    }

    @Test
    void a_body_that_ends_cleanly_before_the_stop_reason_fails_as_broken() {
        provider.enqueue(steps(opening(3), text("Half"), blockStop(0)));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertTrue(failed.message().contains("ended before the answer finished"), failed::message);
        assertEquals(List.of("Half"), listener.deltaTexts());
    }

    @Test
    void an_in_band_overloaded_error_mid_stream_fails_as_broken_with_the_providers_message_and_nothing_after_it() {
        provider.enqueue(steps(opening(3), text("Partial"), errorEvent("overloaded_error", "Overloaded"),
                text("never delivered"), messageDelta("end_turn", 2), messageStop()));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertTrue(failed.reason().isRetryable());
        assertEquals("provider error mid-stream: Overloaded (overloaded_error)", failed.message());
        assertEquals(List.of("Partial"), listener.deltaTexts());
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "api_error, UPSTREAM_STREAM_BROKEN",
        "overloaded_error, UPSTREAM_STREAM_BROKEN",
        "rate_limit_error, UPSTREAM_RATE_LIMITED",
        "invalid_request_error, UPSTREAM_REJECTED",
        "authentication_error, UPSTREAM_AUTH",
        "some_future_error, UPSTREAM_STREAM_BROKEN"
    })
    void an_in_band_error_is_classified_by_its_type(String type, CloseReason reason) {
        provider.enqueue(steps(opening(3), errorEvent(type, "went wrong")));

        connector.open(simpleRequest(), listener);

        assertEquals(reason, assertNoSecret(listener.awaitFailure(WAIT)).reason());
    }

    @Test
    void an_in_band_error_that_echoes_the_key_or_cannot_be_read_still_fails_without_the_key() {
        provider.enqueue(steps(opening(3), errorEvent("api_error", "bad key " + AnthropicFixtures.SECRET)));
        connector.open(simpleRequest(), listener);
        UpstreamOutcome.Failed echoed = assertNoSecret(listener.awaitFailure(WAIT));
        assertTrue(echoed.message().contains("bad key [redacted]"), echoed::message);

        provider.enqueue(steps(opening(3), Step.event("error", "{\"type\":\"error\",\"error\":")));
        RecordingListener unreadable = new RecordingListener();
        connector.open(simpleRequest(), unreadable);
        UpstreamOutcome.Failed failed = assertNoSecret(unreadable.awaitFailure(WAIT));
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertEquals("provider error mid-stream", failed.message());
    }

    @Test
    void a_json_body_instead_of_an_event_stream_fails_as_broken() {
        provider.enqueue(Step.jsonStatus(200), Step.write("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":"
                + "\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"stop_reason\":\"end_turn\"}"));

        connector.open(simpleRequest(), listener);

        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, assertNoSecret(listener.awaitFailure(WAIT)).reason());
        assertEquals(List.of(), listener.deltaTexts());
    }

    private List<String> transcriptAfterEnd() {
        listener.awaitEnd(WAIT);
        return listener.transcript();
    }
}
