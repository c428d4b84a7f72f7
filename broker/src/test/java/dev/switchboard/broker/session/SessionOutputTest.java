package dev.switchboard.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.resume.ReplayLog;
import dev.switchboard.protocol.codec.EventCodec;
import dev.switchboard.protocol.event.ResponseOutputTextDone;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The session hands its connection a frame only while the connection is within its high watermark, so frames
 * larger than any bound (a long answer's {@code *.done} events) reach a client that reads, one at a time, instead
 * of piling up on a connection that is behind (which closed it as a slow consumer).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SessionOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A connection whose writes complete only when the test drains it; room means at most 100 unsent bytes. */
    private static final class Connection implements ClientChannel {
        final List<String> sent = new ArrayList<>();
        long unsent;

        @Override
        public boolean trySend(String frame) {
            sent.add(frame);
            unsent += frame.length();
            return true;
        }

        @Override
        public boolean hasRoom() {
            return unsent <= 100;
        }

        @Override
        public void close(dev.switchboard.protocol.close.CloseReason reason, String message) {
        }

        void drain() {
            unsent = 0;
        }
    }

    private static ResponseOutputTextDone done(int n) {
        return new ResponseOutputTextDone("resp_1", "item_" + n, 0, 0, "x".repeat(5_000));
    }

    @Test
    void large_frames_wait_for_the_connection_to_drain_and_keep_their_order_and_seq() throws Exception {
        SessionOutput output = new SessionOutput(EventCodec.create(), "event_", new ReplayLog(1_000, 1 << 20),
                "sess_test");
        Connection connection = new Connection();
        output.attach(connection);

        for (int n = 1; n <= 4; n++) {
            output.emit(done(n), null);
        }

        assertEquals(1, connection.sent.size(), "only the first frame goes to a connection that is then behind");
        for (int expected = 2; expected <= 4; expected++) {
            assertEquals(SessionOutput.CatchUp.BEHIND, output.pump());
            connection.drain();
            output.pump();
            assertEquals(expected, connection.sent.size());
        }
        assertEquals(SessionOutput.CatchUp.CAUGHT_UP, output.pump());
        for (int i = 0; i < 4; i++) {
            JsonNode frame = JSON.readTree(connection.sent.get(i));
            assertEquals(i + 1, frame.path("seq").asLong());
            assertEquals("item_" + (i + 1), frame.path("item_id").asText());
        }
    }
}
