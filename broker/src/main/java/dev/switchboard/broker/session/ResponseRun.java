package dev.switchboard.broker.session;

import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamListener;
import dev.switchboard.broker.stream.Shard;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One response in progress. Its identity is also the ring tag of its upstream events: the session drops events
 * whose tag is not its active run, which is how a cancelled response's queued deltas vanish.
 *
 * <p>Mutable fields are confined to the shard thread, except {@link #upstream}, which the scheduler reads to
 * resume after a full ring.
 */
final class ResponseRun implements UpstreamListener {
    private static final long RESUME_DELAY_MICROS = 500;
    /**
     * Events of this run allowed in the ring at once. Without a per-stream credit a fast provider could fill a
     * shared ring (delaying every other session of the shard) and overshoot its connection's watermark by a
     * whole ring; with it, one stream holds at most this many slots.
     */
    static final int RING_CREDIT = 256;

    final String id;
    final String model;
    final String provider;
    final long requestedNanos;
    final Map<String, String> metadata;
    final List<String> modalities;
    final StringBuilder text = new StringBuilder();
    final String itemId;
    boolean itemOpen;
    boolean joinsConversation = true;
    long upstreamOpenedNanos;
    long deltas;

    private final RealtimeSession session;
    private final Shard shard;
    private final ScheduledExecutorService scheduler;
    private volatile Upstream upstream;
    private final java.util.concurrent.atomic.AtomicInteger inRing = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean starved;

    ResponseRun(RealtimeSession session, Shard shard, ScheduledExecutorService scheduler, String model,
                String provider, long requestedNanos, Map<String, String> metadata, List<String> modalities) {
        this.id = Ids.next("resp_");
        this.itemId = Ids.next("item_");
        this.session = session;
        this.shard = shard;
        this.scheduler = scheduler;
        this.model = model;
        this.provider = provider;
        this.requestedNanos = requestedNanos;
        this.metadata = metadata;
        this.modalities = modalities;
    }

    void attach(Upstream stream) {
        this.upstream = stream;
    }

    Upstream upstream() {
        return upstream;
    }

    /** Called on the upstream's thread; a full ring refuses and schedules a retry, so nothing is lost. */
    @Override
    public boolean tryDeliver(UpstreamEvent event) {
        if (inRing.incrementAndGet() > RING_CREDIT && !(event instanceof UpstreamEvent.End)) {
            inRing.decrementAndGet();
            starved = true;
            // Re-check: the consumer may have drained below the threshold before it could see the flag.
            if (inRing.get() <= RING_CREDIT / 2) {
                onConsumed(0);
            }
            return false;
        }
        if (shard.tryPublishUpstream(session, this, event)) {
            return true;
        }
        inRing.decrementAndGet();
        scheduleResume();
        return false;
    }

    /**
     * The consumer took one of this run's events off the ring (shard thread). Once half the credit is free
     * again, a refused upstream is re-offered its event on the scheduler, not on the shard thread, so provider
     * parsing never runs on a ring consumer.
     */
    void onConsumed(int taken) {
        int left = inRing.addAndGet(-taken);
        if (starved && left <= RING_CREDIT / 2) {
            starved = false;
            scheduler.execute(() -> {
                Upstream current = upstream;
                if (current == null) {
                    scheduleResume();
                } else {
                    current.retryDelivery();
                }
            });
        }
    }

    private void scheduleResume() {
        scheduler.schedule(() -> {
            Upstream current = upstream;
            if (current == null) {
                scheduleResume();
            } else {
                current.retryDelivery();
            }
        }, RESUME_DELAY_MICROS, TimeUnit.MICROSECONDS);
    }
}
