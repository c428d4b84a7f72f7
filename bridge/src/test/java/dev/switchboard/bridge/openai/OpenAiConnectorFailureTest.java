package dev.switchboard.bridge.openai;

import static dev.switchboard.bridge.openai.OpenAiChunks.content;
import static dev.switchboard.bridge.openai.OpenAiChunks.data;
import static dev.switchboard.bridge.openai.OpenAiFixtures.RELAXED;
import static dev.switchboard.bridge.openai.OpenAiFixtures.SECRET;
import static dev.switchboard.bridge.openai.OpenAiFixtures.WAIT;
import static dev.switchboard.bridge.openai.OpenAiFixtures.assertNoSecret;
import static dev.switchboard.bridge.openai.OpenAiFixtures.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bridge.fakeprovider.Exchange;
import dev.switchboard.bridge.fakeprovider.ScriptedProvider;
import dev.switchboard.bridge.fakeprovider.Step;
import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.StreamTimeouts;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.protocol.close.CloseReason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How provider failures become outcomes: HTTP errors, unreachable providers, broken connections and timeouts.
 * Every failure is also checked for the provider key, which must never reach an outcome.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OpenAiConnectorFailureTest {
    /** Short deadlines: 300 ms to the first token, 300 ms of silence once streaming. */
    private static final StreamTimeouts TIGHT =
            new StreamTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofMillis(300));
    /** A short first-token deadline with an idle timeout long enough not to interfere. */
    private static final StreamTimeouts SHORT_FIRST_TOKEN =
            new StreamTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(5));
    /** A short idle timeout with a first-token deadline long enough not to interfere. */
    private static final StreamTimeouts SHORT_IDLE =
            new StreamTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(300));

    private static HttpClient client;
    private ScriptedProvider provider;
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
    }

    @AfterEach
    void stopProvider() throws Exception {
        provider.close();
    }

    private UpstreamOutcome.Failed failureWith(StreamTimeouts timeouts) {
        OpenAiFixtures.connector(client, provider.baseUri(), timeouts).open(simpleRequest(), listener);
        return assertNoSecret(listener.awaitFailure(WAIT));
    }

    private UpstreamOutcome.Failed failure() {
        return failureWith(RELAXED);
    }

    @Test
    void a_429_with_retry_after_is_rate_limited_with_the_delay_and_the_providers_message() {
        provider.enqueue(Step.jsonStatus(429, "Retry-After", "3"), Step.write(OpenAiChunks.error(
                "Rate limit reached for gpt-test on tokens per min (TPM): Limit 30000, Used 30000.", "tokens",
                "rate_limit_exceeded")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_RATE_LIMITED, failed.reason());
        assertEquals(Optional.of(Duration.ofSeconds(3)), failed.retryAfter());
        assertTrue(failed.message().contains("Rate limit reached for gpt-test on tokens per min"), failed::message);
        assertEquals(List.of(RecordingListener.end(failed)), listener.transcript());
    }

    @Test
    void a_retry_after_that_is_not_a_number_of_seconds_is_left_out() {
        provider.enqueue(Step.jsonStatus(429, "Retry-After", "Wed, 21 Oct 2037 07:28:00 GMT"),
                Step.write(OpenAiChunks.error("slow down", "requests", "rate_limit_exceeded")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_RATE_LIMITED, failed.reason());
        assertEquals(Optional.empty(), failed.retryAfter());
    }

    @Test
    void a_retry_after_given_as_a_near_http_date_is_the_delay_until_it() {
        String inThirtySeconds = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30));
        provider.enqueue(Step.jsonStatus(429, "Retry-After", inThirtySeconds),
                Step.write(OpenAiChunks.error("slow down", "requests", "rate_limit_exceeded")));

        UpstreamOutcome.Failed failed = failure();

        Duration delay = failed.retryAfter().orElseThrow();
        assertTrue(!delay.isNegative() && delay.compareTo(Duration.ofSeconds(30)) <= 0, delay::toString);
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {500, 502, 503})
    void a_server_error_is_upstream_unavailable(int status) {
        provider.enqueue(Step.jsonStatus(status),
                Step.write(OpenAiChunks.error("The server is overloaded.", "server_error", "overloaded")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_UNAVAILABLE, failed.reason());
        assertTrue(failed.reason().isRetryable());
        assertTrue(failed.message().contains("HTTP " + status), failed::message);
        assertTrue(failed.message().contains("The server is overloaded."), failed::message);
    }

    @Test
    void a_401_is_an_auth_failure_whose_provider_text_stays_out_of_the_client_message() {
        provider.enqueue(Step.jsonStatus(401), Step.write(OpenAiChunks.error(
                "Incorrect API key provided: " + SECRET + ". You can find your API key in your dashboard.",
                "invalid_request_error", "invalid_api_key")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_AUTH, failed.reason());
        // Issue 10: the tenant learns the broker's credentials were refused, not what the provider said of them.
        assertFalse(failed.message().contains("Incorrect API key"), failed::message);
        assertTrue(failed.message().contains("HTTP 401") && failed.message().contains("credentials"), failed::message);
        String detail = failed.providerDetail().orElseThrow();
        assertTrue(detail.contains("Incorrect API key provided") && detail.contains("invalid_api_key"), detail);
        assertFalse(detail.contains(SECRET), detail);
    }

    @Test
    void a_masked_key_echoed_in_any_provider_error_is_redacted() {
        // OpenAI masks the key it echoes, so no exact match of the configured key finds it.
        String masked = SECRET.substring(0, 8) + "**********" + SECRET.substring(SECRET.length() - 4);
        provider.enqueue(Step.jsonStatus(400), Step.write(OpenAiChunks.error(
                "Project of key " + masked + " may not use this model.", "invalid_request_error", "bad_model")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_REJECTED, failed.reason());
        assertTrue(failed.message().contains("may not use this model"), failed::message);
        assertFalse(failed.message().contains(SECRET.substring(0, 8)), failed::message);
        assertFalse(failed.message().contains(SECRET.substring(SECRET.length() - 4) + " "), failed::message);
    }

    @Test
    void a_400_context_length_exceeded_is_its_own_reason_with_the_providers_code() {
        provider.enqueue(Step.jsonStatus(400), Step.write(OpenAiChunks.error(
                "This model's maximum context length is 128000 tokens.", "invalid_request_error",
                "context_length_exceeded")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_CONTEXT_LENGTH, failed.reason());
        assertTrue(!failed.reason().isRetryable());
        assertTrue(failed.message().contains("context_length_exceeded"), failed::message);
        assertTrue(failed.message().contains("maximum context length is 128000 tokens"), failed::message);
    }

    @Test
    void a_400_content_policy_refusal_is_its_own_reason_and_keeps_the_providers_reason() {
        provider.enqueue(Step.jsonStatus(400), Step.write(OpenAiChunks.error(
                "Your request was rejected as a result of our safety system: flagged for violence.",
                "invalid_request_error", "content_policy_violation")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_CONTENT_POLICY, failed.reason());
        assertTrue(failed.message().contains("flagged for violence"), failed::message);
    }

    @ParameterizedTest(name = "HTTP {0} is {1}")
    @CsvSource({
        "400, UPSTREAM_REJECTED",
        "401, UPSTREAM_AUTH",
        "403, UPSTREAM_AUTH",
        "404, UPSTREAM_REJECTED",
        "408, UPSTREAM_TIMEOUT",
        "422, UPSTREAM_REJECTED",
        "429, UPSTREAM_RATE_LIMITED",
        "500, UPSTREAM_UNAVAILABLE",
        "504, UPSTREAM_UNAVAILABLE",
        "529, UPSTREAM_UNAVAILABLE"
    })
    void each_error_status_maps_to_one_close_reason(int status, CloseReason reason) {
        provider.enqueue(Step.jsonStatus(status), Step.write(OpenAiChunks.error("no", "error", "some_code")));

        assertEquals(reason, failure().reason());
    }

    @Test
    void an_error_body_that_is_not_json_is_not_passed_on() {
        provider.enqueue(Step.status(502, "Content-Type", "text/html"),
                Step.write("<html><body><h1>502 Bad Gateway</h1><p>" + SECRET + "</p></body></html>"));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_UNAVAILABLE, failed.reason());
        assertEquals("provider answered HTTP 502", failed.message());
    }

    @Test
    void an_error_body_larger_than_the_capture_limit_still_fails_promptly() {
        provider.enqueue(Step.status(500, "Content-Type", "text/plain"), Step.write("e".repeat(200 * 1024)),
                Step.hang());

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_UNAVAILABLE, failed.reason());
        assertTrue(failed.message().length() < 1_000, failed::message);
    }

    @Test
    void a_refused_connection_is_upstream_unavailable() throws IOException {
        // A socket bound but not listening keeps the port reserved for the whole test, and refuses connections.
        try (SocketChannel reserved = SocketChannel.open()) {
            reserved.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) reserved.getLocalAddress()).getPort();
            OpenAiFixtures.connector(client, URI.create("http://127.0.0.1:" + port), RELAXED)
                    .open(simpleRequest(), listener);

            UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));

            assertEquals(CloseReason.UPSTREAM_UNAVAILABLE, failed.reason());
            assertTrue(failed.message().contains("could not be reached"), failed::message);
        }
    }

    @Test
    void a_connection_closed_before_the_headers_is_upstream_unavailable() {
        provider.enqueue(Step.closeConnection());

        assertEquals(CloseReason.UPSTREAM_UNAVAILABLE, failure().reason());
    }

    @Test
    void a_connection_reset_before_the_headers_is_upstream_unavailable() {
        provider.enqueue(Step.resetConnection());

        assertEquals(CloseReason.UPSTREAM_UNAVAILABLE, failure().reason());
    }

    @Test
    void no_response_at_all_times_out_at_the_first_token_deadline_and_aborts_the_request() {
        provider.enqueue(Step.hang());
        long start = System.nanoTime();

        UpstreamOutcome.Failed failed = failureWith(SHORT_FIRST_TOKEN);

        long elapsedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals(CloseReason.UPSTREAM_TIMEOUT, failed.reason());
        assertTrue(failed.message().contains("first token"), failed::message);
        // Not before the deadline; how long after it depends on the machine, so only the lower bound is checked.
        assertTrue(elapsedMs >= 250, () -> "timed out after " + elapsedMs + " ms, before the deadline");
        assertEquals(Exchange.Ending.CLIENT_DISCONNECTED, provider.takeExchange(WAIT).awaitEnding(WAIT));
    }

    @Test
    void headers_without_a_first_token_time_out() {
        provider.enqueue(Step.sseHeaders(), Step.commit(), Step.hang());

        UpstreamOutcome.Failed failed = failureWith(SHORT_FIRST_TOKEN);

        assertEquals(CloseReason.UPSTREAM_TIMEOUT, failed.reason());
        assertEquals(List.of(RecordingListener.end(failed)), listener.transcript());
    }

    @Test
    void a_role_chunk_is_not_a_first_token() {
        provider.enqueue(Step.sseHeaders(), data(OpenAiChunks.role()), Step.hang());

        UpstreamOutcome.Failed failed = failureWith(SHORT_FIRST_TOKEN);

        assertEquals(CloseReason.UPSTREAM_TIMEOUT, failed.reason());
        assertTrue(failed.message().contains("first token"), failed::message);
    }

    @Test
    void a_stream_that_stalls_after_some_deltas_fails_with_a_timeout_after_the_deltas() {
        provider.enqueue(Step.sseHeaders(), data(OpenAiChunks.role()), data(content("Once")),
                data(content(" upon")), Step.hang());

        UpstreamOutcome.Failed failed = failureWith(SHORT_IDLE);

        assertEquals(CloseReason.UPSTREAM_TIMEOUT, failed.reason());
        assertEquals(List.of("delta Once", "delta  upon", RecordingListener.end(failed)), listener.transcript());
        assertEquals(Exchange.Ending.CLIENT_DISCONNECTED, provider.takeExchange(WAIT).awaitEnding(WAIT));
    }

    @Test
    void a_slow_first_response_within_the_first_token_deadline_is_not_cut_by_a_shorter_idle_timeout() {
        List<Step> script = new ArrayList<>(List.of(Step.delay(Duration.ofMillis(800))));
        script.addAll(OpenAiChunks.answer(1, "late"));
        provider.enqueue(script);

        OpenAiFixtures.connector(client, provider.baseUri(), SHORT_IDLE).open(simpleRequest(), listener);

        assertEquals("stop", listener.awaitCompletion(WAIT).finishReason());
        assertEquals(List.of("late"), listener.deltaTexts());
    }

    @Test
    void a_slow_first_token_after_the_headers_is_not_cut_by_a_shorter_idle_timeout() {
        List<Step> script = new ArrayList<>(OpenAiChunks.opening());
        script.add(Step.delay(Duration.ofMillis(800)));
        script.addAll(OpenAiChunks.trickleRest(0, 2, Duration.ofMillis(1)));
        provider.enqueue(script);

        OpenAiFixtures.connector(client, provider.baseUri(), SHORT_IDLE).open(simpleRequest(), listener);

        assertEquals("stop", listener.awaitCompletion(WAIT).finishReason());
        assertEquals(OpenAiChunks.numbered(0, 2), listener.deltaTexts());
    }

    @Test
    void a_slow_but_steady_stream_is_not_cut_by_the_deadlines() {
        List<Step> script = new ArrayList<>(List.of(Step.sseHeaders(), data(OpenAiChunks.role())));
        for (int i = 0; i < 16; i++) {
            script.add(Step.delay(Duration.ofMillis(50)));
            script.add(data(content("t" + i)));
        }
        script.add(data(OpenAiChunks.finish("stop")));
        script.add(OpenAiChunks.done());
        provider.enqueue(script);

        // 800 ms in total, longer than either deadline, but no gap is longer than 50 ms.
        OpenAiFixtures.connector(client, provider.baseUri(), new StreamTimeouts(Duration.ofSeconds(2),
                Duration.ofMillis(500), Duration.ofMillis(500))).open(simpleRequest(), listener);

        assertEquals("stop", listener.awaitCompletion(WAIT).finishReason());
        assertEquals(16, listener.deltaTexts().size());
    }

    @Test
    void tight_timeouts_on_a_hanging_provider_still_deliver_exactly_one_end() {
        provider.enqueue(Step.hang());

        assertEquals(CloseReason.UPSTREAM_TIMEOUT, failureWith(TIGHT).reason());
        assertEquals(1, listener.size());
    }
}
