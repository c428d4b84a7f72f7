package dev.switchboard.broker.session;

import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.event.ServerEvent;

/** The session's view of its client connection. Implemented by the WebSocket and chat-completions transports. */
public interface ClientChannel {

    /**
     * Queues one text frame for the client without blocking.
     *
     * @return {@code false} when the frame was not queued: the connection is closed, or it exceeded its
     *     outbound bounds, in which case the channel closes itself with {@link CloseReason#SLOW_CONSUMER}
     */
    boolean trySend(String frame);

    /**
     * Queues one sequenced frame together with the event it encodes, for channels that translate events rather
     * than forward frames (the chat-completions endpoint: no JSON is parsed back). Frames replayed from the log
     * and relayed raw frames come through {@link #trySend(String)} only. By default forwards {@code frame}.
     *
     * @param seq the frame's {@code seq}
     */
    default boolean trySend(String frame, ServerEvent event, long seq) {
        return trySend(frame);
    }

    /**
     * Whether the connection can take more without passing its high watermark: a replay after a resume only
     * sends while this holds. Any thread.
     */
    default boolean hasRoom() {
        return true;
    }

    /** The transport this channel serves, as hooks report it. */
    default ResponseHooks.Transport transport() {
        return ResponseHooks.Transport.WEBSOCKET;
    }

    /**
     * The W3C {@code traceparent} header of the request that opened this connection (the WebSocket upgrade, the
     * chat-completions request), or empty; at most {@link #MAX_TRACE_PARENT} characters are kept (the value is
     * checked when a trace parses it). A session's responses continue the trace of its first connection.
     */
    default String traceParent() {
        return "";
    }

    /** The longest {@code traceparent} kept (version 00 has 55 characters; later versions may add fields). */
    int MAX_TRACE_PARENT = 256;

    /** {@code header} when it may be a {@code traceparent}: present and not longer than the bound; else empty. */
    static String traceParentOf(@org.jspecify.annotations.Nullable String header) {
        return header == null || header.length() > MAX_TRACE_PARENT ? "" : header;
    }

    /** Closes the connection with {@code reason}'s close code. Idempotent. */
    void close(CloseReason reason, String message);

    /**
     * Asked once the connection has closed: whether the session should outlive it and wait for a resume (the
     * connection dropped, or the broker closed it as retryable) rather than end (the client closed it normally).
     */
    default boolean keepsSessionOnClose() {
        return false;
    }

    /**
     * Whether this is the owner's stand-in for a client another node serves (issue 17): it writes nothing, the
     * mirror carries the session's frames there.
     */
    default boolean followsElsewhere() {
        return false;
    }
}
