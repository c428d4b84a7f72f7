package dev.switchboard.broker.transport.http;

import dev.switchboard.broker.session.RealtimeSession;
import dev.switchboard.broker.stream.RingSubscriber;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.event.ClientEvent;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one headless session's input into its shard's ring, strictly in the order it was added. A full ring
 * is not an error: the publish is retried on the scheduler, and everything added meanwhile waits behind it, so
 * {@code CLOSED} can never overtake the events before it.
 *
 * <p>Thread-safe. The monitor is held only around {@code tryPublish}, which never blocks, so it is safe to add
 * from the session's own shard thread.
 */
final class SessionFeed {
    private static final Logger LOG = LoggerFactory.getLogger(SessionFeed.class);
    private static final long RETRY_MICROS = 500;
    /** About ten seconds of a ring that stays full: the broker is overloaded, not busy. */
    private static final int MAX_RETRIES = 20_000;

    private final RealtimeSession session;
    private final Shard shard;
    private final ScheduledExecutorService scheduler;
    private final Runnable onOverloaded;
    private final ArrayDeque<BooleanSupplier> pending = new ArrayDeque<>();
    private boolean retryScheduled;
    private int retries;

    /** @param onOverloaded called (once per give-up, outside the monitor) when a publish kept failing */
    SessionFeed(RealtimeSession session, ScheduledExecutorService scheduler, Runnable onOverloaded) {
        this.session = session;
        this.shard = session.shard();
        this.scheduler = scheduler;
        this.onOverloaded = onOverloaded;
    }

    /** Queues a life-cycle signal. */
    void control(RingSubscriber.Control signal, Object argument) {
        add(() -> shard.tryPublishControl(session, signal, argument));
    }

    /** Queues a client event, as if it had been decoded from a frame received at {@code receivedNanos}. */
    void client(ClientEvent event, long receivedNanos) {
        ClientDecoding frame = new ClientDecoding.Decoded(event);
        add(() -> shard.tryPublishClient(session, frame, receivedNanos));
    }

    private void add(BooleanSupplier publish) {
        synchronized (this) {
            pending.add(publish);
        }
        drain();
    }

    private void drain() {
        boolean overloaded = false;
        synchronized (this) {
            if (retryScheduled) {
                // The scheduled retry publishes everything pending, in order.
                return;
            }
            while (!pending.isEmpty()) {
                if (pending.peek().getAsBoolean()) {
                    pending.poll();
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
        if (overloaded) {
            LOG.error("shard {} ring stayed full for {} retries; refusing a chat-completions request",
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
