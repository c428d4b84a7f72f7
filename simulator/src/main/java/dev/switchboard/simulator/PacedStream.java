package dev.switchboard.simulator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * One streamed completion: paces tokens on the shared {@link PacingScheduler} and writes them, in the wire
 * format of its {@link StreamEncoder}, with Jetty's asynchronous {@link Response#write}.
 *
 * <p>Design note. The stream is a loop of three steps that never overlap: a <em>tick</em> (on a pacing
 * thread) encodes every token due by now, at most {@value #MAX_TOKENS_PER_WRITE}, and starts one write; the
 * write's callback ({@link #succeeded()}, on whichever thread Jetty completes it) schedules the next tick for
 * when the next token is due. Because the next tick is only scheduled after the previous write completed, a
 * slow reader stalls the loop (TCP backpressure) rather than queueing data, and when it catches up the late
 * tokens go out in one batched write. Token {@code i} is due at {@code firstTokenDue + i * interval}, so
 * pacing does not drift. The plain mutable fields are confined to that loop; its hand-offs (scheduler
 * submission, Jetty's write completion, the {@link #state} CAS) order them.
 *
 * <p>Termination. {@link #state} moves {@code WAITING ⇄ WRITING → TERMINATED}, and only the thread that moves
 * it to {@code TERMINATED} completes the Jetty handler callback, so it completes exactly once. An
 * {@link #abort} (client gone, idle timeout, simulator shutdown) while a write is pending must not complete the
 * callback under that write, so it only records its cause; the write's own callback then finishes the stream:
 * as completed if that was the final write (the client has everything), otherwise as aborted.
 *
 * <p>Faulty endings ({@link StreamFaults}). The stream sends {@link GenerationPlan#streamedTokens()} token events
 * and then ends as its plan's {@link StreamFaults.Ending} says: a proper end of body (normal, without the end
 * marker, or after an in-band error) counts as completed; {@code CUT} closes the connection once the last
 * token's write completed and counts as aborted; {@code STALL} goes back to {@code WAITING} with no tick
 * scheduled, so only an {@link #abort} (idle timeout, I/O failure, shutdown) ends it, as aborted.
 */
final class PacedStream implements Callback, InFlight.Work {

    static final int MAX_TOKENS_PER_WRITE = 64;
    /** Rates faster than one token per tick are batched: no tick follows another sooner than this. */
    static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final int WAITING = 0;
    private static final int WRITING = 1;
    private static final int TERMINATED = 2;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PacedStream.class);

    private final Response response;
    private final Callback completion;
    private final GenerationPlan plan;
    private final SimulatorRuntime runtime;
    private final StreamEncoder encoder;
    private final TokenSource tokens;
    private final int streamedTokens;
    private final long firstTokenDueNanos;
    private final AtomicInteger state = new AtomicInteger(WRITING);
    private final Token[] batch = new Token[MAX_TOKENS_PER_WRITE];
    private volatile @Nullable Throwable abortCause;

    private int emitted;
    private boolean roleSent;
    private boolean finalWriteStarted;
    /** Set by {@link #start} before the first write; read only after writes, which order it. */
    private @Nullable EndPoint endPoint;

    PacedStream(Response response, Callback completion, GenerationPlan plan, StreamEncoder encoder,
            SimulatorRuntime runtime, long arrivalNanos) {
        this.response = response;
        this.completion = completion;
        this.plan = plan;
        this.runtime = runtime;
        this.encoder = encoder;
        this.tokens = plan.tokens();
        this.streamedTokens = plan.streamedTokens();
        this.firstTokenDueNanos = arrivalNanos + plan.ttftNanos();
    }

    /** Begins the response; from here on this stream owns the handler callback. */
    void start(Request request) {
        runtime.stats().onStreamStarted();
        if (!runtime.inFlight().tryAdd(this)) {
            terminate(new IOException("provider simulator is stopping"));
            return;
        }
        request.addFailureListener(this::abort);
        endPoint = ConnectionFaults.endPointOf(request);
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, encoder.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        // Commit the 200 and headers now, as a provider does on accepting the request; the first tick then
        // sends the role chunk together with the first token once the TTFT has elapsed. State starts WRITING.
        response.write(false, ByteBuffer.allocate(0), this);
    }

    /** The pending write completed: finish, or schedule the tick for the next due token. */
    @Override
    public void succeeded() {
        if (finalWriteStarted) {
            onFinalWriteCompleted();
            return;
        }
        state.set(WAITING);
        Throwable cause = abortCause;
        if (cause != null) {
            abort(cause);
            return;
        }
        long delayNanos = firstTokenDueNanos + emitted * plan.tokenIntervalNanos() - System.nanoTime();
        if (roleSent && delayNanos > 0 && delayNanos < MIN_TICK_NANOS) {
            delayNanos = MIN_TICK_NANOS;
        }
        if (!runtime.scheduler().trySchedule(this::tick, delayNanos)) {
            abort(new IOException("provider simulator is stopping"));
        }
    }

    /** The pending write failed, typically because the client went away. */
    @Override
    public void failed(Throwable cause) {
        if (state.compareAndSet(WRITING, TERMINATED)) {
            terminate(cause);
        }
    }

    /** The write callback only schedules work, so Jetty may run it on a selector thread. */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public void abort(Throwable cause) {
        while (true) {
            int current = state.get();
            if (current == TERMINATED) {
                return;
            }
            if (current == WAITING && state.compareAndSet(WAITING, TERMINATED)) {
                terminate(cause);
                return;
            }
            if (current == WRITING) {
                // Leave the callback to the pending write; re-check in case that write completed meanwhile.
                abortCause = cause;
                if (state.get() == WRITING) {
                    return;
                }
            }
        }
    }

    private void tick() {
        if (!state.compareAndSet(WAITING, WRITING)) {
            return;
        }
        int count = dueTokenCount(System.nanoTime());
        for (int i = 0; i < count; i++) {
            batch[i] = tokens.next();
        }
        emitted += count;
        finalWriteStarted = emitted == streamedTokens;
        ByteBuffer events = encoder.encode(!roleSent, batch, count, finalWriteStarted);
        roleSent = true;
        response.write(finalWriteStarted && plan.faults().ending().endsBody(), events, this);
    }

    private void onFinalWriteCompleted() {
        switch (plan.faults().ending()) {
            case CUT -> {
                if (state.compareAndSet(WRITING, TERMINATED)) {
                    ConnectionFaults.cut(Objects.requireNonNull(endPoint, "endPoint"));
                    terminate(new InjectedFault("fault: cut_after " + emitted));
                }
            }
            case STALL -> {
                // Hold the exchange with nothing scheduled; an abort (now or later) terminates it.
                state.set(WAITING);
                Throwable cause = abortCause;
                if (cause != null) {
                    abort(cause);
                }
            }
            case COMPLETE, NO_DONE, INBAND_ERROR -> {
                if (state.compareAndSet(WRITING, TERMINATED)) {
                    runtime.inFlight().remove(this);
                    runtime.stats().onStreamCompleted();
                    completion.succeeded();
                }
            }
        }
    }

    /** Tokens to send now: all that are due (at least one, since the tick was scheduled for one), capped. */
    private int dueTokenCount(long nowNanos) {
        long elapsed = nowNanos - firstTokenDueNanos;
        long due = elapsed < 0 ? 1 : elapsed / plan.tokenIntervalNanos() + 1;
        long target = Math.min(streamedTokens, Math.max(emitted + 1L, due));
        return (int) Math.min(MAX_TOKENS_PER_WRITE, target - emitted);
    }

    /** Called once, by whichever thread moved the state to TERMINATED (or before any write started). */
    private void terminate(Throwable cause) {
        state.set(TERMINATED);
        runtime.inFlight().remove(this);
        runtime.stats().onStreamAborted();
        if (LOG.isDebugEnabled()) {
            LOG.debug("Stream {} aborted after {} of {} tokens: {}", plan.completionId(), emitted,
                    plan.completionTokens(), cause.toString());
        }
        completion.failed(cause);
    }
}
