package dev.switchboard.bridge.fakeprovider;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One request the fake provider answered with a script, and how that exchange ended. Thread-safe. */
public final class Exchange {

    /** How an exchange ended, from the provider's point of view. */
    public enum Ending {
        /** Every step ran and the response was completed normally. */
        COMPLETED,
        /** A {@link Step.CloseConnection} step closed the connection. */
        CLOSED_BY_SCRIPT,
        /** The client went away (a write failed or the connection was closed) before the script finished. */
        CLIENT_DISCONNECTED,
        /** The provider was closed while the script was still running. */
        PROVIDER_STOPPED
    }

    private final RecordedRequest request;
    private final CompletableFuture<Ending> ending = new CompletableFuture<>();

    Exchange(RecordedRequest request) {
        this.request = request;
    }

    public RecordedRequest request() {
        return request;
    }

    /** Completes once, when the exchange ends. */
    public CompletableFuture<Ending> ending() {
        return ending;
    }

    /** Waits at most {@code timeout} for the exchange to end. */
    public Ending awaitEnding(Duration timeout) {
        try {
            return ending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the exchange for " + request.path() + " did not end within " + timeout, e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    boolean end(Ending how) {
        return ending.complete(how);
    }
}
