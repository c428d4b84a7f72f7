package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One Realtime response: sends {@code response.created} at once, then paces its {@link GenerationPlan}'s tokens
 * through a {@link ResponseOutput} on the shared {@link PacingScheduler}, and ends with exactly one
 * {@code response.done} (unless a fault cuts or stalls the connection).
 *
 * <p>Design note. All methods run on the connection's {@link SerialExecutor}, so the fields need no locks. Like
 * {@link PacedStream}, the response is a loop of <em>steps</em>: a step sends every token due by now (at most
 * {@value #MAX_TOKENS_PER_STEP}) and the next step is scheduled only after Jetty wrote the step's last frame, so a
 * slow reader holds generation back instead of queueing it. Token {@code i} is due at
 * {@code firstDue + max(i × interval, audio so far ÷ audio speed)}, so pacing does not drift and audio is never
 * produced faster than the {@code sim_audio_speed} multiple of real time. Once {@link #ended} is set (completed,
 * cancelled, failed, cut or stalled) pending steps and write completions do nothing, which is how a cancel stops
 * generation at once.
 *
 * <p>The output item is added (with {@code response.output_item.added}, and {@code conversation.item.added} when
 * the response writes to the conversation) together with the first token, after the TTFT.
 */
final class RealtimeResponse {

    static final int MAX_TOKENS_PER_STEP = PacedStream.MAX_TOKENS_PER_WRITE;
    /** Rates faster than one token per step are batched: no step follows another sooner than this. */
    static final long MIN_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The frame the {@code malformed_at} fault sends: a delta event cut off mid-JSON. */
    static final String MALFORMED_FRAME = "{\"type\":\"response.output_text.delta\",\"response_id\":";

    private final GenerationPlan plan;
    private final ResponseSpec spec;
    private final ResponseOutput output;
    private final ConnectionContext context;
    private final ResponseFrames frames;
    private final @Nullable RealtimeConversation conversation;
    private final @Nullable String conversationId;
    private final Runnable onEnded;
    private final TokenSource tokens;
    private final int streamedTokens;
    private final long firstDueNanos;
    private final long nanosPerAudioMs;
    private int emitted;
    private long audioMs;
    private boolean opened;
    private boolean ended;

    /**
     * @param conversation    the default conversation when the response writes to it, else {@code null}
     * @param nanosPerAudioMs generation time per millisecond of output audio; 0 for text
     * @param arrivalNanos    when the request for this response arrived ({@link System#nanoTime()})
     * @param onEnded         runs once when the response ends with a {@code response.done}
     */
    RealtimeResponse(GenerationPlan plan, ResponseSpec spec, ResponseOutput output, ConnectionContext context,
            @Nullable RealtimeConversation conversation, long nanosPerAudioMs, long arrivalNanos, Runnable onEnded) {
        this.plan = plan;
        this.spec = spec;
        this.output = output;
        this.context = context;
        this.frames = new ResponseFrames(context.out());
        this.conversation = conversation;
        this.conversationId = conversation == null ? null : context.ids().conversationId();
        this.nanosPerAudioMs = nanosPerAudioMs;
        this.onEnded = onEnded;
        this.tokens = plan.tokens();
        this.streamedTokens = plan.streamedTokens();
        this.firstDueNanos = arrivalNanos + plan.ttftNanos();
    }

    String id() {
        return plan.completionId();
    }

    boolean ended() {
        return ended;
    }

    /** The output item, once added to the response. */
    Optional<RealtimeItem> item() {
        return opened ? Optional.of(output.item()) : Optional.empty();
    }

    /** Sends {@code response.created} and schedules the first step for when the first token is due. */
    void start() {
        context.runtime().stats().onRealtimeResponse();
        ObjectNode created = frames.event("response.created");
        created.set("response", responseObject(ResponseObject.IN_PROGRESS, null, null));
        frames.add(created);
        frames.flush(null);
        scheduleStep();
    }

    /**
     * Stops generating at once and ends the response as {@code cancelled} with {@code reason}
     * ({@code client_cancelled} or {@code turn_detected}): the open content and item are finished with what was
     * sent so far (status {@code incomplete}), then {@code response.done}. Returns {@code false} if it had ended.
     */
    boolean cancel(String reason) {
        if (ended) {
            return false;
        }
        context.runtime().stats().onRealtimeResponseCancelled();
        if (opened) {
            closeItem(RealtimeItem.INCOMPLETE);
        }
        addDone(ResponseObject.CANCELLED, ResponseObject.details(ResponseObject.CANCELLED, reason));
        frames.flush(null);
        end();
        return true;
    }

    /** Stops without another event: the connection is gone. */
    void abort() {
        ended = true;
    }

    private void step() {
        if (ended) {
            return;
        }
        if (!opened) {
            open();
        }
        int count = 0;
        while (emitted < streamedTokens && count < MAX_TOKENS_PER_STEP
                && (count == 0 || dueNanos() <= System.nanoTime())) {
            Token token = tokens.next();
            if (emitted + 1 == plan.faults().malformedAt()) {
                frames.add(MALFORMED_FRAME);
            }
            audioMs += output.emit(token, frames);
            emitted++;
            count++;
        }
        if (emitted < streamedTokens) {
            frames.flush(() -> context.executor().execute(this::onStepWritten));
        } else {
            finish();
        }
    }

    private void onStepWritten() {
        if (!ended) {
            scheduleStep();
        }
    }

    private void scheduleStep() {
        long delayNanos = dueNanos() - System.nanoTime();
        if (opened && delayNanos > 0 && delayNanos < MIN_STEP_NANOS) {
            delayNanos = MIN_STEP_NANOS;
        }
        if (!context.schedule(this::step, delayNanos)) {
            abort();
        }
    }

    private long dueNanos() {
        return firstDueNanos + Math.max(emitted * plan.tokenIntervalNanos(), audioMs * nanosPerAudioMs);
    }

    private void open() {
        opened = true;
        RealtimeItem item = output.item();
        ObjectNode added = frames.event("response.output_item.added");
        added.put("response_id", id());
        added.put("output_index", 0);
        added.set("item", item.toJson());
        frames.add(added);
        if (conversation != null) {
            ObjectNode conversationAdded = frames.event("conversation.item.added");
            conversationAdded.put("previous_item_id", conversation.append(item).orElse(null));
            conversationAdded.set("item", item.toJson());
            frames.add(conversationAdded);
        }
        output.open(frames);
    }

    /** The last token went out: end as the plan's fault ending says. */
    private void finish() {
        switch (plan.faults().ending()) {
            case COMPLETE, NO_DONE -> {
                boolean capped = plan.finish() == GenerationPlan.Finish.LENGTH;
                closeItem(capped ? RealtimeItem.INCOMPLETE : RealtimeItem.COMPLETED);
                addDone(capped ? ResponseObject.INCOMPLETE : ResponseObject.COMPLETED,
                        capped ? ResponseObject.details(ResponseObject.INCOMPLETE, "max_output_tokens") : null);
                frames.flush(null);
                end();
            }
            case INBAND_ERROR -> {
                output.item().setStatus(RealtimeItem.INCOMPLETE);
                ObjectNode error = frames.event("error");
                error.putObject("error").put("type", "server_error").put("code", "server_error")
                        .put("message", "The server had an error while processing your request.")
                        .putNull("param").putNull("event_id");
                frames.add(error);
                addDone(ResponseObject.FAILED, ResponseObject.failure("server_error", "server_error"));
                frames.flush(null);
                end();
            }
            case CUT -> {
                // Close without a close frame once the last delta is written; nothing else goes out meanwhile.
                frames.flush(() -> context.executor().execute(context.out()::disconnect));
                context.out().mute();
                ended = true;
            }
            case STALL -> {
                frames.flush(null);
                context.out().mute();
                ended = true;
            }
        }
    }

    private void closeItem(String status) {
        RealtimeItem item = output.item();
        output.close(frames);
        item.setStatus(status);
        ObjectNode done = frames.event("response.output_item.done");
        done.put("response_id", id());
        done.put("output_index", 0);
        done.set("item", item.toJson());
        frames.add(done);
        if (conversation != null && conversation.contains(item.id())) {
            ObjectNode conversationDone = frames.event("conversation.item.done");
            conversationDone.put("previous_item_id", conversation.previousOf(item.id()).orElse(null));
            conversationDone.set("item", item.toJson());
            frames.add(conversationDone);
        }
    }

    private void addDone(String status, @Nullable ObjectNode details) {
        ObjectNode done = frames.event("response.done");
        done.set("response", responseObject(status, details, ResponseObject.usage(plan.promptTokens(), emitted)));
        frames.add(done);
    }

    private ObjectNode responseObject(String status, @Nullable ObjectNode details, @Nullable ObjectNode usage) {
        return ResponseObject.of(id(), status, details, item(), conversationId, spec, usage);
    }

    private void end() {
        ended = true;
        onEnded.run();
    }
}
