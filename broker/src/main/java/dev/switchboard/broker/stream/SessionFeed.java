package dev.switchboard.broker.stream;

import dev.switchboard.protocol.codec.ClientDecoding;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one session's input (client frames and life-cycle signals) into its shard's ring, strictly in the
 * order it was added. A full ring is not an error: the publish is retried on the scheduler, and everything added
 * meanwhile waits behind it, so {@code CLOSED} can never overtake the frames before it. Used by both transports.
 *
 * <p>Thread-safe. The monitor is held only around {@code tryPublish}, which never blocks, so it is safe to add
 * from the session's own shard thread.
 */
public final class SessionFeed {
    private static final Logger LOG = LoggerFactory.getLogger(SessionFeed.class);
    private static final long RETRY_MICROS = 500;
    /** About ten seconds of a ring that stays full: the broker is overloaded, not busy. */
    private static final int MAX_RETRIES = 20_000;

    private static final Runnable NOTHING = () -> { };

    private final RingSubscriber session;
    private final Shard shard;
    private final ScheduledExecutorService scheduler;
    private final Runnable onOverloaded;
    private final ArrayDeque<Entry> pending = new ArrayDeque<>();
    private boolean retryScheduled;
    private int retries;

    /**
     * @param session the subscriber the slots are for
     * @param shard the shard the session is pinned to
     * @param scheduler runs the retries
     * @param onOverloaded called (once per give-up, outside the monitor) when a publish kept failing
     */
    public SessionFeed(RingSubscriber session, Shard shard, ScheduledExecutorService scheduler,
                       Runnable onOverloaded) {
        this.session = session;
        this.shard = shard;
        this.scheduler = scheduler;
        this.onOverloaded = onOverloaded;
    }

    /** Queues a life-cycle signal. */
    public void control(RingSubscriber.Control signal, Object argument) {
        control(signal, argument, NOTHING);
    }

    /** Queues a client frame received at {@code receivedNanos}. */
    public void client(ClientDecoding frame, long receivedNanos) {
        client(frame, receivedNanos, NOTHING);
    }

    /** Queues a life-cycle signal; {@code onPublished} runs once it is in the ring. */
    public void control(RingSubscriber.Control signal, Object argument, Runnable onPublished) {
        add(new Entry(() -> shard.tryPublishControl(session, signal, argument), onPublished));
    }

    /** Queues a client frame received at {@code receivedNanos}; {@code onPublished} runs once it is in the ring. */
    public void client(ClientDecoding frame, long receivedNanos, Runnable onPublished) {
        add(new Entry(() -> shard.tryPublishClient(session, frame, receivedNanos), onPublished));
    }

    private void add(Entry entry) {
        synchronized (this) {
            pending.add(entry);
        }
        drain();
    }

    /** A publish attempt and what to do after it succeeded (run outside the monitor). */
    private record Entry(BooleanSupplier publish, Runnable onPublished) {
    }

    private void drain() {
        boolean overloaded = false;
        java.util.List<Runnable> published = new java.util.ArrayList<>();
        synchronized (this) {
            if (retryScheduled) {
                // The scheduled retry publishes everything pending, in order.
                return;
            }
            while (!pending.isEmpty()) {
                if (pending.peek().publish().getAsBoolean()) {
                    published.add(pending.poll().onPublished());
                    retries = 0;
                    continue;
                }
                if (++retries > MAX_RETRIES) {
                    pending.clear();
                    retries = 0;
                    overloaded = true;
                    break;
                }
                retryScheduled = true;
                scheduler.schedule(this::retry, RETRY_MICROS, TimeUnit.MICROSECONDS);
                break;
            }
        }
        published.forEach(Runnable::run);
        if (overloaded) {
            LOG.error("shard {} ring stayed full for {} retries; giving up on a session's input",
                    shard.index(), MAX_RETRIES);
            onOverloaded.run();
        }
    }

    private void retry() {
        synchronized (this) {
            retryScheduled = false;
        }
        drain();
    }
}
