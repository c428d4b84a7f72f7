package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The cluster bookkeeping of one session, driven by hand: no broker, no clock (times are plain numbers). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ClusterStateTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final String NODES = "ws://a:1/v1/realtime,ws://b:2/v1/realtime,ws://c:3/v1/realtime";
    private final Measurements m = new Measurements();

    private static ResumePlan cluster() {
        return new ResumePlan(Settings.parse("--scenario", "cluster", "--nodes", NODES));
    }

    private static ParsedFrame resumed(long lastSeq) {
        ParsedFrame frame = new ParsedFrame();
        frame.kind = EventKind.SESSION_RESUMED;
        frame.lastSeq = lastSeq;
        return frame;
    }

    private static long count(org.HdrHistogram.Recorder recorder) {
        return recorder.getIntervalHistogram().getTotalCount();
    }

    @Test
    void sessions_start_round_robin_and_every_resume_goes_to_the_next_node() {
        ResumePlan plan = cluster();
        ResumeState state = new ResumeState(plan, m, 4);
        assertEquals("b", state.firstUri().getHost(), "session 4 of 3 nodes starts on the second");
        state.onSessionCreated("rt1.a");
        state.onDropped(5, 0);
        assertEquals(URI.create("ws://c:3/v1/realtime?model=sim-chat&resume_token=rt1.a&last_seq=5"),
                state.resumeUri());
        state.onReconnect(MS);
        state.onResumed(resumed(5), 2 * MS);
        state.onDropped(9, 3 * MS);
        assertEquals("a", state.resumeUri().getHost(), "after the last node comes the first");

        assertEquals(List.of(0L, 1L, 0L), List.of(plan.nodes.createdAt(0), plan.nodes.createdAt(1),
                plan.nodes.createdAt(2)));
        assertEquals(1, plan.nodes.attemptedAt(2));
        assertEquals(1, plan.nodes.resumedAt(2));
        assertEquals(0, m.errorTotal.sum(), m.errorsByCode()::toString);
    }

    @Test
    void a_refused_resume_counts_under_its_code_and_the_close_that_follows_is_no_error() {
        ResumePlan plan = cluster();
        ResumeState state = new ResumeState(plan, m, 0);
        state.onSessionCreated("rt1.a");
        state.onDropped(3, 0);
        state.onReconnect(MS);

        assertTrue(state.onRefused("resume_token_invalid"));
        assertTrue(state.onClosedWhileResuming(4410));
        assertEquals(1, plan.nodes.refusedAt(1));
        assertEquals(Map.of("resume_token_invalid", 1L), plan.nodes.refusedByCode());
        assertEquals(0, m.errorTotal.sum());
        assertEquals(0, plan.resumed.sum());
    }

    @Test
    void a_close_without_an_error_event_is_a_refusal_by_its_close_code() {
        ResumePlan plan = cluster();
        ResumeState state = new ResumeState(plan, m, 0);
        state.onSessionCreated("rt1.a");
        state.onDropped(3, 0);
        state.onReconnect(MS);

        assertTrue(state.onClosedWhileResuming(1011));
        assertEquals(Map.of("closed_1011", 1L), plan.nodes.refusedByCode());
    }

    @Test
    void the_single_broker_resume_scenario_leaves_refusals_to_the_error_path() {
        ResumePlan plan = new ResumePlan(Settings.parse("--scenario", "resume"));
        ResumeState state = new ResumeState(plan, m, 0);
        state.onSessionCreated("rt1.a");
        state.onDropped(3, 0);
        state.onReconnect(MS);

        assertFalse(state.onRefused("resume_token_invalid"));
        assertFalse(state.onClosedWhileResuming(4410));
        assertTrue(plan.nodes.refusedByCode().isEmpty());
        assertEquals(1, plan.nodes.size());
    }

    @Test
    void drop_latencies_run_from_the_drop_to_session_resumed_and_to_the_first_later_event() {
        ResumePlan plan = cluster();
        ResumeState state = new ResumeState(plan, m, 0);
        state.onSessionCreated("rt1.a");
        state.onDropped(3, 0);
        state.onReconnect(100 * MS);
        state.onResumed(resumed(3), 120 * MS);
        assertEquals(1, count(m.dropToResumed));
        state.onSeq(4, 125 * MS);
        state.onSeq(5, 126 * MS);
        assertEquals(1, count(m.dropToFirstEvent), "only the first event after the resume point");
    }
}
