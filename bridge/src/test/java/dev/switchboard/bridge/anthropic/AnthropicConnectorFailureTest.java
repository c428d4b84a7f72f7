package dev.switchboard.bridge.anthropic;

import static dev.switchboard.bridge.anthropic.AnthropicEvents.error;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.messageStart;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.opening;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.steps;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.text;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.textBlockStart;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.RELAXED;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.SECRET;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.WAIT;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.assertNoSecret;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.simpleRequest;
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
 * How Anthropic's failures become outcomes: HTTP errors in Anthropic's error shape, unreachable providers and
 * timeouts. Every failure is also checked for the provider key, which must never reach an outcome.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AnthropicConnectorFailureTest {
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
    void stopProvider() {
        provider.close();
    }

    private UpstreamOutcome.Failed failureWith(StreamTimeouts timeouts) {
        AnthropicFixtures.connector(client, provider.baseUri(), timeouts).open(simpleRequest(), listener);
        return assertNoSecret(listener.awaitFailure(WAIT));
    }

    private UpstreamOutcome.Failed failure() {
        return failureWith(RELAXED);
    }

    @Test
    void a_429_with_retry_after_is_rate_limited_with_the_delay_and_the_providers_message() {
        provider.enqueue(Step.jsonStatus(429, "retry-after", "7"), Step.write(error("rate_limit_error",
                "This request would exceed the rate limit for your organization of 50,000 input tokens per minute.")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_RATE_LIMITED, failed.reason());
        assertEquals(Optional.of(Duration.ofSeconds(7)), failed.retryAfter());
        assertEquals("provider answered HTTP 429: This request would exceed the rate limit for your organization "
                + "of 50,000 input tokens per minute. (rate_limit_error)", failed.message());
        assertEquals(List.of(RecordingListener.end(failed)), listener.transcript());
    }

    @Test
    void a_retry_after_that_is_not_a_number_of_seconds_is_left_out() {
        provider.enqueue(Step.jsonStatus(429, "retry-after", "Wed, 21 Oct 2037 07:28:00 GMT"),
                Step.write(error("rate_limit_error", "slow down")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_RATE_LIMITED, failed.reason());
        assertEquals(Optional.empty(), failed.retryAfter());
    }

    @Test
    void a_529_overloaded_is_upstream_unavailable_and_retryable() {
        provider.enqueue(Step.jsonStatus(529), Step.write(error("overloaded_error", "Overloaded")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_UNAVAILABLE, failed.reason());
        assertTrue(failed.reason().isRetryable());
        assertEquals("provider answered HTTP 529: Overloaded (overloaded_error)", failed.message());
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {500, 502, 503, 504})
    void a_server_error_is_upstream_unavailable(int status) {
        provider.enqueue(Step.jsonStatus(status), Step.write(error("api_error", "Internal server error")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_UNAVAILABLE, failed.reason());
        assertTrue(failed.message().contains("HTTP " + status), failed::message);
        assertTrue(failed.message().contains("Internal server error (api_error)"), failed::message);
    }

    @Test
    void a_401_is_an_auth_failure_whose_provider_text_reaches_only_the_log_redacted() {
        provider.enqueue(Step.jsonStatus(401, "WWW-Authenticate", "x-api-key"),
                Step.write(error("authentication_error", "invalid x-api-key: " + SECRET)));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_AUTH, failed.reason());
        assertFalse(failed.reason().isRetryable());
        // Issue 10: the tenant is told the broker's credentials were refused, never what the provider said.
        assertTrue(failed.message().startsWith("provider answered HTTP 401: the provider refused the broker's "
                + "credentials"), failed::message);
        assertFalse(failed.message().contains("x-api-key"), failed::message);
        assertEquals("invalid x-api-key: [redacted] (authentication_error)", failed.providerDetail().orElseThrow());
    }

    @Test
    void a_key_echoed_in_a_long_message_is_redacted_before_the_message_is_clipped() {
        // The key straddles the 300-character clip: redacting after clipping would leave its prefix behind.
        String message = "word ".repeat(58) + SECRET + " " + "y ".repeat(100);
        provider.enqueue(Step.jsonStatus(400), Step.write(error("invalid_request_error", message)));

        UpstreamOutcome.Failed failed = failure();

        assertFalse(failed.message().contains(SECRET.substring(0, 8)), failed::message);
        assertTrue(failed.message().length() < 400, failed::message);
    }

    @Test
    void a_400_prompt_too_long_is_a_context_length_refusal() {
        provider.enqueue(Step.jsonStatus(400), Step.write(error("invalid_request_error",
                "prompt is too long: 200001 tokens > 200000 maximum")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_CONTEXT_LENGTH, failed.reason());
        assertFalse(failed.reason().isRetryable());
        assertTrue(failed.message().contains("prompt is too long: 200001 tokens > 200000 maximum"), failed::message);
    }

    @Test
    void a_400_whose_input_and_max_tokens_exceed_the_context_limit_is_a_context_length_refusal() {
        provider.enqueue(Step.jsonStatus(400), Step.write(error("invalid_request_error",
                "input length and `max_tokens` exceed context limit: 197626 + 8192 > 200000, decrease input length "
                        + "or `max_tokens` and try again")));

        assertEquals(CloseReason.UPSTREAM_CONTEXT_LENGTH, failure().reason());
    }

    @Test
    void a_400_content_policy_refusal_is_its_own_reason_and_keeps_the_providers_reason() {
        provider.enqueue(Step.jsonStatus(400), Step.write(error("invalid_request_error",
                "Your request was rejected because it was flagged by the content policy: violence.")));

        UpstreamOutcome.Failed failed = failure();

        assertEquals(CloseReason.UPSTREAM_CONTENT_POLICY, failed.reason());
        assertTrue(failed.message().contains("flagged by the content policy: violence."), failed::message);
    }

    @Test
    void output_blocked_by_the_content_filtering_policy_is_a_content_policy_refusal() {
        provider.enqueue(Step.jsonStatus(400),
                Step.write(error("invalid_request_error", "Output blocked by content filtering policy")));

        assertEquals(CloseReason.UPSTREAM_CONTENT_POLICY, failure().reason());
    }

    @ParameterizedTest(name = "HTTP {0} {1} is {2}")
    @CsvSource({
        "400, invalid_request_error, UPSTREAM_REJECTED",
        "401, authentication_error, UPSTREAM_AUTH",
        "402, billing_error, UPSTREAM_REJECTED",
        "403, permission_error, UPSTREAM_AUTH",
        "404, not_found_error, UPSTREAM_REJECTED",
        "408, invalid_request_error, UPSTREAM_TIMEOUT",
        "413, request_too_large, UPSTREAM_REJECTED",
        "429, rate_limit_error, UPSTREAM_RATE_LIMITED",
        "500, api_error, UPSTREAM_UNAVAILABLE",
        "529, overloaded_error, UPSTREAM_UNAVAILABLE"
    })
    void each_error_status_maps_to_one_close_reason(int status, String type, CloseReason reason) {
        provider.enqueue(Step.jsonStatus(status, "WWW-Authenticate", "x-api-key"), Step.write(error(type, "no")));

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
    void a_refused_connection_is_upstream_unavailable() throws IOException {
        // A socket bound but not listening keeps the port reserved for the whole test, and refuses connections.
        try (SocketChannel reserved = SocketChannel.open()) {
            reserved.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) reserved.getLocalAddress()).getPort();
            AnthropicFixtures.connector(client, URI.create("http://127.0.0.1:" + port), RELAXED)
                    .open(simpleRequest(), listener);

            UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));

            assertEquals(CloseReason.UPSTREAM_UNAVAILABLE, failed.reason());
            assertTrue(failed.message().contains("could not be reached"), failed::message);
        }
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
    void message_start_a_block_start_and_pings_without_a_token_are_no_first_token() {
        provider.enqueue(Step.sseHeaders(), messageStart(3), textBlockStart(0), AnthropicEvents.ping(),
                AnthropicEvents.ping(), Step.hang());

        UpstreamOutcome.Failed failed = failureWith(SHORT_FIRST_TOKEN);

        assertEquals(CloseReason.UPSTREAM_TIMEOUT, failed.reason());
        assertTrue(failed.message().contains("first token"), failed::message);
        assertEquals(List.of(RecordingListener.end(failed)), listener.transcript());
    }

    @Test
    void a_stream_that_stalls_after_some_deltas_fails_with_a_timeout_after_the_deltas() {
        provider.enqueue(steps(opening(3), text("Once"), text(" upon"), Step.hang()));

        UpstreamOutcome.Failed failed = failureWith(SHORT_IDLE);

        assertEquals(CloseReason.UPSTREAM_TIMEOUT, failed.reason());
        assertTrue(failed.message().contains("stalled"), failed::message);
        assertEquals(List.of("delta Once", "delta  upon", RecordingListener.end(failed)), listener.transcript());
        assertEquals(Exchange.Ending.CLIENT_DISCONNECTED, provider.takeExchange(WAIT).awaitEnding(WAIT));
    }

    @Test
    void pings_keep_a_stream_alive_and_the_silence_after_them_is_a_stall() {
        // Pings are provider bytes, so they reset the idle clock; a stream of nothing but pings goes on. This
        // pins that behaviour down: only silence, not the absence of tokens, is a stall once streaming.
        List<Step> script = steps(opening(3), text("Once"));
        for (int i = 0; i < 4; i++) {
            script.add(Step.delay(Duration.ofMillis(100)));
            script.add(AnthropicEvents.ping());
        }
        script.add(Step.hang());
        provider.enqueue(script);
        long start = System.nanoTime();

        UpstreamOutcome.Failed failed = failureWith(SHORT_IDLE);

        long elapsedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals(CloseReason.UPSTREAM_TIMEOUT, failed.reason());
        assertTrue(elapsedMs >= 600, () -> "stalled after " + elapsedMs + " ms, before the pings stopped");
        assertEquals(List.of("Once"), listener.deltaTexts());
    }
}
