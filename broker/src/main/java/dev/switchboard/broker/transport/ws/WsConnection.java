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
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client WebSocket. Public only because Jetty binds listener methods through method handles, which
 * requires a public class; it has no public constructor. Explicit demand: Jetty delivers the next frame only after this connection calls
 * {@link Session#demand()}, which it does once the previous frame is in the session's ring.
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
    private final int maxFrameBytes;
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
        this.maxFrameBytes = maxFrameBytes;
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

    @Override
    public void onWebSocketText(String text) {
        long receivedNanos = System.nanoTime();
        ClientDecoding frame = utf8Length(text, maxFrameBytes) > maxFrameBytes
                ? rejected("frame_too_large", "frame exceeds the " + maxFrameBytes + "-byte limit "
                + "(limits.max_frame_bytes); it was discarded")
                : decoder.apply(text);
        feed.client(frame, receivedNanos, this::demand);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        ClientDecoding frame = rejected("binary_frame_not_supported",
                "binary frames are not supported; send JSON events as text frames");
        feed.client(frame, System.nanoTime(), this::demand);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closeStatus = statusCode;
        onClosed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("client connection error", cause);
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
        // One frame alone is always let through, however large (a long answer's *.done events repeat its whole
        // text): the bound is on what queues up behind a client, not on the size of a single event.
        if ((bytes > bounds.maxBytes() && frames > 1) || frames > bounds.maxFrames()) {
            unsentBytes.addAndGet(-size);
            unsentFrames.decrementAndGet();
            metrics.slowConsumerClosed();
            close(CloseReason.SLOW_CONSUMER, "outbound buffer full: read faster, then resume");
            return false;
        }
        current.sendText(frame, Callback.from(() -> onWritten(size), failure -> onWritten(size)));
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

    /** UTF-8 byte length of {@code text}, stopping early once above {@code limit}. */
    static long utf8Length(String text, long limit) {
        if (text.length() * 3L <= limit) {
            return text.length();
        }
        long bytes = 0;
        for (int i = 0; i < text.length() && bytes <= limit; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
