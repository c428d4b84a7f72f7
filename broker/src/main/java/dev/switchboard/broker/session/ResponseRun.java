package dev.switchboard.broker.session;

import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamListener;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.broker.route.Route;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.stream.UpstreamSource;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One response in progress, across all its upstream attempts (retries and failovers). Its identity is also the
 * ring tag of its upstream events: the session drops events whose tag is not its active run, which is how a
 * cancelled response's queued deltas vanish.
 *
 * <p>Mutable fields are confined to the shard thread, except {@link #upstream} (volatile) and the ring credit
 * ({@link RingCredit}, thread-safe).
 */
final class ResponseRun implements UpstreamListener, UpstreamSource {
    /**
     * Events of this run allowed in the ring at once. Without a per-stream credit a fast provider could fill a
     * shared ring (delaying every other session of the shard) and overshoot its connection's watermark by a
     * whole ring; with it, one stream holds at most this many slots.
     */
    static final int RING_CREDIT = 256;

    final String id;
    /** The response as hooks see it. */
    final ResponseHooks.ResponseInfo info;
    /** How many times the response moved to another target (or restarted on its own). */
    int failovers;
    /** When the first output delta was handled ({@link System#nanoTime()}), or 0. */
    long firstTokenNanos;
    final String model;
    final long requestedNanos;
    final Map<String, String> metadata;
    final List<String> modalities;
    final List<OutputItem> items = new ArrayList<>();
    final Map<Integer, OutputItem> calls = new HashMap<>();
    OutputItem textItem;
    boolean joinsConversation = true;
    /** A hook said a budget reached zero on this response's last delta: stop after that delta's events. */
    boolean budgetExhausted;
    /** A content policy {@code block} matched the output: the session stops the response. */
    boolean policyBlocked;
    long upstreamOpenedNanos;
    long deltas;
    boolean firstTokenRecorded;
    /**
     * Deltas emitted by earlier attempts of this response (failed over or restarted). Their tokens were generated
     * and delivered but are missing from the answering provider's usage, so they are added to its output tokens.
     */
    long deltasBeforeAttempt;
    /** The response's trace ({@link ResponseTrace#NONE} when nothing is exported); set once it is allowed to run. */
    ResponseTrace trace = ResponseTrace.NONE;
    /** Target choice, retries, failover and breaker verdicts: the only writer of attempt state. */
    final ResponseAttempts attempts;

    private UpstreamRequest baseRequest;
    private final RealtimeSession session;
    private final RingCredit credit;
    private volatile Upstream upstream;

    ResponseRun(RealtimeSession session, ResponseHooks.SessionInfo sessionInfo, Shard shard,
                ScheduledExecutorService scheduler, Route route, UpstreamRequest baseRequest, long requestedNanos,
                List<String> modalities, String id) {
        this.id = id;
        this.info = new ResponseHooks.ResponseInfo(sessionInfo, id);
        this.session = session;
        this.credit = new RingCredit(session, this, shard, scheduler, RING_CREDIT);
        this.model = route.model();
        this.attempts = new ResponseAttempts(route.targets(), () -> ThreadLocalRandom.current().nextDouble());
        this.baseRequest = baseRequest;
        this.requestedNanos = requestedNanos;
        this.metadata = baseRequest.metadata();
        this.modalities = modalities;
    }

    Route.Target target() {
        return attempts.target();
    }

    /** What has been emitted, as the attempts need it to decide how a failover goes on. */
    ResponseAttempts.Output output() {
        return new ResponseAttempts.Output(hasOutput(), textItem != null && calls.isEmpty());
    }

    String provider() {
        return target().provider().name();
    }

    /** The request as asked, before any attempt (for the hooks' estimate). */
    UpstreamRequest baseRequest() {
        return baseRequest;
    }

    /** Replaces the output cap before the first attempt (a hook's {@code Modify} verdict). */
    void capOutputTokens(OptionalInt cap) {
        UpstreamRequest r = baseRequest;
        baseRequest = new UpstreamRequest(r.model(), r.instructions(), r.items(), r.metadata(), cap, r.tools(),
                r.toolChoice(), r.upstreamParams());
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
        if (attempts.prefill() && textItem != null) {
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
        if (!attempts.prefill() || textItem == null || cap.isEmpty()) {
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
        credit.attach(stream);
    }

    Upstream upstream() {
        return upstream;
    }

    /** Upstream thread: into the ring under the run's credit (see {@link RingCredit}); nothing refused is lost. */
    @Override
    public boolean tryDeliver(UpstreamEvent event) {
        return credit.tryDeliver(event);
    }

    /** Shard thread: the consumer took {@code taken} of this run's events off the ring. */
    void onConsumed(int taken) {
        credit.onConsumed(taken);
    }
}
