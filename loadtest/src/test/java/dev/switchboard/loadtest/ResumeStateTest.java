package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The resume bookkeeping of one session, driven by hand: no broker, no clock (times are plain numbers). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ResumeStateTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final Measurements m = new Measurements();
    private final SplittableRandom random = new SplittableRandom(7);

    private static ResumePlan plan(String... args) {
        return new ResumePlan(Settings.parse(args));
    }

    private static TextDigest text(String text) {
        TextDigest digest = new TextDigest();
        digest.add(text);
        return digest;
    }

    private static ParsedFrame resumed(long lastSeq, String token) {
        ParsedFrame frame = new ParsedFrame();
        frame.kind = EventKind.SESSION_RESUMED;
        frame.lastSeq = lastSeq;
        frame.resumeToken = token;
        return frame;
    }

    private static long count(Recorder recorder) {
        return recorder.getIntervalHistogram().getTotalCount();
    }

    @Test
    void a_backlog_resume_times_the_resume_the_catch_up_and_the_nth_replayed_event() {
        ResumePlan plan = plan("--scenario", "resume", "--sessions", "3", "--backlog", "10", "--tokens", "11",
                "--url", "ws://h:1/v1/realtime");
        ResumeState state = new ResumeState(plan, m, 1);
        state.onSessionCreated("rt1.first");
        state.onResponseStart(random);
        assertTrue(state.onDelta(1, text("Hello")), "the backlog mode drops after the first delta");
        state.onDropped(7, 0);
        assertEquals(URI.create("ws://h:1/v1/realtime?model=sim-chat&resume_token=rt1.first&last_seq=7"),
                state.resumeUri());

        state.onReconnect(0);
        state.onResumed(resumed(7, "rt1.second"), 5 * MS);
        for (long seq = 8; seq <= 21; seq++) {
            state.onSeq(seq, (seq - 7) * MS);
        }
        state.onProbeAnswer(22, 30 * MS);

        assertEquals(1, plan.drops.sum());
        assertEquals(1, plan.resumed.sum());
        assertEquals(14, plan.replayedTotal.sum(), "events 8 to 21 came before the probe's answer");
        assertEquals(1, plan.backlogMeasured.sum());
        assertEquals(1, count(m.resume));
        assertEquals(1, count(m.replay));
        assertEquals(1, count(m.replayBacklog));
        assertEquals(0, m.errorTotal.sum(), m.errorsByCode()::toString);
        assertTrue(state.resumeUri().toString().contains("resume_token=rt1.second"),
                "the next resume uses the fresh token");
    }

    @Test
    void a_backlog_shorter_than_asked_is_counted_and_not_timed() {
        ResumePlan plan = plan("--scenario", "resume", "--backlog", "10", "--tokens", "11");
        ResumeState state = new ResumeState(plan, m, 1);
        state.onSessionCreated("rt1.a");
        state.onResponseStart(random);
        state.onDelta(1, text("x"));
        state.onDropped(3, 0);
        state.onReconnect(0);
        state.onResumed(resumed(3, ""), MS);
        state.onSeq(4, 2 * MS);
        state.onProbeAnswer(5, 3 * MS);

        assertEquals(1, plan.backlogShort.sum());
        assertEquals(0, count(m.replayBacklog));
        assertEquals(1, plan.replayedTotal.sum());
    }

    @Test
    void the_first_session_of_a_backlog_run_is_the_uninterrupted_reference() {
        ResumePlan plan = plan("--scenario", "resume", "--sessions", "4", "--backlog", "5", "--tokens", "6");
        assertEquals(0, plan.dropAfter(random, 0, 1, 0));
        assertEquals(1, plan.dropAfter(random, 3, 1, 0));
        assertEquals(0, plan.dropAfter(random, 3, 2, 1), "only the first response of a session drops");
    }

    @Test
    void drops_follow_the_probability_the_delta_range_and_the_per_session_bound() {
        ResumePlan never = plan("--scenario", "resume", "--disconnect-prob", "0");
        ResumePlan always = plan("--scenario", "resume", "--disconnect-prob", "1", "--disconnect-after", "3-5",
                "--max-disconnects", "2");
        for (int i = 0; i < 100; i++) {
            assertEquals(0, never.dropAfter(random, 1, i + 1, 0));
            int after = always.dropAfter(random, 1, i + 1, 1);
            assertTrue(after >= 3 && after <= 5, () -> "drop after " + after);
            assertEquals(0, always.dropAfter(random, 1, i + 1, 2));
        }
    }

    @Test
    void a_resume_that_names_another_position_or_events_before_session_resumed_are_errors() {
        ResumeState state = new ResumeState(plan("--scenario", "resume"), m, 0);
        state.onSessionCreated("rt1.a");
        state.onDropped(9, 0);
        state.onReconnect(0);
        state.onSeq(10, MS);
        state.onResumed(resumed(8, "rt1.b"), 2 * MS);

        assertEquals(1, m.errorsByCode().get("missing_session_resumed"));
        assertEquals(1, m.errorsByCode().get("resume_position_mismatch"));
    }

    @Test
    void deltas_that_do_not_add_up_to_the_done_text_are_a_text_mismatch() {
        ResumePlan plan = plan("--scenario", "resume", "--disconnect-prob", "0");
        ResumeState state = new ResumeState(plan, m, 0);
        state.onSessionCreated("rt1.a");
        state.onResponseStart(random);
        assertFalse(state.onDelta(1, text("Hello")));
        state.onDelta(2, text(", world"));
        state.onTextDone(text("Hello, world"));
        state.onResponseEnd(true);
        state.onResponseStart(random);
        state.onDelta(1, text("Hello"));
        state.onTextDone(text("Hello, world"));

        assertEquals(2, plan.textChecked.sum());
        assertEquals(1, plan.textMismatches.sum());
        assertEquals(1, m.errorsByCode().get("text_mismatch"));
        assertEquals(new TextCheck.Result(1, 0, 0), plan.reference.result());
    }

    @Test
    void a_session_created_without_a_resume_token_is_an_error_and_never_drops() {
        ResumePlan plan = plan("--scenario", "resume", "--disconnect-prob", "1");
        ResumeState state = new ResumeState(plan, m, 0);
        state.onSessionCreated("");
        state.onResponseStart(random);

        assertFalse(state.onDelta(1, text("x")));
        assertEquals(1, m.errorsByCode().get("resume_token_missing"));
    }

    @Test
    void slow_sessions_are_the_share_of_all_sessions_spread_evenly() {
        SlowPlan plan = new SlowPlan(Settings.parse("--sessions", "20", "--slow-share", "0.15"));
        int slow = 0;
        StringBuilder pattern = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            slow += plan.isSlow(i) ? 1 : 0;
            pattern.append(plan.isSlow(i) ? 'S' : '.');
        }
        assertEquals(3, plan.count());
        assertEquals(3, slow);
        assertEquals("......S......S.....S", pattern.toString());
        assertFalse(new SlowPlan(Settings.parse("--sessions", "5", "--slow-share", "0")).isSlow(4));
    }
}
