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
 * order it was added. A full ring is not an error: the publish is retried on the scheduler by {@link RingRetry}'s
 * policy, and everything added meanwhile waits behind it, so a close signal can never overtake the frames before
 * it. Used by both transports.
 *
 * <p>Thread-safe. The monitor is held only around {@code tryPublish}, which never blocks, so it is safe to add
 * from the session's own shard thread.
 */
public final class SessionFeed<S> {
    private static final Logger LOG = LoggerFactory.getLogger(SessionFeed.class);

    private static final Runnable NOTHING = () -> { };

    private final RingSubscriber<S> session;
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
    public SessionFeed(RingSubscriber<S> session, Shard shard, ScheduledExecutorService scheduler,
                       Runnable onOverloaded) {
        this.session = session;
        this.shard = shard;
        this.scheduler = scheduler;
        this.onOverloaded = onOverloaded;
    }

    /** Queues one of the session's signals. */
    public void signal(S signal) {
        signal(signal, NOTHING);
    }

    /** Queues a client frame received at {@code receivedNanos}. */
    public void client(ClientDecoding frame, long receivedNanos) {
        client(frame, receivedNanos, NOTHING);
    }

    /** Queues one of the session's signals; {@code onPublished} runs once it is in the ring. */
    public void signal(S signal, Runnable onPublished) {
        add(new Entry(() -> shard.tryPublishSignal(session, signal), onPublished));
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
                if (++retries > RingRetry.MAX_ATTEMPTS) {
                    pending.clear();
                    retries = 0;
                    overloaded = true;
                    break;
                }
                retryScheduled = true;
                scheduler.schedule(this::retry, RingRetry.INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
                break;
            }
        }
        published.forEach(Runnable::run);
        if (overloaded) {
            LOG.error("shard {} ring stayed full for {} ms; giving up on a session's input",
                    shard.index(), RingRetry.MAX_WAIT.toMillis());
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
