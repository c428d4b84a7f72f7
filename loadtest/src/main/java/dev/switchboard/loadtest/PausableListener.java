package dev.switchboard.loadtest;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;
import org.jspecify.annotations.Nullable;

/**
 * The listener of a session that can stop reading its socket (the slow-consumer scenario): while paused, Jetty is
 * asked for no further frame, so nothing more is read from the socket, the kernel's buffers fill, and TCP flow
 * control pushes back on the broker, as with a client on a stalled network or a frozen tab.
 *
 * <p>How demand works here. Jetty 12 asks for the next frame itself unless the listener handles text messages
 * and does not auto-demand. So this listener declares {@link #onWebSocketPartialText}, which Jetty calls once per
 * text frame right after {@link #onWebSocketFrame}, and that is where it demands the next frame, unless paused;
 * a demand withheld while paused is made by {@link #resume()}. There is never more than one outstanding demand.
 * Frames are still handled as bytes in {@link #onWebSocketFrame}; the partial text Jetty decodes is ignored
 * (a cost only slow sessions pay). Pings, pongs and close frames are demanded by Jetty itself.
 *
 * <p>Public only because Jetty requires it. Jetty's callbacks are never concurrent; {@link #pause} and
 * {@link #resume} may be called from any thread.
 */
public final class PausableListener implements Session.Listener {
    private final FrameAssembler frames;
    private @Nullable Session session;
    private boolean paused;
    /** A frame finished while paused: its demand is owed. */
    private boolean owed;

    PausableListener(FrameAssembler.Handler handler, long maxMessageBytes) {
        this.frames = new FrameAssembler(handler, maxMessageBytes);
    }

    @Override
    public void onWebSocketOpen(Session opened) {
        synchronized (this) {
            session = opened;
        }
        frames.handler().onOpen(opened);
        demandUnlessPaused();
    }

    @Override
    public void onWebSocketFrame(Frame frame, Callback callback) {
        frames.onFrame(frame, callback);
    }

    @Override
    public void onWebSocketPartialText(String payload, boolean fin) {
        demandUnlessPaused();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        frames.handler().onClose(statusCode, reason);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        frames.handler().onError(cause);
    }

    /** Stops reading after the frame being handled. Any thread. */
    synchronized void pause() {
        paused = true;
    }

    /** Reads again, demanding the frame withheld while paused, if any. Any thread; idempotent. */
    void resume() {
        Session target;
        synchronized (this) {
            paused = false;
            if (!owed) {
                return;
            }
            owed = false;
            target = session;
        }
        if (target != null && target.isOpen()) {
            target.demand();
        }
    }

    private void demandUnlessPaused() {
        Session target;
        synchronized (this) {
            if (paused) {
                owed = true;
                return;
            }
            target = session;
        }
        if (target != null) {
            target.demand();
        }
    }
}
