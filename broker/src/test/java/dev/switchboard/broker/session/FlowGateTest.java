package dev.switchboard.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bridge.upstream.Upstream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FlowGateTest {

    /** An upstream that only remembers whether it was last paused or resumed. */
    private static final class Switch implements Upstream {
        final AtomicBoolean paused = new AtomicBoolean();

        @Override
        public void pause() {
            paused.set(true);
        }

        @Override
        public void retryDelivery() {
        }

        @Override
        public void resume() {
            paused.set(false);
        }

        @Override
        public void cancel() {
        }
    }

    @Test
    void the_upstream_runs_exactly_when_no_reason_holds_it() {
        FlowGate gate = new FlowGate();
        Switch upstream = new Switch();
        gate.hold(FlowGate.Reason.REPLAY_LOG);
        gate.upstream(upstream);
        assertTrue(upstream.paused.get(), "a new upstream is paused at once while a reason holds");
        gate.hold(FlowGate.Reason.WATERMARK);
        gate.release(FlowGate.Reason.REPLAY_LOG);
        assertTrue(upstream.paused.get(), "another reason still holds it");
        gate.release(FlowGate.Reason.WATERMARK);
        assertFalse(upstream.paused.get());
        assertTrue(gate.hold(FlowGate.Reason.CATCHING_UP));
        assertFalse(gate.hold(FlowGate.Reason.CATCHING_UP), "holding twice is one hold");
        gate.release(FlowGate.Reason.CATCHING_UP);
        assertFalse(upstream.paused.get());
    }

    @Test
    void racing_holds_and_releases_from_two_threads_leave_the_upstream_as_the_final_reasons_say() throws Exception {
        for (int round = 0; round < 200; round++) {
            FlowGate gate = new FlowGate();
            Switch upstream = new Switch();
            gate.upstream(upstream);
            CountDownLatch start = new CountDownLatch(1);
            Thread writer = new Thread(() -> flip(gate, FlowGate.Reason.WATERMARK, start));
            Thread shard = new Thread(() -> flip(gate, FlowGate.Reason.REPLAY_LOG, start));
            writer.start();
            shard.start();
            start.countDown();
            writer.join(TimeUnit.SECONDS.toMillis(10));
            shard.join(TimeUnit.SECONDS.toMillis(10));
            boolean held = gate.holds(FlowGate.Reason.WATERMARK) || gate.holds(FlowGate.Reason.REPLAY_LOG);
            assertEquals(held, upstream.paused.get(), "round " + round);
        }
    }

    /** Holds and releases {@code reason} many times, ending held on odd rounds of chance. */
    private static void flip(FlowGate gate, FlowGate.Reason reason, CountDownLatch start) {
        try {
            start.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (int i = 0; i < 1_000; i++) {
            gate.hold(reason);
            gate.release(reason);
        }
        if (System.nanoTime() % 2 == 0) {
            gate.hold(reason);
        }
    }
}
