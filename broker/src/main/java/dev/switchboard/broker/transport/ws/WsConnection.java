package dev.switchboard.broker.transport.ws;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.session.ClientChannel;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.ResumeRequest;
import dev.switchboard.broker.session.SessionSignal;
import dev.switchboard.broker.stream.SessionFeed;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.event.ErrorDetail;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import dev.switchboard.broker.stream.BatchFlush;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import dev.switchboard.broker.logging.LogSetup;

/**
 * One client WebSocket. Public only because Jetty binds listener methods through method handles, which
 * requires a public class; it has no public constructor. Explicit demand: Jetty delivers the next frame only after
 * this connection calls {@link Session#demand()}, which it does once the previous message is in the session's
 * ring, or at once after a fragment that does not end its message.
 *
 * <p>Inbound bound (issue 10): messages arrive as partial messages, so Jetty never aggregates one; with its
 * auto-fragmentation (see {@code Broker}) even a single huge frame arrives in pieces of at most one network read.
 * A {@link TextAssembler} keeps at most {@code limits.max_frame_bytes} of a text message; a longer one is dropped
 * as soon as it crosses the limit, the rest is discarded as it arrives, and after its last fragment the client
 * gets one {@code frame_too_large} error while the session carries on, however large the message. Binary
 * messages are never kept: each fragment is released at once and the message gets one
 * {@code binary_frame_not_supported} error. So a connection holds at most {@code max_frame_bytes} of input plus
 * Jetty's read buffer, whatever the client sends.
 *
 * <p>Outbound bounds: unsent bytes and frames are counted from {@link #trySend} until Jetty's write callback.
 * Crossing the high watermark pauses the session's upstream; falling under the low watermark resumes it;
 * exceeding the hard limits closes the connection with {@link CloseReason#SLOW_CONSUMER}.
 */
