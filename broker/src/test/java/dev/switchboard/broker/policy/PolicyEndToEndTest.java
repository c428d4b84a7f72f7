package dev.switchboard.broker.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Content policy through the real server: output policed before the client sees it (WebSocket and SSE), a block
 * ending the answer with {@code content_filter}, input redacted before the provider sees it or refused, and a
 * resume replaying only the policed stream.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PolicyEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static ScriptedChat provider;
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        provider = new ScriptedChat();
        BrokerConfig config = new ConfigLoader(name -> null).parse("""
                listen: {host: 127.0.0.1, port: 0}
                providers:
                  scripted: {kind: openai, base_url: "%s"}
                models:
                  chat: {route: [scripted/any-model]}
                policies:
                  standard:
                    input:
                      - {detect: pii, types: [email], action: redact}
                      - {detect: regex, name: codename, pattern: "(?i)project\\\\s+nightingale", action: block}
                    output:
                      - {detect: pii, types: [email], action: redact}
                      - {detect: keywords, name: banned, words: [verboten], action: block}
                tenants:
                  acme: {keys: [acme-key], models: ["*"], policy: standard}
                """.formatted(provider.baseUri()));
        broker = Broker.start(config);
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
        provider.close();
    }

    private static RealtimeClient connect(String query) throws Exception {
        return RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?" + query),
                "acme-key");
    }

    private static List<JsonNode> ask(RealtimeClient client, String text) throws Exception {
        client.send(RealtimeClient.userMessage(text));
        client.send("{\"type\":\"response.create\",\"event_id\":\"ask\"}");
        return client.until(f -> f.path("type").asText().equals("response.done")
                || f.path("type").asText().equals("error"));
    }

    private static String deltas(List<JsonNode> frames) {
        return frames.stream().filter(f -> f.path("type").asText().equals("response.output_text.delta"))
                .map(f -> f.path("delta").asText()).collect(Collectors.joining("|"));
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }

    @Test
    void an_email_split_over_three_deltas_reaches_the_client_redacted_and_a_resume_replays_it_redacted()
            throws Exception {
        provider.answer("Write to jane.do", "e@exam", "ple.com today.");
        RealtimeClient client = connect("model=chat");
        String token = client.next().path("resume_token").asText();
        List<JsonNode> frames = ask(client, "Who do I write to?");

        String sent = deltas(frames);
        assertEquals("Write to [EMAIL] today.", sent.replace("|", ""));
        assertFalse(sent.contains("jane") || sent.contains("exam") || sent.contains("ple.com"), sent);
        JsonNode done = last(frames);
        assertEquals("completed", done.path("response").path("status").asText());
        assertEquals("Write to [EMAIL] today.", frames.stream()
                .filter(f -> f.path("type").asText().equals("response.output_text.done")).findFirst().orElseThrow()
                .path("text").asText());
        client.session().disconnect();  // a dropped network, not a normal close: the session waits for a resume

        RealtimeClient resumed = connect("resume_token=" + token + "&last_seq=0");
        assertEquals("session.resumed", resumed.next().path("type").asText());
        List<JsonNode> replayed = resumed.until("response.done");
        assertFalse(replayed.toString().contains("jane"), "the replay log holds only the policed stream");
        assertEquals("Write to [EMAIL] today.", deltas(replayed).replace("|", ""));
        resumed.close();
    }

    @Test
    void a_blocked_word_mid_answer_ends_the_response_with_content_filter_and_none_of_it_is_sent() throws Exception {
        provider.answer("All is fine, but verb", "oten things", " follow.");
        RealtimeClient client = connect("model=chat");
        client.next();
        List<JsonNode> frames = ask(client, "Go on.");

        assertEquals("All is fine, but ", deltas(frames).replace("|", ""));
        JsonNode response = last(frames).path("response");
        assertEquals("incomplete", response.path("status").asText());
        assertEquals("content_filter", response.path("status_details").path("reason").asText());
        assertFalse(frames.toString().contains("verb"), frames::toString);
        client.close();
    }

    @Test
    void over_sse_a_blocked_word_ends_the_stream_with_finish_reason_content_filter() throws Exception {
        provider.answer("All is fine, but verb", "oten things", " follow.");
        HttpResponse<String> answer = chat("{\"model\":\"chat\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Go on.\"}]}");

        assertEquals(200, answer.statusCode());
        assertFalse(answer.body().contains("verb"), answer.body());
        assertTrue(answer.body().contains("\"finish_reason\":\"content_filter\""), answer.body());
    }

    @Test
    void input_email_is_redacted_before_the_provider_receives_it() throws Exception {
        provider.answer("Noted.");
        RealtimeClient client = connect("model=chat");
        client.next();
        drainBodies();
        List<JsonNode> frames = ask(client, "Mail me at jane@example.com please.");

        assertEquals("completed", last(frames).path("response").path("status").asText());
        String body = provider.nextBody();
        assertTrue(body.contains("Mail me at [EMAIL] please."), body);
        assertFalse(body.contains("jane@example.com"), body);
        client.close();
    }

    @Test
    void blocked_input_is_refused_naming_the_rule_and_never_the_text_on_websocket_and_http() throws Exception {
        RealtimeClient client = connect("model=chat");
        client.next();
        List<JsonNode> frames = ask(client, "Tell me about Project Nightingale.");

        JsonNode error = last(frames).path("error");
        assertEquals("content_policy_violation", error.path("code").asText(), frames::toString);
        assertTrue(error.path("message").asText().contains("'codename'"), error::toString);
        assertFalse(error.toString().toLowerCase().contains("nightingale"), error::toString);
        client.close();

        HttpResponse<String> http = chat("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Tell me about project nightingale.\"}]}");
        assertEquals(400, http.statusCode(), http.body());
        JsonNode body = JSON.readTree(http.body()).path("error");
        assertEquals("content_policy_violation", body.path("code").asText());
        assertFalse(body.toString().toLowerCase().contains("nightingale"), body::toString);
    }

    private static void drainBodies() {
        // Bodies of earlier tests' requests: this test looks only at the next one.
        try {
            while (true) {
                provider.nextBodyNow();
            }
        } catch (IllegalStateException empty) {
            // drained
        }
    }

    private static HttpResponse<String> chat(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.port()
                        + "/v1/chat/completions")).header("Authorization", "Bearer acme-key")
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
