package dev.switchboard.loadtest;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The listener of every session that reads as fast as it can: takes Jetty's raw frames (so Jetty neither
 * aggregates nor decodes messages) and hands each complete text message to a {@link FrameAssembler.Handler} as
 * UTF-8 bytes. Jetty asks for the next frame as soon as a callback returns.
 *
 * <p>It is public only because Jetty invokes listeners through public method handles; its constructor is
 * package-private. Threading is Jetty's: callbacks for one session are never concurrent.
 */
public final class ListenerAdapter implements Session.Listener.AutoDemanding {
    private final FrameAssembler frames;

    ListenerAdapter(FrameAssembler.Handler handler, long maxMessageBytes) {
        this.frames = new FrameAssembler(handler, maxMessageBytes);
    }

    @Override
    public void onWebSocketOpen(Session session) {
        frames.handler().onOpen(session);
    }

    @Override
    public void onWebSocketFrame(Frame frame, Callback callback) {
        frames.onFrame(frame, callback);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        frames.handler().onClose(statusCode, reason);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        frames.handler().onError(cause);
    }
}