public final class WsConnection implements Session.Listener, ClientChannel {
    private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);
    private static final long SLOW_CLOSE_GRACE_MS = 2_000;

    private final BrokerSession session;
    private final Function<String, ClientDecoding> decoder;
    private final SessionFeed<SessionSignal> feed;
    private final BrokerMetrics metrics;
    private final BrokerConfig.Outbound bounds;
    private final TextAssembler text;
    private final AtomicLong unsentBytes = new AtomicLong();
    private final java.util.function.LongSupplier unsentGauge = unsentBytes::get;
    private final AtomicInteger unsentFrames = new AtomicInteger();
    private final AtomicBoolean aboveHigh = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Counts high-watermark crossings, so a stall check only acts on the stall it was scheduled for. */
    private final AtomicLong stalls = new AtomicLong();
    private final ScheduledExecutorService scheduler;
    private volatile Session ws;
    private volatile int closeStatus = -1;
    private final long resumeFromSeq;
    /** Frames wait in Jetty's batch buffer for the end of the ring batch (shard thread only). */
    private boolean flushPending;

    /**
     * @param resumeFromSeq the client's last seq when this connection resumes {@code session}, or -1 when it opens
     *     a new session
     */
    WsConnection(BrokerSession session, long resumeFromSeq, Function<String, ClientDecoding> decoder,
                 BrokerMetrics metrics, ScheduledExecutorService scheduler, BrokerConfig.Outbound bounds,
                 int maxFrameBytes) {
        this.decoder = decoder;
        this.resumeFromSeq = resumeFromSeq;
        this.session = session;
        this.feed = new SessionFeed<>(session, session.shard(), scheduler,
                () -> close(CloseReason.INTERNAL_ERROR, "broker overloaded"));
        this.metrics = metrics;
        this.bounds = bounds;
        this.text = new TextAssembler(maxFrameBytes, message -> publish(decoder.apply(message)),
                () -> publish(rejected("frame_too_large", "frame exceeds the " + maxFrameBytes + "-byte limit "
                        + "(limits.max_frame_bytes); it was discarded")));
        this.scheduler = scheduler;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
        this.ws = opened;
        metrics.trackOutbound(unsentGauge);
        if (resumeFromSeq < 0) {
            feed.signal(new SessionSignal.Opened(this), this::demand);
        } else {
            feed.signal(new SessionSignal.Resumed(new ResumeRequest(this, resumeFromSeq)), this::demand);
        }
    }

    /**
     * One piece of a text message, in order; {@code last} ends the message. A piece that does not end its message
     * is only kept (or discarded, past the limit) and the next one demanded at once; the last piece publishes the
     * message or its {@code frame_too_large} rejection, and the next message is demanded once that is in the ring.
     */
    @Override
    public void onWebSocketPartialText(String fragment, boolean last) {
        text.accept(fragment, last);
        if (!last) {
            demand();
        }
    }

    /**
     * One piece of a binary message. Binary is not part of the protocol: every piece is released unread, and the
     * last one publishes a single {@code binary_frame_not_supported} rejection for the whole message.
     */
    @Override
    public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
        callback.succeed();
        if (!last) {
            demand();
            return;
        }
        publish(rejected("binary_frame_not_supported",
                "binary frames are not supported; send JSON events as text frames"));
    }

    /**
     * Publishes the outcome of the message that just ended, received now (when its last piece arrived, as when
     * Jetty delivered whole messages); demands the next message once it is in the ring.
     */
    private void publish(ClientDecoding message) {
        feed.client(message, System.nanoTime(), this::demand);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closeStatus = statusCode;
        onClosed();
    }

    /** The upgrade request's {@code traceparent}; read once, on the shard thread, when the session opens. */
    @Override
    public String traceParent() {
        Session opened = ws;
        return opened == null ? "" : ClientChannel.traceParentOf(opened.getUpgradeRequest().getHeader("traceparent"));
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        // Rare (an error path): the line names the session it is about.
        MDC.put(LogSetup.TENANT, session.tenant().id());
        MDC.put(LogSetup.SESSION, session.id());
        try {
            if (cause instanceof VirtualMachineError) {
                // Out of memory (or worse) while handling this connection: the operator must hear of it. Client
                // resets and protocol errors, by far the common case, stay at debug: a client must not flood the log.
                LOG.error("the broker failed while serving a client connection", cause);
            } else {
                LOG.debug("client connection error", cause);
            }
        } finally {
            MDC.remove(LogSetup.TENANT);
            MDC.remove(LogSetup.SESSION);
        }
        onClosed();
    }

    private void onClosed() {
        if (closed.compareAndSet(false, true)) {
            metrics.untrackOutbound(unsentGauge);
            // Through the same ordered feed as the frames, so CLOSED never overtakes a frame still waiting for
            // ring space (a response.create processed after CLOSED would open an upstream nobody cancels).
            feed.signal(new SessionSignal.Closed(this));
        }
    }

    private static ClientDecoding rejected(String code, String message) {
        return new ClientDecoding.Rejected(ErrorDetail.invalidRequest(code, message, ""));
    }

    /**
     * Asks Jetty for the next frame, once the previous one is in the ring. While the ring is full nothing is
     * demanded, so the client's frames wait in TCP buffers rather than in memory.
     */
    private void demand() {
        Session current = ws;
        if (current != null && !closed.get()) {
            current.demand();
        }
    }

    @Override
    public boolean trySend(String frame) {
        Session current = ws;
        if (current == null || closed.get()) {
            return false;
        }
        long size = frame.length();
        long bytes = unsentBytes.addAndGet(size);
        int frames = unsentFrames.incrementAndGet();
        if (flushPending && overLimit(bytes, size, frames)) {
            // Frames held for the end of the ring batch count as unsent: write them now (inline when the socket
            // takes them) and look again, so batching never makes a client that reads look slow.
            flushBatch();
            bytes = unsentBytes.get();
            frames = unsentFrames.get();
        }
        if (overLimit(bytes, size, frames)) {
            unsentBytes.addAndGet(-size);
            unsentFrames.decrementAndGet();
            metrics.slowConsumerClosed();
            close(CloseReason.SLOW_CONSUMER, "outbound buffer full: read faster, then resume");
            return false;
        }
        send(current, frame, size);
        if (bytes > bounds.highWatermarkBytes() && aboveHigh.compareAndSet(false, true)) {
            session.onHighWatermark(this);
            long stall = stalls.incrementAndGet();
            scheduler.schedule(() -> onStallCheck(stall), bounds.maxStall().toNanos(), TimeUnit.NANOSECONDS);
            // The writes may all have completed before the flag was set (Jetty can complete a write on this very
            // thread), in which case no later write callback would ever clear it: re-check, or the upstream would
            // stay paused and the connection would be closed as stalled with nothing unsent.
            if (unsentBytes.get() < bounds.lowWatermarkBytes() && aboveHigh.compareAndSet(true, false)
                    && !closed.get()) {
                session.onLowWatermark(this);
            }
        }
        return true;
    }

    /**
     * Whether a frame of {@code size} bytes, making {@code bytes} and {@code frames} unsent, breaks the hard bounds.
     * The byte bound applies to a client already behind: a frame that finds the unsent bytes within the high
     * watermark is let through however large it is (a long answer's {@code *.done} events each repeat its whole
     * text; the session hands the connection a frame only while it is within its high watermark). So the memory a
     * connection holds is at most {@code max(max_bytes, high_watermark_bytes + the largest frame)}.
     */
    private boolean overLimit(long bytes, long size, int frames) {
        return (bytes > bounds.maxBytes() && bytes - size > bounds.highWatermarkBytes()) || frames > bounds.maxFrames();
    }

    /**
     * Sends one text frame. On the session's shard thread the frame is handed to Jetty marked "more follows" (it
     * waits in Jetty's batch buffer) and the connection flushes once at the end of the ring batch; the write
     * callback still fires when the bytes are written, so the watermarks count as before. Any other thread sends
     * at once.
     */
    private void send(Session current, String frame, long size) {
        org.eclipse.jetty.util.Callback written = org.eclipse.jetty.util.Callback.from(() -> onWritten(size),
                failure -> onWritten(size));
        BatchFlush batch = session.shard().batch();
        if (current instanceof WebSocketSession jetty && batch.isConsumerThread()) {
            jetty.getCoreSession().sendFrame(new Frame(OpCode.TEXT).setPayload(frame), written, true);
            if (!flushPending) {
                flushPending = true;
                batch.defer(this::flushBatch);
            }
            return;
        }
        current.sendText(frame, Callback.from(written::succeeded, written::failed));
    }

    /** End of a ring batch: what {@link #send} held back leaves in one write. Shard thread. */
    private void flushBatch() {
        flushPending = false;
        if (ws instanceof WebSocketSession jetty) {
            jetty.getCoreSession().flush(org.eclipse.jetty.util.Callback.NOOP);
        }
    }

    private void onWritten(long size) {
        long bytes = unsentBytes.addAndGet(-size);
        unsentFrames.decrementAndGet();
        // After the close the session may be waiting for a resume with its upstream paused for its replay log;
        // a late write callback of this dead connection must not resume it.
        if (bytes < bounds.lowWatermarkBytes() && aboveHigh.compareAndSet(true, false) && !closed.get()) {
            session.onLowWatermark(this);
        }
    }

    /** Still above the high watermark since stall {@code stall} began, {@code outbound.max_stall} ago: too slow. */
    private void onStallCheck(long stall) {
        if (aboveHigh.get() && stalls.get() == stall && !closed.get()) {
            metrics.slowConsumerClosed();
            close(CloseReason.SLOW_CONSUMER, "blocked for longer than " + bounds.maxStall().toMillis()
                    + " ms: read faster, then resume");
        }
    }

    @Override
    public boolean hasRoom() {
        return unsentBytes.get() <= bounds.highWatermarkBytes();
    }

    /**
     * The session outlives this connection unless the client closed it normally (1000): a drop (1006), a slow
     * consumer close (4008), a drain (1012) or a client going away (1001) leave it waiting for a resume.
     */
    @Override
    public boolean keepsSessionOnClose() {
        return closeStatus != CloseReason.NORMAL.wireCode();
    }

    @Override
    public void close(CloseReason reason, String message) {
        Session current = ws;
        if (current != null && current.isOpen()) {
            current.close(reason.wireCode(), message, Callback.NOOP);
            if (reason == CloseReason.SLOW_CONSUMER) {
                // The close frame waits behind everything unsent; a client that never reads would hold the
                // connection (and this session's attachment) until the idle timeout. Give it a grace, then cut.
                scheduler.schedule(() -> {
                    if (!closed.get()) {
                        current.disconnect();
                    }
                }, SLOW_CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
            }
        }
    }
}
