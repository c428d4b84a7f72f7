package dev.switchboard.broker.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Content policy on a relayed Realtime session (the simulator's Realtime endpoint): text and audio transcripts are
 * policed before the client sees them in any frame, a block cuts the answer with {@code content_filter}, and a
 * client item's text is policed before the provider sees it.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayPolicyTest {
    /** The simulator's answers are drawn from a small vocabulary in which "session" is common. */
    private static final Pattern WORD = Pattern.compile("\\bsession\\b", Pattern.CASE_INSENSITIVE);
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        broker = Broker.start(new ConfigLoader(name -> null).parse("""
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                policies:
                  redacting:
                    output:
                      - {detect: regex, name: word, pattern: "(?i)\\\\bsession\\\\b", action: redact,
                         replacement: "[S]"}
                  arguments:
                    output:
                      - {detect: regex, name: days, pattern: '"days":\\d+', action: redact, replacement: '"days":0'}
                  blocking:
                    input: [{detect: keywords, name: codename, words: [nightingale], action: block}]
                    output: [{detect: keywords, name: banned, words: [session], action: block}]
                tenants:
                  redact: {keys: [redact-key], models: ["*"], policy: redacting}
                  block: {keys: [block-key], models: ["*"], policy: blocking}
                  tools: {keys: [tools-key], models: ["*"], policy: arguments}
                """));
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
    }

    private static RealtimeClient connect(String key) throws Exception {
        RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-realtime"), key);
        client.next();
        return client;
    }

    private static List<JsonNode> answer(RealtimeClient client, String modality) throws Exception {
        client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\""
                + modality + "\"]}}");
        client.until("session.updated");
        client.send(RealtimeClient.userMessage("Tell me a long story."));
        client.until("conversation.item.done");
        client.send(RealtimeClient.responseCreate("go", "{\"sim_tokens\":\"150\",\"sim_ttft_ms\":\"0\"}"));
        return client.until("response.done");
    }

    private static String joined(List<JsonNode> frames, String type, String field) {
        StringBuilder out = new StringBuilder();
        frames.stream().filter(f -> f.path("type").asText().equals(type)).forEach(f -> out.append(f.path(field)
                .asText()));
        return out.toString();
    }

    @Test
    void text_is_redacted_in_every_frame_and_the_done_frames_carry_the_policed_text() throws Exception {
        try (RealtimeClient client = connect("redact-key")) {
            List<JsonNode> frames = answer(client, "text");

            String deltas = joined(frames, "response.output_text.delta", "delta");
            assertTrue(deltas.contains("[S]"), "the answer must contain the word for this test to mean anything: "
                    + deltas);
            String responseFrames = frames.stream().filter(f -> f.path("type").asText().startsWith("response."))
                    .map(JsonNode::toString).reduce("", String::concat);
            assertFalse(WORD.matcher(responseFrames).find(), responseFrames);
            assertEquals(deltas, joined(frames, "response.output_text.done", "text"));
            assertEquals("completed", frames.get(frames.size() - 1).path("response").path("status").asText());
        }
    }

    @Test
    void an_audio_answers_transcript_is_redacted() throws Exception {
        try (RealtimeClient client = connect("redact-key")) {
            List<JsonNode> frames = answer(client, "audio");

            String transcript = joined(frames, "response.output_audio_transcript.delta", "delta");
            assertTrue(transcript.contains("[S]"), transcript);
            assertFalse(WORD.matcher(transcript).find(), transcript);
            assertEquals(transcript, joined(frames, "response.output_audio_transcript.done", "transcript"));
            String done = frames.get(frames.size() - 1).toString();
            assertFalse(WORD.matcher(done).find(), done);
        }
    }

    @Test
    void function_call_arguments_are_policed_in_the_deltas_the_done_frame_and_the_item() throws Exception {
        try (RealtimeClient client = connect("tools-key")) {
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"tools\":[{\"type\":"
                    + "\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}]}}");
            client.until("session.updated");
            client.send(RealtimeClient.userMessage("Weather?"));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("go",
                    "{\"sim_tool_call\":\"get_weather\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> frames = client.until("response.done");

            String arguments = joined(frames, "response.function_call_arguments.delta", "delta");
            assertTrue(arguments.endsWith("\"days\":0}"), arguments);
            assertEquals(arguments, joined(frames, "response.function_call_arguments.done", "arguments"));
            String item = frames.stream().filter(f -> f.path("type").asText().equals("response.output_item.done"))
                    .findFirst().orElseThrow().path("item").path("arguments").asText();
            assertEquals(arguments, item);
        }
    }

    @Test
    void a_blocked_word_cuts_the_answer_with_content_filter_and_is_never_sent() throws Exception {
        try (RealtimeClient client = connect("block-key")) {
            List<JsonNode> frames = answer(client, "text");

            JsonNode response = frames.get(frames.size() - 1).path("response");
            assertEquals("incomplete", response.path("status").asText(), frames::toString);
            assertEquals("content_filter", response.path("status_details").path("reason").asText());
            String sent = joined(frames, "response.output_text.delta", "delta");
            assertFalse(sent.toLowerCase(Locale.ROOT).contains("session"), sent);
        }
    }

    @Test
    void a_client_item_with_blocked_text_is_refused_naming_the_rule_and_never_the_text() throws Exception {
        try (RealtimeClient client = connect("block-key")) {
            client.send(RealtimeClient.userMessage("What is Nightingale?"));
            List<JsonNode> frames = client.until(f -> f.path("type").asText().equals("error")
                    || f.path("type").asText().equals("conversation.item.done"));
            JsonNode error = frames.get(frames.size() - 1);

            assertEquals("error", error.path("type").asText(), frames::toString);
            assertEquals("content_policy_violation", error.path("error").path("code").asText());
            assertTrue(error.path("error").path("message").asText().contains("'codename'"), error::toString);
            assertFalse(error.toString().toLowerCase(Locale.ROOT).contains("nightingale"), error::toString);
        }
    }
}
