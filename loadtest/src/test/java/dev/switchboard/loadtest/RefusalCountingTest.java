package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.protocol.codec.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The guardrail answers the harness counts apart from errors: {@code rate_limit_exceeded} and
 * {@code insufficient_quota} refusals of {@code response.create}, responses cut by a budget, and
 * {@code rate_limits.updated}. Frames go through the real reader into a session's {@link ResponseLoop}; no
 * connection, no clock assertions.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RefusalCountingTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Settings settings = Settings.parse("--scenario", "guardrail", "--duration", "60s");
    private final RunContext run = new RunContext(settings, Scenarios.create(settings), new WebSocketClient(),
            scheduler, ClientFrames.of(EventCodec.create(), Map.of()), false, System.nanoTime());
    private final Measurements m = run.measurements();
    private final ResponseLoop loop = new ResponseLoop(run, new SplittableRandom(1), null);
    private final ServerFrameReader reader = new ServerFrameReader();
    private final ParsedFrame frame = new ParsedFrame();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private ParsedFrame parse(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        assertTrue(reader.read(bytes, 0, bytes.length, frame), json);
        return frame;
    }

    private static String refusal(String code) {
        return "{\"type\":\"error\",\"event_id\":\"e\",\"seq\":3,\"error\":{\"type\":\"invalid_request_error\","
                + "\"code\":\"" + code + "\",\"message\":\"Rate limit reached\",\"event_id\":\"lt_response_create\","
                + "\"retry_after_ms\":1200}}";
    }

    private static String done(String status, String reason) {
        return "{\"type\":\"response.done\",\"event_id\":\"e\",\"seq\":9,\"response\":{\"id\":\"resp_1\",\"status\":\""
                + status + "\",\"status_details\":{\"type\":\"" + status + "\",\"reason\":\"" + reason + "\"}}}";
    }

    @Test
    void a_rate_limit_refusal_ends_the_request_and_is_counted_apart_from_errors() {
        long sent = System.nanoTime();
        loop.begin(sent);

        Follow follow = loop.onError(parse(refusal("rate_limit_exceeded")), sent + 1_000_000);

        assertEquals(1, m.refusedRateLimit.sum());
        assertEquals(0, m.refusedQuota.sum());
        assertEquals(0, m.errorTotal.sum(), m.errorsByCode()::toString);
        assertFalse(loop.active(), "no response.done follows a refusal");
        assertEquals(0, run.inFlight().get());
        assertEquals(Follow.SCHEDULE, follow, "the closed workload goes on after the think time");
        assertEquals(1, m.refusal.getIntervalHistogram().getTotalCount(), "the refusal is timed");
    }

    @Test
    void a_spent_budget_refusal_counts_as_insufficient_quota() {
        loop.begin(System.nanoTime());

        loop.onError(parse(refusal("insufficient_quota")), System.nanoTime());

        assertEquals(1, m.refusedQuota.sum());
        assertEquals(0, m.refusedRateLimit.sum());
        assertEquals(0, m.errorTotal.sum(), m.errorsByCode()::toString);
    }

    @Test
    void a_store_failure_is_still_an_error() {
        loop.begin(System.nanoTime());

        loop.onError(parse(refusal("guardrail_unavailable")), System.nanoTime());

        assertEquals(0, m.refusedRateLimit.sum() + m.refusedQuota.sum());
        assertEquals(Map.of("guardrail_unavailable", 1L), m.errorsByCode());
        assertEquals(0, m.refusal.getIntervalHistogram().getTotalCount());
    }

    @Test
    void a_response_cut_by_a_budget_is_incomplete_and_counted_as_cut_not_as_an_error() {
        loop.begin(System.nanoTime());
        loop.onResponseCreated();

        loop.onResponseDone(parse(done("incomplete", "budget_exhausted")), System.nanoTime());

        assertEquals(1, m.cutByBudget.sum());
        assertEquals(1, m.incomplete.sum());
        assertEquals(0, m.errorTotal.sum(), m.errorsByCode()::toString);
    }

    @Test
    void an_answer_cut_by_its_output_cap_is_not_a_budget_cut() {
        loop.begin(System.nanoTime());
        loop.onResponseCreated();

        loop.onResponseDone(parse(done("incomplete", "max_output_tokens")), System.nanoTime());

        assertEquals(0, m.cutByBudget.sum());
        assertEquals(1, m.incomplete.sum());
    }

    @Test
    void rate_limits_updated_is_an_event_the_harness_knows() {
        parse("{\"type\":\"rate_limits.updated\",\"event_id\":\"e\",\"seq\":4,\"rate_limits\":[{\"name\":"
                + "\"requests\",\"limit\":5,\"remaining\":4,\"reset_seconds\":12.0}]}");

        assertEquals(EventKind.RATE_LIMITS_UPDATED, frame.kind);
        assertEquals(4, frame.seq);
    }
}
