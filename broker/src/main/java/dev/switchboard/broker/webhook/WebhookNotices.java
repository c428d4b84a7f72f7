package dev.switchboard.broker.webhook;

import dev.switchboard.broker.cluster.ClusterLink;
import dev.switchboard.broker.config.Webhooks;
import dev.switchboard.broker.metrics.OperatorLog;
import dev.switchboard.broker.notice.Notice;
import dev.switchboard.broker.notice.Notices;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The webhooks' subscription to the broker's notices. {@link #publish} only offers the notice to a bounded queue
 * and, when no drain is already due, asks the webhook thread for one: it never blocks and never does I/O. A full
 * queue drops the notice and counts it ({@code broker.webhooks.dropped{reason=queue_full}}), so that a flood of
 * notices cannot grow memory or slow a session. {@link #close} writes what is still queued to the outbox and stops;
 * messages not yet delivered are attempted again by the next broker on the same outbox.
 */
public final class WebhookNotices implements Notices, AutoCloseable {
    private static final long CLOSE_WAIT_MS = 5_000;

    private final BlockingQueue<Notice> queue;
    private final AtomicBoolean drainDue = new AtomicBoolean();
    private final ScheduledThreadPoolExecutor thread;
    private final Dispatcher dispatcher;
    private final Deliverer deliverer;
    private final WebhookMeters meters;
    private final OperatorLog log;
    private volatile boolean closed;

    private WebhookNotices(Webhooks config, ScheduledThreadPoolExecutor thread, Dispatcher dispatcher,
                           Deliverer deliverer, WebhookMeters meters, OperatorLog log) {
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.thread = thread;
        this.dispatcher = dispatcher;
        this.deliverer = deliverer;
        this.meters = meters;
        this.log = log;
    }

    /**
     * Starts delivering to {@code config}'s endpoints, first whatever an earlier run left in the outbox; empty when
     * no endpoint is configured (then nothing is started and no outbox is created).
     *
     * @param notices where {@link Notice.WebhookDisabled} is published: the audit log, its one consumer
     */
    public static Optional<WebhookNotices> start(Webhooks config, MeterRegistry registry, OperatorLog log,
                                                 InstantSource clock, Notices notices) throws Exception {
        return start(config, registry, log, clock, notices, Optional.empty());
    }

    /**
     * As {@link #start(Webhooks, MeterRegistry, OperatorLog, InstantSource, Notices)}, in a cluster when
     * {@code cluster} is present: each event is claimed in Redis first, so that one node announces it, with a
     * {@code webhook-id} that is the same on every node (docs/webhooks.md, "In a cluster").
     */
    public static Optional<WebhookNotices> start(Webhooks config, MeterRegistry registry, OperatorLog log,
                                                 InstantSource clock, Notices notices,
                                                 Optional<ClusterLink> cluster) throws Exception {
        if (config.endpoints().isEmpty()) {
            return Optional.empty();
        }
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "switchboard-webhooks");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        Deliverer deliverer = new Deliverer(config);
        WebhookMeters meters = new WebhookMeters(registry);
        Dispatcher dispatcher = new Dispatcher(config, new Outbox(config.outboxDir()), deliverer, thread, log,
                notices, clock, meters, cluster.map(ClusterClaims::new));
        thread.execute(dispatcher::recover);
        return Optional.of(new WebhookNotices(config, thread, dispatcher, deliverer, meters, log));
    }

    @Override
    public void publish(Notice notice) {
        if (closed) {
            return;
        }
        if (!queue.offer(notice)) {
            meters.dropped("queue_full");
            log.warn("webhook:queue:full", "webhook queue full: a notice was dropped{}");
            return;
        }
        if (drainDue.compareAndSet(false, true)) {
            try {
                thread.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // Closed meanwhile.
            }
        }
    }

    private void drain() {
        // Cleared before polling: a notice offered after the last poll finds the flag clear and asks again.
        drainDue.set(false);
        for (Notice notice = queue.poll(); notice != null; notice = queue.poll()) {
            dispatcher.onNotice(notice);
        }
    }

    /**
     * Stops: what is queued is written to the outbox (not attempted; in a cluster once its claim has completed),
     * attempts in flight are abandoned (their messages stay in the outbox) and the client stops. Blocks up to a few
     * seconds.
     */
    @Override
    public void close() {
        closed = true;
        try {
            thread.submit(() -> {
                dispatcher.close();
                drain();
            }).get(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
            // Claims complete within the Redis command timeout; their messages are written on the webhook thread.
            dispatcher.claimsSettled().get(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            // Best effort: whatever was not written is lost, as a crash would lose it.
        }
        thread.shutdownNow();
        deliverer.close();
    }
}
