package dev.switchboard.simulator;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * The {@code no_response} fault: an accepted request that is never answered. It is held until Jetty reports the
 * exchange failed (idle timeout or an I/O error) or the simulator closes, and then its handler callback fails.
 *
 * <p>Jetty notices that a client gave up only when it next reads or writes that connection, and a held exchange
 * does neither, so a client that disconnects is seen at the connector's idle timeout or at {@code close()}.
 * Thread-safe; the callback completes exactly once.
 */
final class HeldExchange implements InFlight.Work {

    private final Callback callback;
    private final InFlight inFlight;
    private final AtomicBoolean done = new AtomicBoolean();

    HeldExchange(Callback callback, InFlight inFlight) {
        this.callback = callback;
        this.inFlight = inFlight;
    }

    /** Starts holding; from here on this object owns the callback. */
    void start(Request request) {
        if (!inFlight.tryAdd(this)) {
            abort(new IOException("provider simulator is stopping"));
            return;
        }
        request.addFailureListener(this::abort);
    }

    @Override
    public void abort(Throwable cause) {
        if (done.compareAndSet(false, true)) {
            inFlight.remove(this);
            // Quiet: a request held on purpose ending without a response is the fault working, not an error.
            callback.failed(new InjectedFault("fault: no_response", cause));
        }
    }
}
