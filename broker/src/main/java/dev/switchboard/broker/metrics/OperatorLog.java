package dev.switchboard.broker.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The log lines an operator needs, written so that no client can flood the log and no hot thread waits on it.
 *
 * <p>{@link #warn} lets one line per key through per {@code interval} ({@link LogWindow}) and counts the rest, which the next line
 * reports ("… 41 similar suppressed"): a provider failing every request for a minute logs a handful of lines, not
 * thousands. Keys must have low cardinality (a provider and a failure class; never a session, tenant or anything a
 * client chose). The check is lock-free and allocation-light; the line itself is written on {@code output} (the
 * broker's scheduler thread), because shard threads and Jetty selectors must not do I/O.
 *
 * <p>Never pass prompt or completion text, request header values or provider credentials: callers pass broker
 * words and provider text already redacted ({@code ProviderText}).
 */
public final class OperatorLog {
    private static final Logger LOG = LoggerFactory.getLogger("dev.switchboard.broker.operator");

    private final Map<String, LogWindow> windows = new ConcurrentHashMap<>();
    private final Duration interval;
    private final LongSupplier nanoTicker;
    private final Executor output;

    /**
     * @param interval at most one line per key this often
     * @param nanoTicker e.g. {@code System::nanoTime}
     * @param output where lines are written (a scheduler thread; tests may pass {@code Runnable::run})
     */
    public OperatorLog(Duration interval, LongSupplier nanoTicker, Executor output) {
        this.interval = interval;
        this.nanoTicker = nanoTicker;
        this.output = output;
    }

    /**
     * Logs a warning for {@code key} unless one was logged less than the interval ago. Any thread; never blocks.
     *
     * @param format an SLF4J format whose last placeholder receives the suppressed-lines note
     * @param args the format's arguments except that last one
     * @return whether the line was let through
     */
    public boolean warn(String key, String format, Object... args) {
        return log(key, false, Map.of(), format, args);
    }

    /**
     * As {@link #warn(String, String, Object...)}, for a line about one session or response: {@code context} (MDC
     * keys such as {@code LogSetup.TENANT}, {@code SESSION}, {@code TRACE_ID}) is set around the line when it is
     * written, so both log formats carry it. Pass ids only, never anything a client wrote.
     */
    public boolean warn(String key, Map<String, String> context, String format, Object... args) {
        return log(key, false, context, format, args);
    }

    /** As {@link #warn}, at INFO: state changes worth a line (a breaker closing again). */
    public boolean info(String key, String format, Object... args) {
        return log(key, true, Map.of(), format, args);
    }

    private boolean log(String key, boolean info, Map<String, String> context, String format, Object[] args) {
        long suppressed = windows.computeIfAbsent(key, k -> new LogWindow(interval, nanoTicker)).admit();
        if (suppressed < 0) {
            return false;
        }
        Object[] full = java.util.Arrays.copyOf(args, args.length + 1);
        full[args.length] = suppressed == 0 ? "" : " (" + suppressed + " similar suppressed)";
        output.execute(() -> {
            context.forEach(MDC::put);
            try {
                if (info) {
                    LOG.info(format, full);
                } else {
                    LOG.warn(format, full);
                }
            } finally {
                context.keySet().forEach(MDC::remove);
            }
        });
        return true;
    }
}
