package dev.switchboard.broker.cluster;

import static dev.switchboard.broker.cluster.NodeLossTest.ofType;
import static dev.switchboard.broker.cluster.NodeLossTest.sequenced;
import static dev.switchboard.broker.cluster.NodeLossTest.text;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.BrokerProcess;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Resuming on another node while the owner lives, and a drain that hands sessions over (issue 17): two broker
 * processes and a real Redis.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CrossNodeResumeTest {
    private static final String SLOW = "{\"sim_tokens\":\"200\",\"sim_ttft_ms\":\"20\",\"sim_tokens_per_second\":\"40\"}";
    private static final String MEDIUM = "{\"sim_tokens\":\"80\",\"sim_ttft_ms\":\"20\",\"sim_tokens_per_second\":\"40\"}";
    private static final String SHORT = "{\"sim_tokens\":\"30\",\"sim_ttft_ms\":\"10\",\"sim_tokens_per_second\":\"200\"}";

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
    void a_session_of_a_live_node_resumes_on_another_which_serves_it_and_a_cancel_there_stops_the_answer()
            throws Exception {
        BrokerProcess a = cluster.node("a");
        BrokerProcess b = cluster.node("b");
        RealtimeClient first = cluster.connect(a);
        String token = first.next().path("resume_token").asText();
        first.send(RealtimeClient.userMessage("Tell me a very long story."));
        first.until("conversation.item.done");
        first.send(RealtimeClient.responseCreate("evt_ask", SLOW));
        first.until(f -> f.path("type").asText().equals("response.output_text.delta"));
        List<JsonNode> before = sequenced(first.received());
        long lastSeq = before.get(before.size() - 1).path("seq").asLong();

        try (RealtimeClient second = cluster.resume(b, token, lastSeq)) {
            assertEquals("session.resumed", second.next().path("type").asText());
            // The owner stops writing to its own connection: it is closed as taken over.
            assertEquals(4009, first.awaitClose());
            second.until(f -> f.path("type").asText().equals("response.output_text.delta"));
            second.send("{\"type\":\"response.cancel\",\"event_id\":\"evt_cancel\"}");
            List<JsonNode> rest = second.until("response.done");
            JsonNode done = rest.get(rest.size() - 1);
            assertEquals("cancelled", done.path("response").path("status").asText(), done::toString);
            List<JsonNode> all = new ArrayList<>(before);
            all.addAll(sequenced(second.received()));
            SeqAssert.contiguousFromOne(all);
            assertTrue(ofType(all, "response.output_text.delta").size() < 200, "the answer stopped early");
            // The session lives on at its owner: a new response asked on b is answered through a.
            second.send(RealtimeClient.responseCreate("evt_again", SHORT));
            List<JsonNode> again = second.until("response.done");
            assertEquals("completed", again.get(again.size() - 1).path("response").path("status").asText());
            // (The simulator continues the cancelled answer, which ends the conversation: fewer than 30 tokens.)
            assertTrue(!ofType(again, "response.output_text.delta").isEmpty(), again::toString);
            all = new ArrayList<>(before);
            all.addAll(sequenced(second.received()));
            SeqAssert.contiguousFromOne(all);
        }
    }

    @Test
    void a_drained_node_hands_its_sessions_over_and_they_resume_at_once_on_another_with_their_conversation()
            throws Exception {
        BrokerProcess a = cluster.node("a", "drain: {timeout: 20s}\n");
        BrokerProcess b = cluster.node("b");
        RealtimeClient first = cluster.connect(a);
        String token = first.next().path("resume_token").asText();
        first.send(RealtimeClient.userMessage("Remember the word harbour."));
        first.until("conversation.item.done");
        first.send(RealtimeClient.responseCreate("evt_1", SHORT));
        String firstAnswer = text(first.until("response.done"));

        a.process().destroy();
        JsonNode reconnect = first.until("switchboard.reconnect").get(0);
        assertEquals(1012, first.awaitClose());
        assertTrue(a.process().waitFor(20, TimeUnit.SECONDS), "node a exits after its drain");
        List<JsonNode> before = sequenced(first.received());
        assertEquals(before.get(before.size() - 1).path("seq").asLong(), reconnect.path("last_seq").asLong());

        try (RealtimeClient second = cluster.resume(b, token, reconnect.path("last_seq").asLong())) {
            assertEquals("session.resumed", second.next().path("type").asText());
            second.send(RealtimeClient.responseCreate("evt_2", SHORT));
            List<JsonNode> next = second.until("response.done");
            JsonNode done = next.get(next.size() - 1);
            assertEquals("completed", done.path("response").path("status").asText(), done::toString);
            List<JsonNode> all = new ArrayList<>(before);
            all.addAll(sequenced(second.received()));
            SeqAssert.contiguousFromOne(all);
            assertTrue(!firstAnswer.isEmpty());
            assertTrue(done.path("response").path("usage").path("input_tokens").asLong()
                    > ofType(before, "response.done").get(0).path("response").path("usage").path("input_tokens")
                    .asLong(), "the conversation came along: " + done);
        }
    }

    @Test
    void a_client_of_a_draining_node_moves_at_once_mid_answer_and_gets_the_whole_answer_from_the_other_node()
            throws Exception {
        BrokerProcess a = cluster.node("a", "drain: {timeout: 20s}\n");
        BrokerProcess b = cluster.node("b");
        String question = "Tell me about the harbour at night.";
        String expected;
        try (RealtimeClient reference = cluster.connect(b)) {
            reference.next();
            reference.send(RealtimeClient.userMessage(question));
            reference.until("conversation.item.done");
            reference.send(RealtimeClient.responseCreate("evt_ref", MEDIUM));
            expected = text(reference.until("response.done"));
        }
        RealtimeClient first = cluster.connect(a);
        String token = first.next().path("resume_token").asText();
        first.send(RealtimeClient.userMessage(question));
        first.until("conversation.item.done");
        first.send(RealtimeClient.responseCreate("evt_ask", MEDIUM));
        first.until(f -> f.path("type").asText().equals("response.output_text.delta"));

        a.process().destroy();
        // Told at once, mid-answer: the answer goes on at node a while the client is served by node b.
        List<JsonNode> beforeReconnect = first.until("switchboard.reconnect");
        assertTrue(ofType(beforeReconnect, "response.done").isEmpty(), "the client moved before the answer ended");
        assertEquals(1012, first.awaitClose());
        List<JsonNode> all = new ArrayList<>(sequenced(first.received()));
        long lastSeq = all.get(all.size() - 1).path("seq").asLong();
        try (RealtimeClient second = cluster.resume(b, token, lastSeq)) {
            assertEquals("session.resumed", second.next().path("type").asText());
            second.until("response.done");
            // Once idle, node a hands the session over: the client is told to resume once more, and b takes it.
            JsonNode again = second.until("switchboard.reconnect").get(0);
            assertEquals(1012, second.awaitClose());
            all.addAll(sequenced(second.received()));
            assertEquals(all.get(all.size() - 1).path("seq").asLong(), again.path("last_seq").asLong());
        }
        assertTrue(a.process().waitFor(20, TimeUnit.SECONDS), "node a exits once it has handed its session over");
        try (RealtimeClient third = cluster.resume(b, token, all.get(all.size() - 1).path("seq").asLong())) {
            assertEquals("session.resumed", third.next().path("type").asText());
            third.send(RealtimeClient.responseCreate("evt_next", SHORT));
            List<JsonNode> next = third.until("response.done");
            assertEquals("completed", next.get(next.size() - 1).path("response").path("status").asText());
            all.addAll(sequenced(third.received()));
        }
        SeqAssert.contiguousFromOne(all);
        List<JsonNode> dones = ofType(all, "response.done");
        assertEquals("completed", dones.get(0).path("response").path("status").asText(), dones.get(0)::toString);
        assertEquals(expected, dones.get(0).path("response").path("output").get(0).path("content").get(0)
                .path("text").asText());
    }

    @Test
    void a_relayed_session_is_served_from_another_node_while_its_owner_lives_and_refused_once_it_is_lost()
            throws Exception {
        BrokerProcess a = cluster.node("a");
        BrokerProcess b = cluster.node("b");
        RealtimeClient first = cluster.connect(a, "sim-realtime");
        String token = first.until("session.created").get(0).path("resume_token").asText();
        List<JsonNode> before = sequenced(first.received());
        long lastSeq = before.get(before.size() - 1).path("seq").asLong();
        first.session().disconnect();
        try (RealtimeClient second = cluster.resume(b, token, lastSeq)) {
            assertEquals("session.resumed", second.next().path("type").asText());
            second.send(RealtimeClient.userMessage("Hello over there."));
            second.send(RealtimeClient.responseCreate("evt_relay", "{}"));
            List<JsonNode> answer = second.until("response.done");
            assertEquals("completed", answer.get(answer.size() - 1).path("response").path("status").asText(),
                    () -> answer.get(answer.size() - 1).toString());
            List<JsonNode> all = new ArrayList<>(before);
            all.addAll(sequenced(second.received()));
            SeqAssert.contiguousFromOne(all);
            lastSeq = all.get(all.size() - 1).path("seq").asLong();
            a.process().destroyForcibly();
            assertTrue(a.process().waitFor(10, TimeUnit.SECONDS));
            // The owner is lost: the follower tells its client to reconnect...
            second.until("switchboard.reconnect");
            assertEquals(1012, second.awaitClose());
        }
        // ... and the relayed conversation, which lived in the lost node's provider connection, cannot go on.
        try (RealtimeClient third = cluster.resume(b, token, lastSeq)) {
            JsonNode refused = third.next();
            assertEquals("session_lost", refused.path("error").path("code").asText(), refused::toString);
            assertEquals(4410, third.awaitClose());
        }
    }

    @Test
    void a_draining_node_moves_the_clients_it_serves_for_another_node_and_they_go_on_at_the_owner() throws Exception {
        BrokerProcess a = cluster.node("a");
        BrokerProcess b = cluster.node("b", "drain: {timeout: 20s}\n");
        RealtimeClient first = cluster.connect(a);
        String token = first.next().path("resume_token").asText();
        first.session().disconnect();
        List<JsonNode> all = new ArrayList<>(sequenced(first.received()));
        RealtimeClient second = cluster.resume(b, token, 1);
        assertEquals("session.resumed", second.next().path("type").asText());
        b.process().destroy();
        JsonNode reconnect = second.until("switchboard.reconnect").get(0);
        assertEquals(1012, second.awaitClose());
        assertTrue(b.process().waitFor(20, TimeUnit.SECONDS), "node b exits once its clients have moved");
        try (RealtimeClient third = cluster.resume(a, token, reconnect.path("last_seq").asLong())) {
            assertEquals("session.resumed", third.next().path("type").asText());
            third.send(RealtimeClient.userMessage("Still there?"));
            third.send(RealtimeClient.responseCreate("evt_back", SHORT));
            List<JsonNode> answer = third.until("response.done");
            assertEquals("completed", answer.get(answer.size() - 1).path("response").path("status").asText());
            all.addAll(sequenced(second.received()));
            all.addAll(sequenced(third.received()));
            SeqAssert.contiguousFromOne(all);
        }
    }

    @Test
    void a_session_ended_on_its_node_cannot_be_resumed_anywhere() throws Exception {
        BrokerProcess a = cluster.node("a");
        BrokerProcess b = cluster.node("b");
        RealtimeClient first = cluster.connect(a);
        String token = first.next().path("resume_token").asText();
        first.close();
        // The end is mirrored as a mark on the session's record, which every node checks before a resume.
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.redis.command("HGET sb:s:" + sessionId(token)
                + " ended").startsWith("$1"));
        try (RealtimeClient second = cluster.resume(b, token, 1)) {
            JsonNode refused = second.next();
            assertEquals("resume_token_expired", refused.path("error").path("code").asText(), refused::toString);
            assertEquals(4410, second.awaitClose());
        }
    }

    private static String sessionId(String token) {
        String payload = token.substring(4, token.lastIndexOf('.'));
        String decoded = new String(java.util.Base64.getUrlDecoder().decode(payload),
                java.nio.charset.StandardCharsets.UTF_8);
        return decoded.substring(decoded.indexOf('\n') + 1);
    }
}
