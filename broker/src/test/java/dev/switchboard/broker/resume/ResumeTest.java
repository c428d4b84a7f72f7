package dev.switchboard.broker.resume;

import static dev.switchboard.broker.resume.ResumeBroker.LONG;
import static dev.switchboard.broker.resume.ResumeBroker.ask;
import static dev.switchboard.broker.resume.ResumeBroker.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resume through the real server: a client drops its connection at some point of a streaming answer, reconnects
 * with its token and last seq, and must end up with exactly the events of an uninterrupted session.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ResumeTest {
    private static ResumeBroker broker;
    private static String reference;

    @BeforeAll
    static void start() throws Exception {
        broker = ResumeBroker.start("");
        try (RealtimeClient client = broker.connect("dev-key")) {
            client.next();
            ask(client, "Tell me a long story.", LONG);
            reference = text(client.until("response.done"));
        }
        assertTrue(reference.length() > 300, "the reference answer is long enough to cut anywhere");
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    /** A client's view of one session across connections: every sequenced frame it processed, in order. */
    private static final class Survivor {
        final List<JsonNode> seen = new ArrayList<>();
        String token;
        RealtimeClient connection;

        long lastSeq() {
            return seen.isEmpty() ? 0 : seen.get(seen.size() - 1).path("seq").asLong();
        }

        /** Reads until {@code deltas} more text deltas arrived (or response.done), recording each frame. */
        boolean readDeltas(int deltas) throws InterruptedException {
            int count = 0;
            while (true) {
                JsonNode frame = connection.next();
                record(frame);
                String type = frame.path("type").asText();
                if (type.equals("response.done")) {
                    return true;
                }
                if (type.equals("response.output_text.delta") && ++count >= deltas) {
                    return false;
                }
            }
        }

        /** Asks for the long answer on the current connection, recording the item events on the way. */
        void ask() throws InterruptedException {
            connection.send(RealtimeClient.userMessage("Tell me a long story."));
            connection.until("conversation.item.done").forEach(this::record);
            connection.send(RealtimeClient.responseCreate("go", LONG));
        }

        void record(JsonNode frame) {
            if (frame.has("seq")) {
                seen.add(frame);
            }
            if (frame.has("resume_token")) {
                token = frame.get("resume_token").asText();
            }
        }

        /** Drops the connection abruptly (no close frame) and resumes from the last seq processed. */
        void dropAndResume() throws Exception {
            connection.session().disconnect();
            long last = lastSeq();
            connection = broker.resume("dev-key", token, last);
            JsonNode resumed = connection.next();
            assertEquals("session.resumed", resumed.path("type").asText(), resumed::toString);
            assertEquals(last, resumed.path("last_seq").asLong());
            assertEquals(last + 1, resumed.path("next_seq").asLong());
            assertFalse(resumed.has("seq"), "session.resumed is connection-level");
            record(resumed);
        }
    }

    private static Survivor open() throws Exception {
        Survivor survivor = new Survivor();
        survivor.connection = broker.connect("dev-key");
        JsonNode created = survivor.connection.next();
        assertEquals("session.created", created.path("type").asText());
        assertTrue(created.path("resume_token").asText().startsWith("rt1."), created::toString);
        survivor.record(created);
        return survivor;
    }

    @ParameterizedTest(name = "after {0} deltas")
    @ValueSource(ints = {1, 2, 17, 100, 250})
    void a_resume_after_a_dropped_connection_continues_with_exactly_the_missed_events(int cutAfter)
            throws Exception {
        Survivor survivor = open();
        survivor.ask();
        boolean done = survivor.readDeltas(cutAfter);
        assertFalse(done, "the cut came before the end of the answer");
        survivor.dropAndResume();
        assertTrue(survivor.readDeltas(Integer.MAX_VALUE));
        SeqAssert.contiguousFromOne(survivor.seen);
        assertEquals(reference, text(survivor.seen));
        survivor.connection.close();
    }

    @Test
    void several_resumes_in_one_answer_lose_and_repeat_nothing() throws Exception {
        Survivor survivor = open();
        survivor.ask();
        for (int cut = 0; cut < 6; cut++) {
            assertFalse(survivor.readDeltas(20));
            survivor.dropAndResume();
        }
        assertTrue(survivor.readDeltas(Integer.MAX_VALUE));
        SeqAssert.contiguousFromOne(survivor.seen);
        assertEquals(reference, text(survivor.seen));
        // The session is still usable after all that: a second answer on the same resumed connection.
        survivor.connection.send("{\"type\":\"session.update\",\"session\":{\"instructions\":\"again\"}}");
        survivor.record(survivor.connection.until("session.updated").get(0));
        SeqAssert.contiguousFromOne(survivor.seen);
        survivor.connection.close();
    }

    @Test
    void an_answer_that_finished_while_disconnected_is_replayed_whole() throws Exception {
        Survivor survivor = open();
        survivor.ask();
        survivor.readDeltas(3);
        survivor.connection.session().disconnect();
        // The broker kept streaming into the replay log; whatever it has by now, the resume continues from seq.
        survivor.connection = broker.resume("dev-key", survivor.token, survivor.lastSeq());
        survivor.record(survivor.connection.next());
        assertTrue(survivor.readDeltas(Integer.MAX_VALUE));
        SeqAssert.contiguousFromOne(survivor.seen);
        assertEquals(reference, text(survivor.seen));
        survivor.connection.close();
    }

    @Test
    void resuming_an_open_session_takes_it_over_and_closes_the_old_connection_with_4009() throws Exception {
        Survivor survivor = open();
        RealtimeClient old = survivor.connection;
        survivor.ask();
        survivor.readDeltas(10);
        survivor.connection = broker.resume("dev-key", survivor.token, survivor.lastSeq());
        survivor.record(survivor.connection.next());
        assertEquals(4009, old.awaitClose());
        assertTrue(survivor.readDeltas(Integer.MAX_VALUE));
        SeqAssert.contiguousFromOne(survivor.seen);
        assertEquals(reference, text(survivor.seen));
        survivor.connection.close();
    }

    @Test
    void resume_from_zero_replays_the_session_from_session_created() throws Exception {
        Survivor survivor = open();
        survivor.connection.session().disconnect();
        RealtimeClient again = broker.resume("dev-key", survivor.token, 0);
        assertEquals("session.resumed", again.next().path("type").asText());
        JsonNode created = again.next();
        assertEquals("session.created", created.path("type").asText());
        assertEquals(1, created.path("seq").asLong());
        again.close();
    }

    @Test
    void the_replay_log_keeps_what_was_produced_while_nobody_was_connected() throws Exception {
        Survivor survivor = open();
        survivor.connection.session().disconnect();
        // The session is alive without a connection; its events wait in the log.
        RealtimeClient again = broker.resume("dev-key", survivor.token, survivor.lastSeq());
        survivor.connection = again;
        survivor.record(again.next());
        survivor.ask();
        assertTrue(survivor.readDeltas(Integer.MAX_VALUE));
        SeqAssert.contiguousFromOne(survivor.seen);
        assertEquals(reference, text(survivor.seen));
        again.close();
    }
}
