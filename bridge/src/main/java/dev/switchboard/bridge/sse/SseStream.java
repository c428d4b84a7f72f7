package dev.switchboard.bridge.sse;

import dev.switchboard.bridge.upstream.StreamTimeouts;
import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamListener;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.protocol.close.CloseReason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A provider SSE response driven by Jetty's demand-based {@link Content.Source}: no thread waits on a socket.
 *
 * <p>Design: every trigger (headers arrived, content available, resume, cancel, failure, timeout) calls
 * {@link #drain()}, which runs the read loop on the calling thread unless another thread is already in it
 * (a work-in-progress counter makes the loop single-threaded and lets a concurrent trigger cause one more
 * pass). Only the loop touches the parser, the mapper, the pending queue and the listener, so callbacks are
 * never concurrent. The loop reads a chunk only when no parsed events are pending and the stream is not paused,
 * which bounds held events to one network read.
 *
 * <p>Deadlines measure the provider, never the broker: both count only time spent waiting for provider bytes
 * (before the response headers, or with demand registered). Time the broker spends not reading — paused at a
 * connection's high watermark, holding an event the ring refused, a detached session waiting for a resume — is
 * the broker's, so a slow or vanished client can never make a healthy provider look stalled (issue 10). The
 * first-token deadline fails the stream once that waiting adds up to the first-token timeout with no delta parsed;
 * from the first delta on, a self-rescheduling idle check fails it once a single wait exceeds the idle timeout.
 * Jetty's own idle timeout is disabled for the request: it cannot tell a paused read from a silent provider, and
 * a paused stream is bounded by the broker (slow-consumer close, replay-log stop, session expiry).
 */
public final class SseStream implements Upstream {
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
    private static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

    private final Request request;
    private final SseEventMapper mapper;
    private final UpstreamListener listener;
    private final SseParser parser = new SseParser(MAX_LINE_BYTES);
    private final AtomicInteger wip = new AtomicInteger();
    // Loop-confined state.
    private final ArrayDeque<UpstreamEvent> pending = new ArrayDeque<>();
    private boolean endQueued;
    private boolean cancelQueued;
    private boolean ended;
    private boolean discardRest;
    private ByteArrayOutputStream errorBody;
    // Written by Jetty or broker threads, read by the loop.
    private volatile Content.Source source;
    private volatile int status;
    private volatile HttpFields headers = HttpFields.EMPTY;
    private volatile boolean demanding;
    private volatile boolean paused;
    private volatile boolean cancelRequested;
    private volatile boolean firstTokenSeen;
    private volatile boolean firstTokenTimedOut;
    private volatile Throwable failure;
    private volatile Scheduler.Task firstTokenTask;
    private volatile Scheduler.Task idleTask;
    private volatile long demandSinceNanos;
    /** Provider-attributable wait before {@link #demandSinceNanos}'s current wait, for the first-token deadline. */
    private volatile long waitedBeforeNanos;
    private final long openedNanos = System.nanoTime();
    private volatile boolean endDelivered;
    private final StreamTimeouts timeouts;
    private final Scheduler scheduler;

    /**
     * The read loop never blocks (it parses, and offers events with a non-blocking {@code tryDeliver}), so it is
     * declared non-blocking: Jetty may then run it on the selector thread that saw the bytes arrive instead of
     * handing every network read to another pool thread — one context switch less per chunk.
     */
    private final Runnable onDemandTask = Invocable.from(Invocable.InvocationType.NON_BLOCKING, this::onDemand);

    private SseStream(Request request, SseEventMapper mapper, UpstreamListener listener, StreamTimeouts timeouts,
                      Scheduler scheduler) {
        this.request = request;
        this.mapper = mapper;
        this.listener = listener;
        this.timeouts = timeouts;
        this.scheduler = scheduler;
    }

    /**
     * Sends {@code request} and streams its SSE response to {@code listener}.
     *
     * @param client the shared client whose scheduler runs the first-token deadline
     * @param request a prepared, unsent request; this method installs its response listeners
     */
    public static SseStream open(HttpClient client, Request request, SseEventMapper mapper,
                                 UpstreamListener listener, StreamTimeouts timeouts) {
        SseStream stream = new SseStream(request, mapper, listener, timeouts, client.getScheduler());
        // No Jetty idle timeout (0 disables it for this request): it would also fire while the broker holds the
        // stream paused, and count our own backpressure as a provider stall (see the class comment).
        request.idleTimeout(0, TimeUnit.MILLISECONDS);
        request.onResponseContentSource((response, contentSource) -> {
            stream.waitedBeforeNanos = System.nanoTime() - stream.openedNanos;
            stream.status = response.getStatus();
            stream.headers = response.getHeaders();
            stream.source = contentSource;
            stream.drain();
        });
        stream.firstTokenTask = stream.scheduler.schedule(stream::onFirstTokenDeadline,
                timeouts.firstToken().toMillis(), TimeUnit.MILLISECONDS);
        request.send(result -> {
            if (result.isFailed()) {
                stream.failure = result.getFailure();
                stream.drain();
            }
        });
        return stream;
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
        drain();
    }

    @Override
    public void retryDelivery() {
        drain();
    }

    @Override
    public void cancel() {
        if (!cancelRequested) {
            cancelRequested = true;
            request.abort(new CancellationException("cancelled by the broker"));
            drain();
        }
    }

    /**
     * The first-token deadline fires: fails the stream if the time spent waiting for the provider (not the time the
     * broker held it paused) has reached the first-token timeout, else re-arms for the rest.
     */
    private void onFirstTokenDeadline() {
        if (firstTokenSeen || endDelivered) {
            return;
        }
        long budgetNanos = timeouts.firstToken().toNanos();
        long waitedNanos = providerWaitNanos(System.nanoTime());
        if (waitedNanos >= budgetNanos) {
            firstTokenTimedOut = true;
            request.abort(new TimeoutException("no first token within " + timeouts.firstToken().toMillis() + " ms"));
            drain();
        } else {
            firstTokenTask = scheduler.schedule(this::onFirstTokenDeadline, budgetNanos - waitedNanos,
                    TimeUnit.NANOSECONDS);
        }
    }

    /** Time spent waiting for provider bytes so far: before the headers, and while demand was registered. */
    private long providerWaitNanos(long nowNanos) {
        if (source == null) {
            return nowNanos - openedNanos;
        }
        return waitedBeforeNanos + (demanding ? nowNanos - demandSinceNanos : 0);
    }

    /**
     * Fails the stream once it has waited longer than the idle timeout for provider bytes. Time spent not
     * demanding (paused, or holding a refused event) is the broker's, not the provider's, and does not count.
     */
    private void onIdleCheck() {
        if (endDelivered) {
            return;
        }
        long idleNanos = timeouts.idle().toNanos();
        long waitedNanos = demanding ? System.nanoTime() - demandSinceNanos : 0;
        if (waitedNanos >= idleNanos) {
            request.abort(new TimeoutException("no data from the provider for " + timeouts.idle().toMillis()
                    + " ms"));
        } else {
            idleTask = scheduler.schedule(this::onIdleCheck, idleNanos - waitedNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void onDemand() {
        if (!firstTokenSeen) {
            waitedBeforeNanos += System.nanoTime() - demandSinceNanos;
        }
        demanding = false;
        drain();
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            loop();
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void loop() {
        while (true) {
            if (ended) {
                if (!discardRest || !discardOne()) {
                    return;
                }
                continue;
            }
            if (cancelRequested && !cancelQueued) {
                // Cancel drops everything not yet delivered, an End already queued behind a refused event too.
                cancelQueued = true;
                pending.clear();
                endQueued = false;
                queue(new UpstreamEvent.End(new UpstreamOutcome.Cancelled()));
            }
            UpstreamEvent next = pending.peek();
            if (next != null) {
                if (!deliver(next)) {
                    return;
                }
                continue;
            }
            if (!endQueued && firstTokenTimedOut) {
                queue(new UpstreamEvent.End(new UpstreamOutcome.Failed(CloseReason.UPSTREAM_TIMEOUT,
                        "the provider sent no first token within " + timeouts.firstToken().toMillis() + " ms",
                        Optional.empty())));
                continue;
            }
            Throwable failed = failure;
            if (failed != null) {
                queue(new UpstreamEvent.End(mapper.onFailure(failed, source == null)));
                continue;
            }
            if (paused || !readOne()) {
                return;
            }
        }
    }

    /** Offers one pending event; false when the listener refused it. */
    private boolean deliver(UpstreamEvent next) {
        if (!listener.tryDeliver(next)) {
            return false;
        }
        pending.poll();
        if ((next instanceof UpstreamEvent.TextDelta || next instanceof UpstreamEvent.ToolCallDelta) && !firstTokenSeen) {
            firstTokenSeen = true;
            cancelFirstTokenTask();
            idleTask = scheduler.schedule(this::onIdleCheck, timeouts.idle().toNanos(), TimeUnit.NANOSECONDS);
        } else if (next instanceof UpstreamEvent.End end) {
            ended = true;
            endDelivered = true;
            cancelFirstTokenTask();
            cancelTask(idleTask);
            // A completed body is read to its end so the connection returns to the pool; anything else aborts.
            discardRest = end.outcome() instanceof UpstreamOutcome.Completed && source != null;
            if (!discardRest) {
                request.abort(new CancellationException("stream ended"));
            }
        }
        return true;
    }

    private void cancelFirstTokenTask() {
        cancelTask(firstTokenTask);
    }

    private static void cancelTask(Scheduler.Task task) {
        if (task != null) {
            task.cancel();
        }
    }

    /** Reads and parses one chunk; false when no chunk is available (demand is then registered). */
    private boolean readOne() {
        Content.Source src = source;
        if (src == null || demanding) {
            return false;
        }
        Content.Chunk chunk = src.read();
        if (chunk == null) {
            demandSinceNanos = System.nanoTime();
            demanding = true;
            src.demand(onDemandTask);
            return false;
        }
        try {
            if (chunk.getFailure() != null) {
                queue(new UpstreamEvent.End(mapper.onFailure(chunk.getFailure(), false)));
                return true;
            }
            if (status / 100 != 2) {
                collectErrorBody(chunk.getByteBuffer(), chunk.isLast());
            } else {
                parse(chunk.getByteBuffer(), chunk.isLast());
            }
            return true;
        } finally {
            chunk.release();
        }
    }

    private void parse(ByteBuffer buffer, boolean last) {
        long now = System.nanoTime();
        try {
            parser.feed(buffer, event -> {
                if (!endQueued) {
                    mapper.onEvent(event, now, this::queue);
                }
            });
        } catch (SseFormatException e) {
            queue(new UpstreamEvent.End(new UpstreamOutcome.Failed(CloseReason.UPSTREAM_STREAM_BROKEN,
                    "the provider sent a malformed event stream: " + e.getMessage(), Optional.empty())));
        }
        if (last && !endQueued) {
            queue(new UpstreamEvent.End(mapper.onEndOfStream()));
        }
    }

    private void collectErrorBody(ByteBuffer buffer, boolean last) {
        if (errorBody == null) {
            errorBody = new ByteArrayOutputStream();
        }
        int room = MAX_ERROR_BODY_BYTES - errorBody.size();
        int take = Math.min(room, buffer.remaining());
        if (take > 0) {
            byte[] bytes = new byte[take];
            buffer.get(bytes);
            errorBody.write(bytes, 0, take);
        }
        if (last || room <= 0) {
            String body = errorBody.toString(StandardCharsets.UTF_8);
            queue(new UpstreamEvent.End(mapper.onHttpError(status, headers, body)));
        }
    }

    /** After a completed end: reads and drops the rest of the body; false when waiting for more or done. */
    private boolean discardOne() {
        Content.Source src = source;
        if (src == null || demanding) {
            return false;
        }
        Content.Chunk chunk = src.read();
        if (chunk == null) {
            demandSinceNanos = System.nanoTime();
            demanding = true;
            src.demand(onDemandTask);
            return false;
        }
        boolean more = !chunk.isLast() && chunk.getFailure() == null;
        chunk.release();
        if (!more) {
            discardRest = false;
        }
        return more;
    }

    private void queue(UpstreamEvent event) {
        if (endQueued) {
            return;
        }
        pending.add(event);
        if (event instanceof UpstreamEvent.End) {
            endQueued = true;
        }
    }
}
