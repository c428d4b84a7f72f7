package dev.switchboard.loadtest.peers;

import java.time.Duration;

/**
 * One run's traffic: N streams or connections, each with one request in flight, sending until the
 * {@link Window} ends. Called by the run thread only: {@link #open} once, {@link #start} once, then
 * {@link #awaitDrained}, then {@link #close}. The window is made between {@code open} and {@code start}, so a
 * client's own start-up never eats into a warm-up.
 */
interface Load extends AutoCloseable {

    /** Starts the client; sends nothing yet. */
    void open() throws Exception;

    /**
     * Opens the streams or connections and sends the first requests, counting into {@code tally}; returns without
     * waiting for answers.
     */
    void start(Tally tally) throws Exception;

    /** Waits at most {@code grace} for every stream to finish after the window; false if some did not. */
    boolean awaitDrained(Duration grace) throws InterruptedException;

    /** Stops the client, aborting what is still open; best effort, never throws. */
    @Override
    void close();
}
