package dev.switchboard.bridge.fakeprovider;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.QuietException;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Plays one script against one Jetty response.
 *
 * <p>Steps run one at a time. A step that finishes asynchronously (a write callback, a scheduler task, a gate)
 * calls {@link #advance()}; a work-in-progress counter turns a completion that happens synchronously, inside the
 * step, into another turn of the caller's loop instead of a recursive call, so long scripts cannot overflow the
 * stack. The script iterator is touched only inside that loop. {@link #finish} runs at most once, whichever of
 * script end, client failure, scripted close or provider stop comes first.
 */
final class Playback {
    private final Exchange exchange;
    private final Iterator<Step> steps;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Consumer<Playback> onFinish;
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean finished = new AtomicBoolean();

    Playback(Exchange exchange, List<Step> script, Request request, Response response, Callback callback,
             Consumer<Playback> onFinish) {
        this.exchange = exchange;
        this.steps = List.copyOf(script).iterator();
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.onFinish = onFinish;
    }

    void start() {
        request.addFailureListener(failure -> finish(Exchange.Ending.CLIENT_DISCONNECTED, failure));
        advance();
    }

    /** Ends a script that is still running because the provider is closing. */
    void stop() {
        // Close rather than just fail the callback: before the headers are sent, a failed callback would make
        // Jetty answer with a 500 instead of cutting the client off.
        closeConnection(false, Exchange.Ending.PROVIDER_STOPPED);
    }

    private void advance() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        do {
            if (!finished.get()) {
                runNext();
            }
        } while (wip.decrementAndGet() != 0);
    }

    private void runNext() {
        if (!steps.hasNext()) {
            response.write(true, BufferUtil.EMPTY_BUFFER,
                    Callback.from(() -> finish(Exchange.Ending.COMPLETED, null), this::onClientFailure));
            return;
        }
        Step step = steps.next();
        if (step instanceof Step.Status status) {
            response.setStatus(status.code());
            status.headers().forEach(response.getHeaders()::put);
            advance();
        } else if (step instanceof Step.Commit) {
            response.write(false, BufferUtil.EMPTY_BUFFER, Callback.from(this::advance, this::onClientFailure));
        } else if (step instanceof Step.Write write) {
            response.write(false, ByteBuffer.wrap(write.bytes()), Callback.from(this::advance, this::onClientFailure));
        } else if (step instanceof Step.Delay delay) {
            Scheduler scheduler = request.getComponents().getScheduler();
            scheduler.schedule(this::advance, delay.duration().toMillis(), TimeUnit.MILLISECONDS);
        } else if (step instanceof Step.Await await) {
            Executor executor = request.getComponents().getExecutor();
            await.gate().whenCompleteAsync((ignored, failure) -> advance(), executor);
        } else if (step instanceof Step.CloseConnection close) {
            closeConnection(close.reset(), Exchange.Ending.CLOSED_BY_SCRIPT);
        } else if (step instanceof Step.Hang) {
            watchForClientClose(request.getConnectionMetaData().getConnection().getEndPoint());
        } else {
            throw new IllegalStateException("unknown step " + step);
        }
    }

    /**
     * Notices a client that closes the connection while the script is silent. Jetty reads nothing while a
     * handler owns the exchange and the request body is consumed, so without this a hanging exchange would only
     * end when the provider stops. Used only by {@link Step.Hang}, after which the script never lets Jetty read
     * from this connection again, so our read interest cannot get in Jetty's way.
     */
    private void watchForClientClose(EndPoint endPoint) {
        if (finished.get()) {
            return;
        }
        if (!endPoint.tryFillInterested(Callback.from(() -> onReadable(endPoint), this::onClientFailure))) {
            // Jetty is itself waiting to read (and will report a close to the failure listener); look again.
            request.getComponents().getScheduler().schedule(() -> watchForClientClose(endPoint), 50,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void onReadable(EndPoint endPoint) {
        if (finished.get()) {
            return;
        }
        try {
            ByteBuffer ignored = BufferUtil.allocate(64);
            if (endPoint.fill(ignored) < 0) {
                onClientFailure(new EOFException("the client closed the connection"));
            } else {
                watchForClientClose(endPoint);
            }
        } catch (IOException e) {
            onClientFailure(e);
        }
    }

    private void onClientFailure(Throwable failure) {
        finish(Exchange.Ending.CLIENT_DISCONNECTED, failure);
    }

    private void closeConnection(boolean reset, Exchange.Ending how) {
        // Claim the ending before closing: the close itself makes Jetty report a failure to the listener.
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        if (reset && endPoint instanceof SocketChannelEndPoint socket) {
            try {
                socket.getChannel().setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException e) {
                throw new IllegalStateException("cannot set SO_LINGER for a reset", e);
            }
        }
        ExchangeEnded ending = new ExchangeEnded("connection closed by the provider (" + how + ")", null);
        endPoint.close(ending);
        callback.failed(ending);
        exchange.end(how);
        onFinish.accept(this);
    }

    private void finish(Exchange.Ending how, Throwable failure) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        if (failure == null) {
            callback.succeeded();
        } else {
            callback.failed(new ExchangeEnded("the exchange ended " + how, failure));
        }
        exchange.end(how);
        onFinish.accept(this);
    }

    /** An expected ending: quiet, so Jetty does not log each scripted failure as a warning. */
    private static final class ExchangeEnded extends IOException implements QuietException {
        private static final long serialVersionUID = 1L;

        ExchangeEnded(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
