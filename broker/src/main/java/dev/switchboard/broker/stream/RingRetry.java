package dev.switchboard.broker.stream;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one policy for a publish that found its ring full: try again on the scheduler every {@link #INTERVAL}, for
 * at most {@link #MAX_WAIT}; a ring full for that long means the shard is wedged or the broker is overloaded, not
 * busy, and the publisher gives up (logged, and its {@code onGiveUp} runs). Used for out-of-band signals and, with
 * its own ordering queue, by {@link SessionFeed}. Never blocks the calling thread.
 */
public final class RingRetry {
    /** The wait between attempts. */
    public static final Duration INTERVAL = Duration.ofMillis(1);
    /** The longest a publish is retried. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(10);
    /** {@link #MAX_WAIT} in attempts. */
    public static final int MAX_ATTEMPTS = (int) (MAX_WAIT.toNanos() / INTERVAL.toNanos());

    private static final Logger LOG = LoggerFactory.getLogger(RingRetry.class);

    private RingRetry() {
    }

    /**
     * Publishes {@code signal} to {@code subscriber} now if the ring has room, else later by this policy. Any thread.
     *
     * @param onGiveUp runs on the scheduler if the ring stayed full for {@link #MAX_WAIT}
     */
    public static <S> void publish(Shard shard, RingSubscriber<S> subscriber, S signal,
                                   ScheduledExecutorService scheduler, Runnable onGiveUp) {
        attempt(shard, subscriber, signal, scheduler, onGiveUp, 0);
    }

    private static <S> void attempt(Shard shard, RingSubscriber<S> subscriber, S signal,
                                    ScheduledExecutorService scheduler, Runnable onGiveUp, int attempts) {
        if (shard.tryPublishSignal(subscriber, signal)) {
            return;
        }
        if (attempts >= MAX_ATTEMPTS) {
            LOG.error("shard {} ring stayed full for {} ms; a {} signal was dropped", shard.index(),
                    MAX_WAIT.toMillis(), signal.getClass().getSimpleName());
            onGiveUp.run();
            return;
        }
        scheduler.schedule(() -> attempt(shard, subscriber, signal, scheduler, onGiveUp, attempts + 1),
                INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
    }
}
