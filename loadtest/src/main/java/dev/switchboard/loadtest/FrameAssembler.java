package dev.switchboard.loadtest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Turns Jetty's raw frames into complete text messages, handed to a {@link Handler} as UTF-8 bytes: a message in
 * one frame is handed over in place (heap buffers) or from a per-thread copy (direct buffers); a message split
 * over continuation frames is gathered first. Shared by both session listeners ({@link ListenerAdapter},
 * {@link PausableListener}).
 *
 * <p>Why frames and not {@code onWebSocketText}: a profile of 1,000 streaming sessions showed Jetty's UTF-8
 * decoding into a {@code String} (and Jackson copying that String into its own buffer) costing about twice the
 * JSON parsing itself.
 *
 * <p>Not thread-safe; it relies on Jetty never calling one session's listener concurrently.
 */
final class FrameAssembler {
    /** The callbacks the harness uses; each is called by Jetty, never concurrently for one session. */
    interface Handler {
        void onOpen(Session session);

        /** One complete text message; the bytes are only valid during the call. */
        void onText(byte[] utf8, int offset, int length);

        void onClose(int statusCode, String reason);

        void onError(Throwable cause);
    }

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[8192]);

    private final Handler handler;
    private final long maxMessageBytes;
    private byte[] fragments = new byte[0];
    private int fragmentLength;
    private boolean inTextMessage;
    private boolean oversize;

    FrameAssembler(Handler handler, long maxMessageBytes) {
        this.handler = handler;
        this.maxMessageBytes = maxMessageBytes;
    }

    Handler handler() {
        return handler;
    }

    /** Handles one frame and completes its callback; a failure of the handler fails the callback. */
    void onFrame(Frame frame, Callback callback) {
        try {
            switch (frame.getType()) {
                case TEXT -> onData(frame, true);
                case CONTINUATION -> {
                    if (inTextMessage) {
                        onData(frame, false);
                    }
                }
                default -> {
                    // Binary frames are not part of the text protocol and are ignored; Jetty answers pings and
                    // handles close frames itself.
                }
            }
            callback.succeed();
        } catch (RuntimeException e) {
            callback.fail(e);
        }
    }

    private void onData(Frame frame, boolean first) {
        ByteBuffer payload = frame.hasPayload() ? frame.getPayload() : ByteBuffer.allocate(0);
        if (first && frame.isFin()) {
            deliver(payload);
            return;
        }
        if (first) {
            inTextMessage = true;
            fragmentLength = 0;
            oversize = false;
        }
        append(payload);
        if (frame.isFin()) {
            inTextMessage = false;
            if (oversize) {
                handler.onError(new IOException("a text message exceeded " + maxMessageBytes + " bytes; dropped"));
            } else {
                handler.onText(fragments, 0, fragmentLength);
            }
            // A long message does not pin its buffer for the rest of the session.
            fragments = new byte[0];
            fragmentLength = 0;
        }
    }

    private void deliver(ByteBuffer payload) {
        int length = payload.remaining();
        if (payload.hasArray()) {
            handler.onText(payload.array(), payload.arrayOffset() + payload.position(), length);
            return;
        }
        byte[] scratch = SCRATCH.get();
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
            SCRATCH.set(scratch);
        }
        payload.duplicate().get(scratch, 0, length);
        handler.onText(scratch, 0, length);
    }

    private void append(ByteBuffer payload) {
        int length = payload.remaining();
        if (oversize || (long) fragmentLength + length > maxMessageBytes) {
            oversize = true;
            return;
        }
        if (fragments.length < fragmentLength + length) {
            fragments = Arrays.copyOf(fragments, Math.max(fragmentLength + length, fragments.length * 2));
        }
        payload.duplicate().get(fragments, fragmentLength, length);
        fragmentLength += length;
    }
}
