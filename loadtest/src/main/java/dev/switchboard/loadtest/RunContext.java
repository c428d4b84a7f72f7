package dev.switchboard.loadtest;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * What every session of one run shares. Immutable apart from {@link #stopping}, the counters inside
 * {@link Measurements} and {@link InFlight}, and the latches, all of which are thread-safe.
 */
final class RunContext {
    private final Settings settings;
    private final Scenario scenario;
    private final WebSocketClient client;
    private final ScheduledExecutorService scheduler;
    private final ClientFrames frames;
    private final ServerFrameReader reader;
    private final Measurements measurements = new Measurements();
    private final InFlight inFlight = new InFlight();
    private final CountDownLatch connectsSettled;
    private final long startNanos;
    private final long endNanos;
    private final long thinkNanos;
    private final boolean stampsRequested;
    private volatile boolean stopping;

    RunContext(Settings settings, Scenario scenario, WebSocketClient client, ScheduledExecutorService scheduler,
               ClientFrames frames, boolean stampsRequested, long startNanos) {
        this.settings = settings;
        this.scenario = scenario;
        this.client = client;
        this.scheduler = scheduler;
        this.frames = frames;
        // Only the resume scenario compares texts; the others keep the reader's cheaper path.
        this.reader = new ServerFrameReader(scenario.resumePlan().isPresent());
        this.stampsRequested = stampsRequested;
        this.startNanos = startNanos;
        this.endNanos = startNanos + settings.duration().toNanos();
        this.thinkNanos = settings.think().toNanos();
        this.connectsSettled = new CountDownLatch(settings.sessions());
    }

    Settings settings() {
        return settings;
    }

    Scenario scenario() {
        return scenario;
    }

    WebSocketClient client() {
        return client;
    }

    /** The single thread that owns the send schedule. */
    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    ClientFrames frames() {
        return frames;
    }

    ServerFrameReader reader() {
        return reader;
    }

    Measurements measurements() {
        return measurements;
    }

    InFlight inFlight() {
        return inFlight;
    }

    long startNanos() {
        return startNanos;
    }

    /** End of the measured window: no request is sent at or after it. */
    long endNanos() {
        return endNanos;
    }

    long thinkNanos() {
        return thinkNanos;
    }

    boolean stampsRequested() {
        return stampsRequested;
    }

    /** True once the duration is over: no more requests go out. */
    boolean stopping() {
        return stopping;
    }

    void stop() {
        stopping = true;
    }

    /** A session finished connecting, successfully or not; call exactly once per session. */
    void connectSettled() {
        connectsSettled.countDown();
    }

    /** Waits until every session settled its connect or the deadline passes; true when all settled. */
    boolean awaitConnects(long deadlineNanos) throws InterruptedException {
        return connectsSettled.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
