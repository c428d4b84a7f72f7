package dev.switchboard.broker.abuse;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The protocol fuzzer against a real broker, on the SSE-bridged model {@code sim-chat}, where the broker reads every
 * client event itself. Each try opens a fresh session on the abuse tenant, plays a generated script, checks every
 * frame's window ({@link Verdicts#bridgedWindow}), then that the session still completes a response and that its
 * seq has no gap. A bystander on the other tenant answers throughout. Seeded: see {@link Fuzzer}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProtocolFuzzTest {
    private static AbuseBroker broker;
    private static Documented docs;

    @BeforeAll
    static void start() throws Exception {
        docs = Documented.load();
        broker = AbuseBroker.start();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @Test
    void every_bad_frame_gets_one_documented_error_and_the_session_stays_usable_while_a_bystander_is_unharmed()
            throws Exception {
        long baseline = HeapCheck.usedAfterGc(broker);
        Fuzzer fuzzer = Fuzzer.of("bridged frames and sequences", 200, 20, Duration.ofSeconds(25));
        try (Bystander bystander = Bystander.start(broker)) {
            fuzzer.run(random -> new ScriptGenerator(random, false).any(), ProtocolFuzzTest::play);
            bystander.stopAndAssertUnharmed();
            System.out.println("abuse: " + bystander.summary());
        }
        HeapCheck.assertBounded(broker, baseline);
    }

    @Test
    void out_of_order_events_get_the_documented_error_for_the_session_state() throws Exception {
        Fuzzer fuzzer = Fuzzer.of("bridged out-of-order scripts", 40, 4, Duration.ofSeconds(8));
        fuzzer.run(random -> new ScriptGenerator(random, false).outOfOrder(), ProtocolFuzzTest::play);
    }

    @Test
    void frames_at_the_size_limit_are_served_and_frames_over_it_are_refused_counting_utf8_bytes() throws Exception {
        int limit = AbuseBroker.MAX_FRAME_BYTES;
        for (String pad : List.of("x", "é", "€", "😀")) {
            for (int bytes : new int[] {limit - 1, limit, limit + 1, limit + 3}) {
                play(List.of(FrameGenerator.sized(bytes, pad)));
            }
        }
        play(List.of(FrameGenerator.sized(2 << 20, "x"), FrameGenerator.sized(limit, "😀")));
    }

    /** Plays one script on a fresh bridged session and checks every invariant; closes the session normally. */
    static void play(List<Frame> script) throws Exception {
        try (FuzzSession session = FuzzSession.open(broker, AbuseBroker.BRIDGED)) {
            for (int step = 0; step < script.size(); step++) {
                Frame frame = script.get(step);
                List<JsonNode> window = session.exchange(frame);
                try {
                    Verdicts.bridgedWindow(frame, window, docs);
                } catch (AssertionError e) {
                    throw new AssertionError("step " + step + " " + frame.describe() + ": " + e.getMessage(), e);
                }
            }
            session.assertUsable();
            SeqCheck.gapFree(session.received());
            Verdicts.check(session.closeStatus().isEmpty(), "the broker closed the connection",
                    session.closeStatus());
        }
    }
}
