package dev.switchboard.broker.session;

import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamListener;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.broker.route.Route;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One response in progress, across all its upstream attempts (retries and failovers). Its identity is also the
 * ring tag of its upstream events: the session drops events whose tag is not its active run, which is how a
 * cancelled response's queued deltas vanish.
 *
 * <p>Mutable fields are confined to the shard thread, except {@link #upstream} (read by the scheduler to retry
 * a refused delivery) and the ring credit counters.
 */
final class ResponseRun implements UpstreamListener {
    private static final long RESUME_DELAY_MICROS = 500;
    /**
     * Events of this run allowed in the ring at once. Without a per-stream credit a fast provider could fill a
     * shared ring (delaying every other session of the shard) and overshoot its connection's watermark by a
     * whole ring; with it, one stream holds at most this many slots.
     */
    static final int RING_CREDIT = 256;

    final String id = Ids.next("resp_");
    final String model;
    final long requestedNanos;
    final Map<String, String> metadata;
    final List<String> modalities;
    final List<OutputItem> items = new ArrayList<>();
    final Map<Integer, OutputItem> calls = new HashMap<>();
    OutputItem textItem;
    boolean joinsConversation = true;
    long upstreamOpenedNanos;
    long deltas;
    boolean firstTokenRecorded;
    int targetIndex;
    int retries;
    boolean prefillAttempt;
    /** Whether the current target's breaker admitted an attempt whose terminal event has not been handled. */
    boolean attemptInFlight;
    /**
     * Deltas emitted by earlier attempts of this response (failed over or restarted). Their tokens were generated
     * and delivered but are missing from the answering provider's usage, so they are added to its output tokens.
     */
    long deltasBeforeAttempt;
    UpstreamOutcome.Failed lastFailure;

    private final List<Route.Target> targets;
    private final UpstreamRequest baseRequest;
    private final RealtimeSession session;
    private final Shard shard;
    private final ScheduledExecutorService scheduler;
    private final AtomicInteger inRing = new AtomicInteger();
    private volatile Upstream upstream;
    private volatile boolean starved;

    ResponseRun(RealtimeSession session, Shard shard, ScheduledExecutorService scheduler, Route route,
                UpstreamRequest baseRequest, long requestedNanos, List<String> modalities) {
        this.session = session;
        this.shard = shard;
        this.scheduler = scheduler;
        this.model = route.model();
        this.targets = route.targets();
        this.baseRequest = baseRequest;
        this.requestedNanos = requestedNanos;
        this.metadata = baseRequest.metadata();
        this.modalities = modalities;
    }

    Route.Target target() {
        return targets.get(targetIndex);
    }

    int targetCount() {
        return targets.size();
    }

    Route.Target target(int index) {
        return targets.get(index);
    }

    String provider() {
        return target().provider().name();
    }

    /** Whether any output of this response has been emitted. */
    boolean hasOutput() {
        return !items.isEmpty();
    }

    /**
     * The request for the current target. A prefill attempt appends the text emitted so far as a trailing
     * assistant message, which prefill-capable providers continue rather than answer.
     */
    UpstreamRequest request() {
        List<ConversationItem> items = baseRequest.items();
        if (prefillAttempt && textItem != null) {
            items = new ArrayList<>(items);
            items.add(ConversationItem.message(textItem.itemId, "assistant", "incomplete",
                    List.of(ContentPart.text("output_text", textItem.text.toString()))));
        }
        return new UpstreamRequest(target().upstreamModel(), baseRequest.instructions(), items,
                baseRequest.metadata(), maxOutputTokens(), baseRequest.tools(), baseRequest.toolChoice(),
                baseRequest.upstreamParams());
    }

    /**
     * The output-token cap of the current attempt. {@code max_output_tokens} bounds the whole answer, so a
     * continuation gets only what the interrupted text has left; its deltas stand in for tokens (each carries at
     * least one), which can only over-estimate what is left, never cut the answer short. May be zero or less:
     * see {@link #outputBudgetSpent()}.
     */
    OptionalInt maxOutputTokens() {
        OptionalInt cap = baseRequest.maxOutputTokens();
        if (!prefillAttempt || textItem == null || cap.isEmpty()) {
            return cap;
        }
        return OptionalInt.of(cap.getAsInt() - textItem.deltas);
    }

    /** Whether a continuation would have no output tokens left to produce. */
    boolean outputBudgetSpent() {
        OptionalInt cap = maxOutputTokens();
        return cap.isPresent() && cap.getAsInt() <= 0;
    }

    void attach(Upstream stream) {
        this.upstream = stream;
    }

    Upstream upstream() {
        return upstream;
    }

    /**
     * Called on the upstream's thread. Refuses when the run's ring credit is used up or the ring is full; the
     * refused upstream is re-offered later, so nothing is lost.
     */
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
        scheduleRetryDelivery();
        return false;
    }

    /**
     * The consumer took {@code taken} of this run's events off the ring (shard thread). Once half the credit is
     * free again, a refused upstream is re-offered its event on the scheduler, never on the shard thread, so
     * provider parsing never runs on a ring consumer.
     */
    void onConsumed(int taken) {
        int left = inRing.addAndGet(-taken);
        if (starved && left <= RING_CREDIT / 2) {
            starved = false;
            scheduler.execute(this::retryDelivery);
        }
    }

    private void scheduleRetryDelivery() {
        scheduler.schedule(this::retryDelivery, RESUME_DELAY_MICROS, TimeUnit.MICROSECONDS);
    }

    private void retryDelivery() {
        Upstream current = upstream;
        if (current == null) {
            scheduleRetryDelivery();
        } else {
            current.retryDelivery();
        }
    }
}
