package dev.switchboard.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
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

/** Fault paths on the Anthropic endpoint: {@code /faults/{spec}/v1/messages}. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AnthropicFaultPathTest {

    private static final Map<String, String> TWENTY = ChatBodies.merge(ChatBodies.FAST, Map.of("sim_tokens", "20"));
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
    void status_529_is_an_overloaded_error() throws Exception {
        ContentResponse response = send("status=529,retry_after=3", AnthropicBodies.messages("hi", true, 10));

        AnthropicMessagesTest.assertAnthropicError(response, 529, "overloaded_error");
        assertEquals("3", response.getHeaders().get(HttpHeader.RETRY_AFTER));
    }

    @Test
    void status_429_is_a_rate_limit_error() throws Exception {
        AnthropicMessagesTest.assertAnthropicError(send("status=429", AnthropicBodies.messages("hi", true, 10)), 429,
                "rate_limit_error");
    }

    @Test
    void context_length_exceeded_is_an_invalid_request_saying_the_prompt_is_too_long() throws Exception {
        ContentResponse response = send("error_code=context_length_exceeded", AnthropicBodies.messages("hi", true, 10));

        AnthropicMessagesTest.assertAnthropicError(response, 400, "invalid_request_error");
        assertTrue(SimulatorHttpClient.json(response).path("error").path("message").asText()
                .startsWith("prompt is too long: "));
    }

    @Test
    void cut_after_sends_that_many_deltas_then_closes_without_closing_events() throws Exception {
        CapturedExchange exchange = CapturedExchange.send(http.postMessages(
                SimulatorHttpClient.faultBase(simulator, "cut_after=4"),
                AnthropicBodies.messages("Cut", true, 1024).toString(), TWENTY));

        exchange.awaitFailure();

        AnthropicStream stream = AnthropicStream.parse(exchange.body());
        assertEquals(List.of("message_start", "content_block_start", "ping", "content_block_delta",
                "content_block_delta", "content_block_delta", "content_block_delta"), stream.names());
        await().atMost(Duration.ofSeconds(20)).until(() -> simulator.stats().streamsAborted() == 1);
    }

    @Test
    void no_done_omits_message_stop() throws Exception {
        AnthropicStream stream = AnthropicStream.parse(send("no_done=true", AnthropicBodies.messages("x", true, 1024))
                .getContentAsString());

        List<String> names = stream.names();
        assertEquals("message_delta", names.get(names.size() - 1));
        assertFalse(names.contains("message_stop"));
    }

    @Test
    void inband_error_after_sends_an_overloaded_error_event_and_ends_the_body() throws Exception {
        AnthropicStream stream = AnthropicStream.parse(send("inband_error_after=2",
                AnthropicBodies.messages("x", true, 1024)).getContentAsString());

        assertEquals(List.of("message_start", "content_block_start", "ping", "content_block_delta",
                "content_block_delta", "error"), stream.names());
        assertEquals("overloaded_error", stream.first("error").path("error").path("type").asText());
    }

    @Test
    void malformed_at_adds_one_broken_event_and_loses_no_delta() throws Exception {
        String body = send("malformed_at=1", AnthropicBodies.messages("x", true, 1024)).getContentAsString();
        String healthy = AnthropicStream.parse(http.postMessages(simulator.baseUri(),
                AnthropicBodies.messages("x", true, 1024).toString(), TWENTY).send().getContentAsString()).text();

        String broken = AnthropicEventEncoder.MALFORMED_EVENT;
        assertEquals(1, body.split(java.util.regex.Pattern.quote(broken), -1).length - 1);
        assertEquals(healthy, AnthropicStream.parse(body.replace(broken, "")).text());
    }

    @Test
    void reject_prefill_refuses_a_final_assistant_message() throws Exception {
        ObjectNode body = AnthropicBodies.messages("Continue", true, 10);
        AnthropicBodies.messagesOf(body).addObject().put("role", "assistant").put("content", "Partial");

        ContentResponse response = send("reject_prefill=true", body);

        AnthropicMessagesTest.assertAnthropicError(response, 400, "invalid_request_error");
        assertTrue(SimulatorHttpClient.json(response).path("error").path("message").asText().contains("prefill"));
    }

    @Test
    void a_bad_spec_is_an_anthropic_400_naming_the_key() throws Exception {
        ContentResponse response = send("stall_after=soon", AnthropicBodies.messages("x", true, 10));

        AnthropicMessagesTest.assertAnthropicError(response, 400, "invalid_request_error");
        assertTrue(SimulatorHttpClient.json(response).path("error").path("message").asText()
                .contains("faults.stall_after"));
    }

    private ContentResponse send(String spec, ObjectNode body) throws Exception {
        return http.postMessages(SimulatorHttpClient.faultBase(simulator, spec), body.toString(), TWENTY).send();
    }
}
