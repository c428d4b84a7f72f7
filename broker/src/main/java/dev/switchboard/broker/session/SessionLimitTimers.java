package dev.switchboard.broker.session;

import dev.switchboard.broker.tenant.SessionLimits;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.ErrorEvent;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A WebSocket session's {@code session_max_duration} and {@code session_idle_timeout} (issue 13): when each is due,
 * and the {@code error} event that tells the client why its session was closed.
 *
 * <p>Threading: every method runs on the session's shard thread. The timers run on the broker's scheduler and do
 * nothing there but publish a {@link SessionSignal.LimitDue} into the session's ring (through {@code publish},
 * which follows the ring-retry policy), so no session state is touched off the shard thread and the scheduler
 * never blocks. A client frame does not reschedule anything (audio appends arrive every 20 ms): it only records
 * the time; the one idle check in flight then finds the session active and schedules the next check at the new
 * deadline. So a session costs at most two scheduled tasks, both cancelled when it ends.
 *
 * <p>Idle means no client frame: a detached session (no connection) is idle too, and a resume counts as a
 * client's sign of life. A response streaming to a silent client does not keep the session alive.
 */
final class SessionLimitTimers {
    private final SessionLimits limits;
    private final ScheduledExecutorService scheduler;
    private final Consumer<SessionSignal> publish;
    private final LongSupplier ticker;
    private boolean running;
    /** When the client last showed it is there ({@link #ticker} nanos); read only when an idle timeout is set. */
    private long lastClientNanos;
    private ScheduledFuture<?> maxDurationTimer;
    private ScheduledFuture<?> idleTimer;

    /**
     * @param limits the session's limits
     * @param scheduler the broker's scheduler; its tasks only publish
     * @param publish puts a signal into the session's ring (any thread)
     * @param ticker nanoseconds on the scheduler's time base ({@link System#nanoTime()} in production)
     */
    SessionLimitTimers(SessionLimits limits, ScheduledExecutorService scheduler, Consumer<SessionSignal> publish,
                       LongSupplier ticker) {
        this.limits = limits;
        this.scheduler = scheduler;
        this.publish = publish;
        this.ticker = ticker;
    }

    /** Starts both clocks (once; a session without limits schedules nothing). */
    void start() {
        if (running || limits.isEmpty()) {
            return;
        }
        running = true;
        lastClientNanos = ticker.getAsLong();
        limits.maxDuration().ifPresent(max -> maxDurationTimer = schedule(CloseReason.SESSION_MAX_DURATION,
                max.toNanos()));
        limits.idleTimeout().ifPresent(idle -> idleTimer = schedule(CloseReason.SESSION_IDLE_TIMEOUT,
                idle.toNanos()));
    }

    /** The client sent a frame or resumed the session: the idle clock starts again. */
    void onClientActivity() {
        if (idleTimer != null) {
            lastClientNanos = ticker.getAsLong();
        }
    }

    /**
     * Whether {@code limit}, whose timer fired, is reached now. An idle check that finds a client frame since it
     * was scheduled schedules the next check at the new deadline and answers {@code false}; so does nothing after
     * {@link #cancel()}.
     */
    boolean reached(CloseReason limit) {
        if (!running) {
            return false;
        }
        if (limit == CloseReason.SESSION_MAX_DURATION) {
            return true;
        }
        long timeout = limits.idleTimeout().orElseThrow().toNanos();
        long idle = ticker.getAsLong() - lastClientNanos;
        if (idle >= timeout) {
            return true;
        }
        idleTimer = schedule(CloseReason.SESSION_IDLE_TIMEOUT, timeout - idle);
        return false;
    }

    /** Stops both clocks (the session ended): their tasks leave the scheduler's queue. */
    void cancel() {
        running = false;
        if (maxDurationTimer != null) {
            maxDurationTimer.cancel(false);
        }
        if (idleTimer != null) {
            idleTimer.cancel(false);
        }
    }

    /** The final {@code error} event of a session closed for {@code limit}, naming the limit and its value. */
    ErrorEvent errorFor(CloseReason limit) {
        String message = limit == CloseReason.SESSION_MAX_DURATION
                ? "the session reached its maximum duration of " + written(limits.maxDuration().orElseThrow())
                        + " (limits.session_max_duration) and was closed; start a new session"
                : "the session had no client event for " + written(limits.idleTimeout().orElseThrow())
                        + " (limits.session_idle_timeout) and was closed; start a new session";
        return new ErrorEvent(ErrorDetail.invalidRequest(limit.errorCode(), message, ""));
    }

    private ScheduledFuture<?> schedule(CloseReason limit, long delayNanos) {
        return scheduler.schedule(() -> publish.accept(new SessionSignal.LimitDue(limit)), delayNanos,
                TimeUnit.NANOSECONDS);
    }

    /** {@code duration} as the configuration writes it: {@code 1500ms}, {@code 30s}, {@code 10m}, {@code 2h}. */
    static String written(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 60 != 0) {
            return s + "s";
        }
        return s % 3600 != 0 ? s / 60 + "m" : s / 3600 + "h";
    }
}
