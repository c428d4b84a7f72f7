package dev.switchboard.broker.transport.http;

import dev.switchboard.bridge.realtime.WebSocketReadEndPoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * One client TCP connection, with the two deadlines Jetty's idle timeout cannot give: the idle timeout restarts
 * at every byte, so a client that trickles one byte every few seconds is never idle.
 *
 * <ul>
 *   <li><b>Request headers:</b> from the first byte of a request to the end of its headers at most
 *       {@code headerTimeout}, then the connection is closed (no answer: there is no request to answer yet).</li>
 *   <li><b>Closing:</b> once the broker has sent its last byte on a connection that does not persist (an answer
 *       with {@code Connection: close}, a malformed request), the connection is closed at the latest
 *       {@code linger} later, whatever the client still sends. The broker may read and drop a refused body
 *       meanwhile ({@link HttpErrors#refuseUnread}), so that a client busy sending it sees the answer rather than
 *       a reset; and Jetty would otherwise keep a half-closed connection after a malformed request until its idle
 *       timeout.</li>
 * </ul>
 *
 * <p>The request body has its own deadline where it is read ({@link BodyReader}); after a WebSocket upgrade none
 * of this applies (the WebSocket idle timeout rules). Answers are not reads: a long streamed answer is never cut.
 *
 * <p>Over TLS this is the encrypted, network end point under Jetty's {@code SslConnection}: the header deadline
 * starts with the first byte of the TLS handshake, so a client trickling its handshake is bounded too. An HTTP/2
 * connection (negotiated by ALPN) is held to the header deadline until its first request's headers arrive, then
 * {@link #leave() left} to HTTP/2's own limits.
 *
 * <p>Once upgraded to a WebSocket (directly or beneath TLS), its reads run on the selector thread instead of a pool
 * thread ({@link WebSocketReadEndPoint}, issue 12): {@code WsConnection} only decodes and publishes with
 * {@code tryPublish}, so it never blocks there. Plain HTTP requests keep Jetty's default.
 *
 * <p>Threading: {@link #fill} runs on whichever Jetty thread reads the connection, {@link #onRequest()} and
 * {@link #onRequestComplete()} on Jetty threads, the deadlines on the connector's scheduler. The phase is one
 * atomic; each transition is a compare-and-set, and a deadline acts only if its phase is still current.
 */
final class DeadlineEndPoint extends WebSocketReadEndPoint {
    /** Between requests: the idle timeout alone applies. */
    private static final int AWAITING_REQUEST = 0;
    /** A request's first bytes arrived; its headers are due within the header timeout. */
    private static final int READING_HEADERS = 1;
    /** Jetty has the headers and is handling the request (its body, if any, is the handler's to bound). */
    private static final int HANDLING = 2;
    /** The last byte is out on a connection that does not persist; closed at the latest after the linger. */
    private static final int LINGERING = 3;
    /** Upgraded to a WebSocket, or closed: nothing here applies any more. */
    private static final int DONE = 4;

    private final Scheduler scheduler;
    private final long headerTimeoutMs;
    private final long lingerMs;
    private final Runnable onHeaderTimeout;
    private final AtomicInteger phase = new AtomicInteger(AWAITING_REQUEST);
    /** Counts requests whose headers started; a header deadline acts only for the request it was set for. */
    private final AtomicInteger headerStarts = new AtomicInteger();
    /** The pending deadline, if any; it acts only if its phase (and request) is still current. */
    private volatile Scheduler.Task deadline;

    /**
     * @param headerTimeout from a request's first byte to the end of its headers
     * @param linger how long a connection that does not persist may keep receiving after the answer
     * @param onHeaderTimeout runs once for each connection closed by the header deadline (metrics, a
     *     rate-limited log line), on the scheduler thread; must not block
     */
    DeadlineEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler,
                     Duration headerTimeout, Duration linger, Runnable onHeaderTimeout) {
        super(channel, selector, key, scheduler);
        this.scheduler = scheduler;
        this.headerTimeoutMs = headerTimeout.toMillis();
        this.lingerMs = linger.toMillis();
        this.onHeaderTimeout = onHeaderTimeout;
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        int filled = super.fill(buffer);
        if (filled > 0 && phase.get() == AWAITING_REQUEST && phase.compareAndSet(AWAITING_REQUEST, READING_HEADERS)) {
            int request = headerStarts.incrementAndGet();
            deadline = scheduler.schedule(() -> onHeaderDeadline(request), headerTimeoutMs, TimeUnit.MILLISECONDS);
        }
        return filled;
    }

    /** Jetty parsed a request's headers and is about to handle it. */
    void onRequest() {
        int current = phase.get();
        while (current == AWAITING_REQUEST || current == READING_HEADERS) {
            // AWAITING_REQUEST too: a pipelined request may have been read before the previous one completed.
            if (phase.compareAndSet(current, HANDLING)) {
                cancelDeadline();
                return;
            }
            current = phase.get();
        }
    }

    /**
     * The request's exchange completed. Jetty notifies this before it parses the next request on the connection,
     * so the next request's first bytes find the connection awaiting a request.
     */
    void onRequestComplete() {
        phase.compareAndSet(HANDLING, AWAITING_REQUEST);
    }

    private void onHeaderDeadline(int request) {
        if (request == headerStarts.get() && phase.compareAndSet(READING_HEADERS, DONE)) {
            onHeaderTimeout.run();
            close(new TimeoutException("request headers not complete within " + headerTimeoutMs + " ms"));
        }
    }

    @Override
    protected void doShutdownOutput() {
        super.doShutdownOutput();
        int current = phase.get();
        while (current != DONE && current != LINGERING) {
            if (phase.compareAndSet(current, LINGERING)) {
                cancelDeadline();
                deadline = scheduler.schedule(this::onLingerDeadline, lingerMs, TimeUnit.MILLISECONDS);
                return;
            }
            current = phase.get();
        }
    }

    private void onLingerDeadline() {
        if (phase.compareAndSet(LINGERING, DONE)) {
            close();
        }
    }

    @Override
    public void upgrade(Connection newConnection) {
        // Before the new connection opens: from here on its own timeouts rule, whatever this end point reads.
        leave();
        super.upgrade(newConnection);
    }

    /**
     * Nothing here applies any more: the connection was upgraded to a WebSocket (over TLS the upgrade happens on
     * the decrypted end point, which tells this one), or it speaks HTTP/2, whose requests share the connection, so
     * that a phase per connection means nothing. Idempotent; any thread.
     */
    void leave() {
        phase.set(DONE);
        cancelDeadline();
    }

    @Override
    public void onClose(Throwable cause) {
        phase.set(DONE);
        cancelDeadline();
        super.onClose(cause);
    }

    private void cancelDeadline() {
        Scheduler.Task task = deadline;
        if (task != null) {
            task.cancel();
        }
    }
}
