package dev.switchboard.broker.session;

import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamListener;
import dev.switchboard.broker.stream.RingSubscriber;
import dev.switchboard.broker.stream.RingRetry;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.stream.UpstreamSource;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carries one upstream's events into its session's shard ring under a credit: at most {@code credit} of them are in
 * the ring at once, so a fast provider cannot fill a ring shared with other sessions (delaying all of them) nor
 * overshoot its connection's watermark by a whole ring. A refused event stays with the upstream and is re-offered
 * on the scheduler — never on the shard thread, so provider parsing never runs on a ring consumer — once the
 * session has consumed half the credit, or shortly after the ring itself refused it.
 *
 * <p>Used by {@link ResponseRun} (an SSE attempt; the events are tagged with the run) and {@link RelaySession}
 * (the relay; tagged with this object). {@link #tryDeliver} runs on the upstream's thread, {@link #onConsumed} on
 * the shard thread.
 */
final class RingCredit implements UpstreamListener, UpstreamSource {
    private final RingSubscriber<?> session;
    private final UpstreamSource source;
    private final Shard shard;
    private final ScheduledExecutorService scheduler;
    private final int credit;
    private final AtomicInteger inRing = new AtomicInteger();
    private volatile Upstream upstream;
    private volatile boolean starved;

    /**
     * @param source the tag the session's {@code onUpstreamEvent} receives with each event, or null for this object
     * @param credit the most events in the ring at once
     */
    RingCredit(RingSubscriber<?> session, UpstreamSource source, Shard shard, ScheduledExecutorService scheduler,
               int credit) {
        this.session = session;
        this.source = source == null ? this : source;
        this.shard = shard;
        this.scheduler = scheduler;
        this.credit = credit;
    }

    /** The upstream that refused events are re-offered to. */
    void attach(Upstream current) {
        this.upstream = current;
    }

    /** Upstream thread. Refuses when the credit is used up (never the terminal event) or the ring is full. */
    @Override
    public boolean tryDeliver(UpstreamEvent event) {
        if (inRing.incrementAndGet() > credit && !(event instanceof UpstreamEvent.End)) {
            inRing.decrementAndGet();
            starved = true;
            // Re-check: the consumer may have drained below the threshold before it could see the flag.
            if (inRing.get() <= credit / 2) {
                onConsumed(0);
            }
            return false;
        }
        if (shard.tryPublishUpstream(session, source, event)) {
            return true;
        }
        inRing.decrementAndGet();
        scheduler.schedule(this::retry, RingRetry.INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
        return false;
    }

    /** Shard thread: {@code taken} events of this upstream left the ring. */
    void onConsumed(int taken) {
        int left = inRing.addAndGet(-taken);
        if (starved && left <= credit / 2) {
            starved = false;
            scheduler.execute(this::retry);
        }
    }

    private void retry() {
        Upstream current = upstream;
        if (current == null) {
            scheduler.schedule(this::retry, RingRetry.INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
        } else {
            current.retryDelivery();
        }
    }
}
