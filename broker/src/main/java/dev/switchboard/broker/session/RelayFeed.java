package dev.switchboard.broker.session;

import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamListener;
import dev.switchboard.broker.stream.Shard;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carries a relay's events into its session's shard ring under a credit, as {@link ResponseRun} does for SSE
 * streams: at most {@link #CREDIT} of its events are in the ring at once, so a fast provider
 * cannot fill a ring shared with other sessions. A refused event stays with the relay and is re-offered on the
 * scheduler once the session has consumed half the credit, never on the shard thread.
 */
final class RelayFeed implements UpstreamListener {
    private static final long RETRY_MICROS = 500;
    /**
     * Relay events allowed in the ring at once. Smaller than an SSE stream's credit: relayed events are large
     * (a 100 ms audio delta is 6 KiB) and a voice session's barge-in must not wait behind hundreds of them in the
     * shared ring; 32 keep over three seconds of audio in flight, plenty to keep the client's pipe full.
     */
    static final int CREDIT = 32;

    private final RelaySession session;
    private final Shard shard;
    private final ScheduledExecutorService scheduler;
    private final AtomicInteger inRing = new AtomicInteger();
    private volatile Upstream upstream;
    private volatile boolean starved;

    RelayFeed(RelaySession session, Shard shard, ScheduledExecutorService scheduler) {
        this.session = session;
        this.shard = shard;
        this.scheduler = scheduler;
    }

    void attach(Upstream relay) {
        this.upstream = relay;
    }

    /** Relay thread. */
    @Override
    public boolean tryDeliver(UpstreamEvent event) {
        if (inRing.incrementAndGet() > CREDIT && !(event instanceof UpstreamEvent.End)) {
            inRing.decrementAndGet();
            starved = true;
            // Re-check: the consumer may have drained below the threshold before it could see the flag.
            if (inRing.get() <= CREDIT / 2) {
                onConsumed(0);
            }
            return false;
        }
        if (shard.tryPublishUpstream(session, this, event)) {
            return true;
        }
        inRing.decrementAndGet();
        scheduler.schedule(this::retry, RETRY_MICROS, TimeUnit.MICROSECONDS);
        return false;
    }

    /** Shard thread: {@code taken} events of this feed left the ring. */
    void onConsumed(int taken) {
        int left = inRing.addAndGet(-taken);
        if (starved && left <= CREDIT / 2) {
            starved = false;
            scheduler.execute(this::retry);
        }
    }

    private void retry() {
        Upstream current = upstream;
        if (current == null) {
            scheduler.schedule(this::retry, RETRY_MICROS, TimeUnit.MICROSECONDS);
        } else {
            current.retryDelivery();
        }
    }
}
