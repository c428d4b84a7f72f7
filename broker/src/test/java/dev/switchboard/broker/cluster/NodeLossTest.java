package dev.switchboard.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.BrokerProcess;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * A node killed with SIGKILL mid-answer (issue 17): its client resumes on another node, gets every event it missed
 * and the rest of the answer, continued there, with seq contiguous, nothing repeated, and the text of an
 * uninterrupted run of the same deterministic request.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NodeLossTest {
    private static final String QUESTION = "Tell me a long story about a lighthouse keeper.";
    private static final String KNOBS = "{\"sim_tokens\":\"60\",\"sim_ttft_ms\":\"20\",\"sim_tokens_per_second\":\"40\"}";

    private ClusterNodes cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = ClusterNodes.start();
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void a_client_of_a_killed_node_resumes_on_another_and_receives_the_complete_answer_continued_there()
            throws Exception {
        BrokerProcess a = cluster.node("a");
        BrokerProcess b = cluster.node("b");
        String expected = reference(b);

        RealtimeClient first = cluster.connect(a);
        String token = first.next().path("resume_token").asText();
        first.send(RealtimeClient.userMessage(QUESTION));
        first.until("conversation.item.done");
        first.send(RealtimeClient.responseCreate("evt_ask", KNOBS));
        int deltas = 0;
        while (deltas < 15) {
            if (first.next().path("type").asText().equals("response.output_text.delta")) {
                deltas++;
            }
        }
        a.process().destroyForcibly();
        assertTrue(a.process().waitFor(10, TimeUnit.SECONDS), "node a did not die");
        first.awaitClose();
        List<JsonNode> before = sequenced(first.received());
        long lastSeq = before.get(before.size() - 1).path("seq").asLong();

        List<JsonNode> all = new ArrayList<>(before);
        all.addAll(resumeUntil(b, token, lastSeq, "response.done"));
        {
            SeqAssert.contiguousFromOne(all);
            List<JsonNode> failovers = ofType(all, "switchboard.response.failover");
            assertEquals(1, failovers.size(), () -> "one failover announced: " + failovers);
            assertEquals("node_lost", failovers.get(0).path("reason").asText());
            assertEquals("continue", failovers.get(0).path("mode").asText());
            assertEquals(expected, text(all));
            JsonNode done = ofType(all, "response.done").get(0);
            assertEquals("completed", done.path("response").path("status").asText(), done::toString);
            assertEquals(1, ofType(all, "response.created").size());
        }
    }

    @Test
    void an_idle_session_of_a_killed_node_goes_on_elsewhere_with_its_conversation() throws Exception {
        BrokerProcess a = cluster.node("a");
        BrokerProcess b = cluster.node("b");
        RealtimeClient first = cluster.connect(a);
        String token = first.next().path("resume_token").asText();
        first.send(RealtimeClient.userMessage("Remember the word lighthouse."));
        first.until("conversation.item.done");
        first.send(RealtimeClient.responseCreate("evt_1", "{\"sim_tokens\":\"5\",\"sim_ttft_ms\":\"0\"}"));
        first.until("response.done");
        a.process().destroyForcibly();
        assertTrue(a.process().waitFor(10, TimeUnit.SECONDS), "node a did not die");
        first.awaitClose();
        List<JsonNode> before = sequenced(first.received());
        long lastSeq = before.get(before.size() - 1).path("seq").asLong();
        // Until node a's heartbeat lapses its session is followed from b; then b takes it over.
        lastSeq = lastSeq(resumeUntil(b, token, lastSeq, "never"), lastSeq);
        try (RealtimeClient second = cluster.resume(b, token, lastSeq)) {
            assertEquals("session.resumed", second.next().path("type").asText());
            second.send(RealtimeClient.responseCreate("evt_2", "{\"sim_tokens\":\"5\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> next = second.until("response.done");
            JsonNode done = next.get(next.size() - 1);
            assertEquals("completed", done.path("response").path("status").asText(), done::toString);
            List<JsonNode> all = new ArrayList<>(before);
            all.addAll(sequenced(second.received()));
            SeqAssert.contiguousFromOne(all);
            // The conversation came along: the second answer's request held the first question and answer, which
            // the simulator reports as the input it was given.
            assertTrue(done.path("response").path("usage").path("input_tokens").asLong()
                    > ofType(before, "response.done").get(0).path("response").path("usage").path("input_tokens")
                    .asLong(), done::toString);
        }
    }

    @Test
    void a_session_taken_over_holds_its_tenants_session_slot_on_its_new_node() throws Exception {
        String oneSession = ", limits: {concurrent_sessions: 1}";
        BrokerProcess a = cluster.node("a", "", oneSession);
        BrokerProcess b = cluster.node("b", "", oneSession);
        RealtimeClient first = cluster.connect(a);
        String token = first.next().path("resume_token").asText();
        a.process().destroyForcibly();
        assertTrue(a.process().waitFor(10, TimeUnit.SECONDS), "node a did not die");
        first.awaitClose();
        // Followed until a's heartbeat lapses, then taken over: the slot a held was reclaimed, b takes it.
        long lastSeq = lastSeq(resumeUntil(b, token, 1, "never"), 1);
        try (RealtimeClient taken = cluster.resume(b, token, lastSeq)) {
            assertEquals("session.resumed", taken.next().path("type").asText());
            Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> cluster.connect(b));
            assertTrue(String.valueOf(refused).contains("429") || String.valueOf(refused.getCause()).contains("429"),
                    () -> "a second session is over the tenant's one: " + refused);
        }
    }

    /**
     * Resumes on {@code node} after {@code lastSeq} until a frame of type {@code last} arrives, as a client does:
     * while the lost node still counts as alive, the session is followed and the client is soon told
     * {@code switchboard.reconnect} (1012), and it resumes again from the last seq it has. Returns the sequenced
     * frames received; with {@code last} "never", stops after the first reconnect.
     */
    private List<JsonNode> resumeUntil(BrokerProcess node, String token, long lastSeq, String last) throws Exception {
        List<JsonNode> got = new ArrayList<>();
        long position = lastSeq;
        for (int attempt = 0; attempt < 5; attempt++) {
            try (RealtimeClient client = cluster.resume(node, token, position)) {
                JsonNode resumed = client.next();
                assertEquals("session.resumed", resumed.path("type").asText(), resumed::toString);
                List<JsonNode> frames = client.until(f -> f.path("type").asText().equals(last)
                        || f.path("type").asText().equals("switchboard.reconnect"));
                got.addAll(sequenced(frames));
                if (frames.get(frames.size() - 1).path("type").asText().equals(last)) {
                    return got;
                }
                assertEquals(1012, client.awaitClose());
                position = lastSeq(got, position);
                if (last.equals("never")) {
                    return got;
                }
            }
        }
        throw new AssertionError("no " + last + " after 5 resumes");
    }

    private static long lastSeq(List<JsonNode> frames, long otherwise) {
        return frames.isEmpty() ? otherwise : frames.get(frames.size() - 1).path("seq").asLong();
    }

    private String reference(BrokerProcess node) throws Exception {
        try (RealtimeClient client = cluster.connect(node)) {
            client.next();
            client.send(RealtimeClient.userMessage(QUESTION));
            client.until("conversation.item.done");
            client.send(RealtimeClient.responseCreate("evt_ref", KNOBS));
            return text(client.until("response.done"));
        }
    }

    static List<JsonNode> sequenced(List<JsonNode> frames) {
        return frames.stream().filter(f -> f.has("seq") && f.path("seq").asLong() > 0).collect(Collectors.toList());
    }

    static List<JsonNode> ofType(List<JsonNode> frames, String type) {
        return frames.stream().filter(f -> f.path("type").asText().equals(type)).collect(Collectors.toList());
    }

    static String text(List<JsonNode> frames) {
        return ofType(frames, "response.output_text.delta").stream().map(f -> f.path("delta").asText())
                .collect(Collectors.joining());
    }
}
