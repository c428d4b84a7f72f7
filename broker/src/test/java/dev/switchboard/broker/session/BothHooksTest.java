package dev.switchboard.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.Refusal;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BothHooksTest {
    private static final ResponseHooks.ResponseInfo INFO = new ResponseHooks.ResponseInfo(
            new ResponseHooks.SessionInfo("s", "t", "k", "m", ResponseHooks.Transport.WEBSOCKET), "r");
    private static final ResponseHooks.ResponseRequest REQUEST = new ResponseHooks.ResponseRequest(INFO, "p", "u", 3,
            OptionalInt.of(100), Instant.EPOCH);
    private static final ResponseHooks.RateLimit LIMIT = new ResponseHooks.RateLimit("requests", 10, 9, 6);

    private static ResponseHooks answering(ResponseHooks.Verdict verdict, AtomicInteger asked) {
        return new ResponseHooks() {
            @Override
            public Verdict onResponseRequested(ResponseRequest request) {
                asked.incrementAndGet();
                return verdict;
            }

            @Override
            public DeltaVerdict onOutputDelta(ResponseInfo response, DeltaKind kind, String text, int audioBytes) {
                asked.incrementAndGet();
                return verdict instanceof Verdict.Deny ? DeltaVerdict.BUDGET_EXHAUSTED : DeltaVerdict.CONTINUE;
            }
        };
    }

    @Test
    void no_hooks_on_either_side_is_the_other_side_itself() {
        ResponseHooks one = answering(ResponseHooks.Verdict.ALLOW, new AtomicInteger());
        assertSame(one, ResponseHooks.both(ResponseHooks.NONE, one));
        assertSame(one, ResponseHooks.both(one, ResponseHooks.NONE));
    }

    @Test
    void content_is_read_when_either_side_reads_it_and_never_for_no_hooks() {
        ResponseHooks counting = new ResponseHooks() {
            @Override
            public boolean readsContent() {
                return false;
            }
        };
        ResponseHooks reading = answering(ResponseHooks.Verdict.ALLOW, new AtomicInteger());
        assertEquals(false, ResponseHooks.NONE.readsContent());
        assertEquals(false, ResponseHooks.both(counting, counting).readsContent());
        assertTrue(ResponseHooks.both(counting, reading).readsContent());
        assertTrue(ResponseHooks.both(reading, counting).readsContent());
    }

    @Test
    void the_first_deny_wins_and_the_second_is_not_asked() {
        AtomicInteger second = new AtomicInteger();
        ResponseHooks.Verdict deny = new ResponseHooks.Verdict.Deny(Admission.Refused.of(Refusal.RATE_LIMITED, "no"));
        ResponseHooks both = ResponseHooks.both(answering(deny, new AtomicInteger()),
                answering(ResponseHooks.Verdict.ALLOW, second));
        assertSame(deny, both.onResponseRequested(REQUEST));
        assertEquals(0, second.get());
    }

    @Test
    void two_caps_give_the_smaller_and_the_limits_of_both_are_reported() {
        ResponseHooks both = ResponseHooks.both(
                answering(new ResponseHooks.Verdict.Modify(OptionalInt.of(50), List.of(LIMIT)), new AtomicInteger()),
                answering(new ResponseHooks.Verdict.Modify(OptionalInt.of(20)), new AtomicInteger()));
        ResponseHooks.Verdict verdict = both.onResponseRequested(REQUEST);
        assertEquals(new ResponseHooks.Verdict.Modify(OptionalInt.of(20), List.of(LIMIT)), verdict);
        ResponseHooks allowThenDeny = ResponseHooks.both(
                answering(new ResponseHooks.Verdict.Allow(List.of(LIMIT)), new AtomicInteger()),
                answering(new ResponseHooks.Verdict.Deny(Admission.Refused.of(Refusal.INSUFFICIENT_QUOTA, "spent")),
                        new AtomicInteger()));
        ResponseHooks.Verdict denied = allowThenDeny.onResponseRequested(REQUEST);
        assertTrue(denied instanceof ResponseHooks.Verdict.Deny d && d.refusal().refusal() == Refusal.INSUFFICIENT_QUOTA
                && d.rateLimits().equals(List.of(LIMIT)), denied::toString);
    }

    @Test
    void a_delta_stops_when_either_side_says_so_and_both_see_it() {
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        ResponseHooks both = ResponseHooks.both(answering(ResponseHooks.Verdict.ALLOW, first), answering(
                new ResponseHooks.Verdict.Deny(Admission.Refused.of(Refusal.RATE_LIMITED, "x")), second));
        assertEquals(ResponseHooks.DeltaVerdict.BUDGET_EXHAUSTED,
                both.onOutputDelta(INFO, ResponseHooks.DeltaKind.TEXT, "hi", 0));
        assertEquals(1, first.get());
        assertEquals(1, second.get());
    }
}
