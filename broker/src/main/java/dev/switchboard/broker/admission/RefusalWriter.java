package dev.switchboard.broker.admission;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes a {@link Admission.Refused} as an HTTP answer in OpenAI's shape: the refusal's status, a
 * {@code {"error":{"message","type","param","code"}}} body, and {@code Retry-After} (whole seconds, rounded up)
 * for a throttle. Stateless; any thread.
 */
public final class RefusalWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RefusalWriter() {
    }

    /** The OpenAI-shaped error body of {@code refused}. */
    public static ObjectNode body(Admission.Refused refused) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", refused.message());
        error.put("type", refused.refusal().errorType());
        if (refused.param().isPresent()) {
            error.put("param", refused.param().get());
        } else {
            error.putNull("param");
        }
        error.put("code", refused.refusal().code());
        return body;
    }

    /**
     * Writes the whole answer and completes {@code callback}.
     *
     * @param closeConnection whether to ask the client to close the connection (a refusal decided before the
     *     request body was read: the body is not read, so the connection cannot be reused)
     */
    public static void write(Response response, Callback callback, Admission.Refused refused,
                             boolean closeConnection) {
        response.setStatus(refused.refusal().httpStatus());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        refused.retryAfter().ifPresent(wait -> response.getHeaders().put(HttpHeader.RETRY_AFTER,
                Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000))));
        if (closeConnection) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(body(refused).toString().getBytes(StandardCharsets.UTF_8)), callback);
    }
}
