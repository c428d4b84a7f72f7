package dev.switchboard.broker.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.transport.http.HttpErrors.HttpError;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's error handler ({@code Server.setErrorHandler}): every error Jetty answers itself — a malformed
 * request line, URI or header (400), a URI or headers over the limit (414, 431), an unsupported HTTP version
 * (505), a handler that failed (500) — gets OpenAI's error shape, {@code {"error":{"message","type","param",
 * "code"}}}, as {@code application/json}, instead of Jetty's HTML page.
 *
 * <p>The message is fixed per status plus at most a short sanitized prefix of Jetty's reason
 * ({@link HttpErrors#sanitize}); request bytes, causes and stack traces never reach the client. Malformed
 * requests are counted ({@code broker.client.errors} by code) and logged at most once every 10 s, with a count of
 * the rest and no request data (Jetty's own parser warnings, which quote header values, are turned off in
 * {@code simplelogger.properties}).
 *
 * <p>Thread-safe and non-blocking: called on Jetty threads, it writes one small buffer and completes the callback
 * when it is written.
 */
public final class JsonErrorHandler implements Request.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(JsonErrorHandler.class);

    private final ObjectMapper json = new ObjectMapper();
    private final BrokerMetrics metrics;
    private final RateLimitedLog malformed = new RateLimitedLog(LOG::warn, RateLimitedLog.INTERVAL,
            System::nanoTime);

    /** @param metrics counts malformed requests by error code */
    public JsonErrorHandler(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        Object cause = request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
        if (cause instanceof HttpException http) {
            status = http.getCode();
            response.setStatus(status);
        }
        Object reason = request.getAttribute(ErrorHandler.ERROR_MESSAGE);
        HttpError error = HttpErrors.forStatus(status, reason instanceof String text ? text : null);
        if (cause instanceof HttpException) {
            // Jetty's parser refused the request (a 505 too is the client's doing).
            metrics.clientError(error.code());
            malformed.log("refused a malformed HTTP request: " + status + " " + error.code());
        }
        if (HttpStatus.hasNoBody(status)) {
            callback.succeeded();
            return true;
        }
        // A HEAD request gets the headers only: Jetty drops the body it is given.
        HttpErrors.write(json, response, callback, error);
        return true;
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }
}
