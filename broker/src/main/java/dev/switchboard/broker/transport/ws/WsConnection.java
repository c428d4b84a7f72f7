package dev.switchboard.broker.transport.ws;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.session.ClientChannel;
import dev.switchboard.broker.session.RealtimeSession;
import dev.switchboard.broker.stream.RingSubscriber;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.codec.EventCodec;
import dev.switchboard.protocol.event.ErrorDetail;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
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
    private static final long RETRY_MICROS = 500;
    private static final int MAX_RETRIES = 20_000;

    private final RealtimeSession session;
    private final Shard shard;
    private final EventCodec codec;
    private final BrokerMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final BrokerConfig.Outbound bounds;
    private final int maxFrameBytes;
    private final AtomicLong unsentBytes = new AtomicLong();
    private final AtomicInteger unsentFrames = new AtomicInteger();
    private final AtomicBoolean aboveHigh = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Session ws;

    WsConnection(RealtimeSession session, EventCodec codec, BrokerMetrics metrics, ScheduledExecutorService scheduler,
                 BrokerConfig.Outbound bounds, int maxFrameBytes) {
        this.session = session;
        this.shard = session.shard();
        this.codec = codec;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.bounds = bounds;
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
        this.ws = opened;
        publishThenDemand(() -> shard.tryPublishControl(session, RingSubscriber.Control.OPENED, this), 0);
    }

    @Override
    public void onWebSocketText(String text) {
        long receivedNanos = System.nanoTime();
        ClientDecoding frame = utf8Length(text, maxFrameBytes) > maxFrameBytes
                ? rejected("frame_too_large", "frame exceeds the " + maxFrameBytes + "-byte limit "
                + "(limits.max_frame_bytes); it was discarded")
                : codec.decodeClient(text);
        publishThenDemand(() -> shard.tryPublishClient(session, frame, receivedNanos), 0);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        ClientDecoding frame = rejected("binary_frame_not_supported",
                "binary frames are not supported; send JSON events as text frames");
        long receivedNanos = System.nanoTime();
        publishThenDemand(() -> shard.tryPublishClient(session, frame, receivedNanos), 0);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        onClosed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("client connection error", cause);
        onClosed();
    }

    private void onClosed() {
        if (closed.compareAndSet(false, true)) {
            publishThenDemand(() -> shard.tryPublishControl(session, RingSubscriber.Control.CLOSED, this), -1);
        }
    }

    private static ClientDecoding rejected(String code, String message) {
        return new ClientDecoding.Rejected(ErrorDetail.invalidRequest(code, message, ""));
    }

    /**
     * Publishes, then asks Jetty for the next frame. A full ring is retried on the scheduler without demanding,
     * so the client's frames wait in TCP buffers rather than in memory. {@code attempt < 0} means no demand.
     */
    private void publishThenDemand(BooleanSupplier publish, int attempt) {
        if (publish.getAsBoolean()) {
            Session current = ws;
            if (attempt >= 0 && current != null && !closed.get()) {
                current.demand();
            }
            return;
        }
        int next = Math.abs(attempt) + 1;
        if (next > MAX_RETRIES) {
            LOG.error("shard {} ring stayed full for {} retries; closing a client connection", shard.index(), next);
            close(CloseReason.INTERNAL_ERROR, "broker overloaded");
            return;
        }
        int carried = attempt < 0 ? -next : next;
        scheduler.schedule(() -> publishThenDemand(publish, carried), RETRY_MICROS, TimeUnit.MICROSECONDS);
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
        if (bytes > bounds.maxBytes() || frames > bounds.maxFrames()) {
            unsentBytes.addAndGet(-size);
            unsentFrames.decrementAndGet();
            metrics.slowConsumerClosed();
            close(CloseReason.SLOW_CONSUMER, "outbound buffer full: read faster, then resume");
            return false;
        }
        current.sendText(frame, Callback.from(() -> onWritten(size), failure -> onWritten(size)));
        if (bytes > bounds.highWatermarkBytes() && aboveHigh.compareAndSet(false, true)) {
            session.onHighWatermark();
        }
        return true;
    }

    private void onWritten(long size) {
        long bytes = unsentBytes.addAndGet(-size);
        unsentFrames.decrementAndGet();
        if (bytes < bounds.lowWatermarkBytes() && aboveHigh.compareAndSet(true, false)) {
            session.onLowWatermark();
        }
    }

    @Override
    public void close(CloseReason reason, String message) {
        Session current = ws;
        if (current != null && current.isOpen()) {
            current.close(reason.wireCode(), message, Callback.NOOP);
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
