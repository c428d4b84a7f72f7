package dev.switchboard.simulator;

import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one {@link ProviderSimulator}.
 *
 * <p>Thread-safe: counters are {@link LongAdder}s incremented by Jetty and pacing threads and readable from any
 * thread. Each getter is individually up to date; reading several getters is not an atomic snapshot.
 */
public final class SimulatorStats {

    private final LongAdder requests = new LongAdder();
    private final LongAdder streamsStarted = new LongAdder();
    private final LongAdder streamsCompleted = new LongAdder();
    private final LongAdder streamsAborted = new LongAdder();
    private final LongAdder faultsInjected = new LongAdder();
    private final LongAdder realtimeSessionsOpened = new LongAdder();
    private final LongAdder realtimeSessionsClosed = new LongAdder();
    private final LongAdder realtimeResponses = new LongAdder();
    private final LongAdder realtimeResponsesCancelled = new LongAdder();

    SimulatorStats() {
    }

    /** HTTP requests received on any path, including rejected and unknown ones. */
    public long requests() {
        return requests.sum();
    }

    /** Streaming chat completions whose response was begun (status 200 and SSE headers). */
    public long streamsStarted() {
        return streamsStarted.sum();
    }

    /**
     * Streams whose body the simulator ended properly: with {@code data: [DONE]} (or {@code message_stop}), or
     * with the faulty endings {@code no_done} and {@code inband_error_after}.
     */
    public long streamsCompleted() {
        return streamsCompleted.sum();
    }

    /**
     * Streams that ended early: client disconnect, failed write, idle timeout, simulator shutdown, or a
     * {@code cut_after} fault.
     */
    public long streamsAborted() {
        return streamsAborted.sum();
    }

    /** Streams started but neither completed nor aborted; approximate while streams are changing state. */
    public long streamsActive() {
        return streamsStarted() - streamsCompleted() - streamsAborted();
    }

    /**
     * Requests that a {@code /faults/{spec}} path changed: refused (error status, reset, no response, rejected
     * prefill) or shaped (replaced first-token delay, or stream faults on a streamed request or a Realtime
     * connection). Each counts once; requests past a {@code fail_first} budget, and faults that do not apply to a
     * request, are not counted.
     */
    public long faultsInjected() {
        return faultsInjected.sum();
    }

    /** Realtime WebSocket connections that were upgraded and opened. */
    public long realtimeSessionsOpened() {
        return realtimeSessionsOpened.sum();
    }

    /** Realtime WebSocket connections that have closed, for whatever reason. */
    public long realtimeSessionsClosed() {
        return realtimeSessionsClosed.sum();
    }

    /** Realtime connections open now; approximate while connections are opening or closing. */
    public long realtimeSessionsActive() {
        return realtimeSessionsOpened() - realtimeSessionsClosed();
    }

    /** Realtime responses started ({@code response.created} sent), by the client or by server VAD. */
    public long realtimeResponses() {
        return realtimeResponses.sum();
    }

    /** Realtime responses that ended as {@code cancelled}: by {@code response.cancel} or by server VAD. */
    public long realtimeResponsesCancelled() {
        return realtimeResponsesCancelled.sum();
    }

    void onRequest() {
        requests.increment();
    }

    void onStreamStarted() {
        streamsStarted.increment();
    }

    void onStreamCompleted() {
        streamsCompleted.increment();
    }

    void onStreamAborted() {
        streamsAborted.increment();
    }

    void onFaultInjected() {
        faultsInjected.increment();
    }

    void onRealtimeSessionOpened() {
        realtimeSessionsOpened.increment();
    }

    void onRealtimeSessionClosed() {
        realtimeSessionsClosed.increment();
    }

    void onRealtimeResponse() {
        realtimeResponses.increment();
    }

    void onRealtimeResponseCancelled() {
        realtimeResponsesCancelled.increment();
    }

    @Override
    public String toString() {
        return "SimulatorStats[requests=" + requests() + ", streamsStarted=" + streamsStarted()
                + ", streamsCompleted=" + streamsCompleted() + ", streamsAborted=" + streamsAborted()
                + ", faultsInjected=" + faultsInjected() + ", realtimeSessionsOpened=" + realtimeSessionsOpened()
                + ", realtimeSessionsClosed=" + realtimeSessionsClosed() + ", realtimeResponses=" + realtimeResponses()
                + ", realtimeResponsesCancelled=" + realtimeResponsesCancelled() + "]";
    }
}
