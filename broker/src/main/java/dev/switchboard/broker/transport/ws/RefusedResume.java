package dev.switchboard.broker.transport.ws;

import dev.switchboard.protocol.close.CloseReason;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A connection whose resume was refused before it reached a session: it sends the {@code error} event, then
 * closes with {@link CloseReason#RESUME_FAILED}, so the client learns why and knows to start a new session. Public
 * only because Jetty binds listener methods through method handles.
 */
public final class RefusedResume implements Session.Listener.AutoDemanding {
    private final String errorFrame;
    private final String code;

    RefusedResume(String errorFrame, String code) {
        this.errorFrame = errorFrame;
        this.code = code;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        session.sendText(errorFrame, Callback.from(() -> close(session), failure -> close(session)));
    }

    private void close(Session session) {
        session.close(CloseReason.RESUME_FAILED.wireCode(), code, Callback.NOOP);
    }
}
