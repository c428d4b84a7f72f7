package dev.switchboard.bridge.openai;

import static dev.switchboard.bridge.openai.OpenAiChunks.MODEL;
import static dev.switchboard.bridge.openai.OpenAiChunks.content;
import static dev.switchboard.bridge.openai.OpenAiChunks.data;
import static dev.switchboard.bridge.openai.OpenAiChunks.done;
import static dev.switchboard.bridge.openai.OpenAiChunks.finish;
import static dev.switchboard.bridge.openai.OpenAiChunks.usage;
import static dev.switchboard.bridge.openai.OpenAiFixtures.RELAXED;
import static dev.switchboard.bridge.openai.OpenAiFixtures.WAIT;
import static dev.switchboard.bridge.openai.OpenAiFixtures.assertNoSecret;
import static dev.switchboard.bridge.openai.OpenAiFixtures.simpleRequest;
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

/** What an OpenAI stream delivers, from a clean answer to the ways a 200 stream can go wrong. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OpenAiConnectorStreamingTest {
    private static HttpClient client;
    private ScriptedProvider provider;
    private OpenAiConnector connector;
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
        connector = OpenAiFixtures.connector(client, provider.baseUri(), RELAXED);
    }

    @AfterEach
    void stopProvider() throws Exception {
        provider.close();
    }

    private static List<Step> steps(List<Step> first, Step... more) {
        List<Step> all = new ArrayList<>(first);
        all.addAll(Arrays.asList(more));
        return all;
    }

    @Test
    void a_normal_stream_delivers_the_deltas_in_order_then_completed_with_the_reported_usage_and_model() {
        provider.enqueue(OpenAiChunks.answer(12, "Hel", "lo", " world"));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome expected = new UpstreamOutcome.Completed("stop", Usage.of(12, 3), MODEL);
        assertEquals(expected, listener.awaitEnd(WAIT));
        assertEquals(List.of("delta Hel", "delta lo", "delta  world", RecordingListener.end(expected)),
                listener.transcript());
        // The body was read to its end, so the exchange completed rather than being cut off.
        assertEquals(Exchange.Ending.COMPLETED, provider.takeExchange(WAIT).awaitEnding(WAIT));
    }

    @Test
    void bytes_split_anywhere_across_network_writes_still_give_whole_deltas() {
        StringBuilder wire = new StringBuilder(": OPENROUTER PROCESSING\n\n").append("data: ")
                .append(OpenAiChunks.role()).append("\n\n");
        List<String> deltas = List.of("Grüße, ", "世界", " 👋", "!");
        for (String delta : deltas) {
            wire.append(": keep-alive\r\n\r\n").append("data: ").append(content(delta)).append("\r\n\r\n");
        }
        wire.append("data: ").append(finish("stop")).append("\n\ndata: ").append(usage(5, 4)).append("\n\n")
                .append("data: [DONE]\n\n");
        byte[] bytes = wire.toString().getBytes(StandardCharsets.UTF_8);
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
    void a_malformed_chunk_in_the_middle_is_skipped_and_counted_and_the_stream_completes() {
        provider.enqueue(steps(OpenAiChunks.opening(), data(content("a")), data("{\"choices\":[{\"delta\":"),
                data(content("b")), data(finish("stop")), data(usage(3, 2)), done()));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome expected = new UpstreamOutcome.Completed("stop", Usage.of(3, 2), MODEL);
        assertEquals(expected, listener.awaitEnd(WAIT));
        assertEquals(List.of("delta a", "delta b", RecordingListener.end(expected)), listener.transcript());
        assertEquals(1, connector.malformedChunks());
    }

    @Test
    void a_stream_with_finish_reason_and_usage_but_no_done_completes_as_soon_as_the_body_ends() {
        provider.enqueue(steps(OpenAiChunks.opening(), data(content("Hi")), data(content("!")),
                data(finish("stop")), data(usage(7, 2))));

        connector.open(simpleRequest(), listener);

        // Well inside the 10 s idle timeout: the end of the body, not a timeout, finishes the stream.
        UpstreamOutcome expected = new UpstreamOutcome.Completed("stop", Usage.of(7, 2), MODEL);
        assertEquals(expected, listener.awaitEnd(Duration.ofSeconds(3)));
        assertEquals(List.of("delta Hi", "delta !", RecordingListener.end(expected)), listener.transcript());
    }

    @Test
    void a_connection_closed_after_finish_reason_and_usage_still_completes() {
        provider.enqueue(steps(OpenAiChunks.opening(), data(content("Hi")), data(finish("stop")),
                data(usage(7, 1)), Step.closeConnection()));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome expected = new UpstreamOutcome.Completed("stop", Usage.of(7, 1), MODEL);
        assertEquals(expected, listener.awaitEnd(Duration.ofSeconds(3)));
        assertEquals(List.of("delta Hi", RecordingListener.end(expected)), listener.transcript());
    }

    @Test
    void a_finish_reason_other_than_stop_is_reported() {
        provider.enqueue(steps(OpenAiChunks.opening(), data(content("Once upon")), data(finish("length")),
                data(usage(4, 1)), done()));

        connector.open(simpleRequest(), listener);

        assertEquals(new UpstreamOutcome.Completed("length", Usage.of(4, 1), MODEL), listener.awaitEnd(WAIT));
    }

    @Test
    void usage_is_estimated_when_the_provider_reports_none() {
        provider.enqueue(steps(OpenAiChunks.opening(), data(content("a")), data(content("b")),
                data(finish("stop")), done()));

        connector.open(simpleRequest(), listener);

        // "Be brief." plus "Say hello." is 19 characters, about 4 tokens; one token per delta.
        assertEquals(new UpstreamOutcome.Completed("stop", Usage.of(4, 2), MODEL), listener.awaitEnd(WAIT));
    }

    @Test
    void a_tool_call_answer_streams_its_id_name_and_argument_fragments_then_completes() {
        String first = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"" + MODEL + "\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                + "[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"\"}}]},\"finish_reason\":null}]}";
        String fragment = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"" + MODEL + "\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                + "{\"arguments\":\"%s\"}}]},\"finish_reason\":null}]}";
        provider.enqueue(steps(OpenAiChunks.opening(), data(first), data(String.format(fragment, "{\\\"city\\\":")),
                data(String.format(fragment, "\\\"Paris\\\"}")), data(finish("tool_calls")), data(usage(20, 9)),
                done()));

        connector.open(simpleRequest(), listener);

        assertEquals(new UpstreamOutcome.Completed("tool_calls", Usage.of(20, 9), MODEL), listener.awaitEnd(WAIT));
        assertEquals(List.of(), listener.deltaTexts());
        List<UpstreamEvent.ToolCallDelta> calls = listener.events().stream()
                .filter(UpstreamEvent.ToolCallDelta.class::isInstance).map(UpstreamEvent.ToolCallDelta.class::cast)
                .toList();
        assertEquals(3, calls.size());
        assertEquals("call_1", calls.get(0).callId());
        assertEquals("get_weather", calls.get(0).name());
        assertEquals("{\"city\":\"Paris\"}", calls.stream().map(UpstreamEvent.ToolCallDelta::argumentsDelta)
                .reduce("", String::concat));
    }

    @Test
    void a_stream_cut_mid_answer_delivers_the_deltas_then_fails_as_broken() {
        provider.enqueue(steps(OpenAiChunks.opening(), data(content("The answer")), data(content(" is")),
                Step.closeConnection()));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertEquals(Optional.empty(), failed.retryAfter());
        assertEquals(List.of("The answer", " is"), listener.deltaTexts());
    }

    @Test
    void a_connection_reset_mid_answer_delivers_the_deltas_then_fails_as_broken() {
        CompletableFuture<Void> deltasDelivered = new CompletableFuture<>();
        provider.enqueue(steps(OpenAiChunks.opening(), data(content("The answer")), data(content(" is")),
                Step.await(deltasDelivered), Step.resetConnection()));

        connector.open(simpleRequest(), listener);
        // A reset may discard bytes the client had not read yet, so reset only once both deltas are through.
        await().atMost(WAIT).until(() -> listener.deltaTexts().size() == 2);
        deltasDelivered.complete(null);

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertEquals(List.of("The answer", " is"), listener.deltaTexts());
    }

    @Test
    void a_body_that_ends_cleanly_before_the_answer_finished_fails_as_broken() {
        provider.enqueue(steps(OpenAiChunks.opening(), data(content("Half"))));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertEquals(List.of("Half"), listener.deltaTexts());
    }

    @Test
    void an_in_band_error_chunk_fails_the_stream_with_the_providers_message_and_nothing_after_it_is_delivered() {
        provider.enqueue(steps(OpenAiChunks.opening(), data(content("Partial")),
                data(OpenAiChunks.error("The server had an error while processing your request.", "server_error",
                        "server_error")),
                data(content("never delivered")), data(finish("stop")), done()));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertTrue(failed.message().contains("The server had an error while processing your request."),
                failed::message);
        assertEquals(List.of("Partial"), listener.deltaTexts());
    }

    @Test
    void an_event_line_longer_than_the_parser_limit_fails_the_stream_as_broken() {
        String huge = "data: {\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}}]}\n\n";
        provider.enqueue(steps(OpenAiChunks.opening(), data(content("ok")), Step.write(huge)));

        connector.open(simpleRequest(), listener);

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertTrue(failed.message().contains("malformed event stream"), failed::message);
        assertEquals(List.of("ok"), listener.deltaTexts());
    }

    @Test
    void a_json_body_instead_of_an_event_stream_fails_as_broken() {
        provider.enqueue(Step.jsonStatus(200), Step.write("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
                + "\"finish_reason\":\"stop\"}]}"));

        connector.open(simpleRequest(), listener);

        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, assertNoSecret(listener.awaitFailure(WAIT)).reason());
        assertEquals(List.of(), listener.deltaTexts());
    }
}
