package dev.switchboard.broker.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import dev.switchboard.broker.config.Logging;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Configures Logback from the {@code logging} section: no file to write, one console appender.
 *
 * <ul>
 *   <li>{@code text}: {@code 2025-01-31T09:00:00.000+0000 WARN dev.switchboard.broker.operator - message} on
 *       standard error, as the broker always wrote, followed by
 *       {@code [tenant=… session=… trace_id=… span_id=…]} when the line is about a session.</li>
 *   <li>{@code json}: one object per line on standard output (see {@link JsonLineEncoder}).</li>
 * </ul>
 * Jetty logs at {@code warn} or above whatever the level, and its HTTP parser at {@code error} only: it quotes
 * header values of malformed requests, which any client could fill the log with ({@code JsonErrorHandler} logs
 * malformed requests instead, rate limited and without request data).
 */
public final class LogSetup {
    /** MDC key: the tenant a line is about. */
    public static final String TENANT = "tenant";
    /** MDC key: the session a line is about. */
    public static final String SESSION = "session";
    /** MDC key: the trace of the response a line is about (32 hex digits). */
    public static final String TRACE_ID = "trace_id";
    /** MDC key: the span of the response or attempt a line is about (16 hex digits). */
    public static final String SPAN_ID = "span_id";
    /** The MDC keys written first, in this order. */
    static final List<String> CONTEXT_KEYS = List.of(TENANT, SESSION, TRACE_ID, SPAN_ID);

    /** Held so that its handler stays: {@code java.util.logging} keeps loggers only weakly. */
    private static final java.util.logging.Logger OPENTELEMETRY_JUL =
            java.util.logging.Logger.getLogger("io.opentelemetry");

    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSZ} %level %logger - %msg%ctx%n";

    private LogSetup() {
    }

    /**
     * Reconfigures the running Logback as {@code config} says. Call once, at start-up, before the broker serves.
     * Does nothing when SLF4J is bound to another backend (an embedding application's choice).
     */
    public static void apply(Logging config) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            configure(context, config);
        }
    }

    /** Replaces {@code context}'s configuration with one console appender as {@code config} says. */
    static void configure(LoggerContext context, Logging config) {
        context.reset();
        boolean json = config.format() == Logging.Format.JSON;
        Encoder<ILoggingEvent> encoder = json ? new JsonLineEncoder() : textEncoder(context);
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget(json ? "System.out" : "System.err");
        console.setEncoder(encoder);
        console.start();
        Level level = Level.toLevel(config.level().name(), Level.INFO);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        root.addAppender(console);
        context.getLogger("org.eclipse.jetty").setLevel(level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN);
        context.getLogger("org.eclipse.jetty.http.HttpParser").setLevel(Level.ERROR);
        routeOpenTelemetry();
    }

    /**
     * The OpenTelemetry SDK logs (a failed export, a full span queue) through {@code java.util.logging}, which would
     * write its own two-line format to standard error: its lines are routed here, into the same format and stream.
     */
    private static synchronized void routeOpenTelemetry() {
        java.util.logging.Logger otel = OPENTELEMETRY_JUL;
        for (java.util.logging.Handler handler : otel.getHandlers()) {
            otel.removeHandler(handler);
        }
        otel.setUseParentHandlers(false);
        otel.addHandler(new SLF4JBridgeHandler());
    }

    private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
        PatternLayout layout = new PatternLayout();
        layout.getInstanceConverterMap().put("ctx", ContextConverter::new);
        layout.setPattern(TEXT_PATTERN);
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        return encoder;
    }
}
