package dev.switchboard.broker.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * OpenAI-shaped HTTP errors, {@code {"error":{"message","type","param","code"}}}, and the mapping from a failed
 * response's error code to an HTTP status. Stateless; safe from any thread.
 */
final class HttpErrors {
    private HttpErrors() {
    }

    /**
     * One refused request.
     *
     * @param status the HTTP status
     * @param code a stable machine-readable code, e.g. {@code invalid_api_key}
     * @param message a description that names the problem (never echoes the prompt)
     * @param param the offending request field, when there is one
     */
    record HttpError(int status, String code, String message, Optional<String> param) {
        static HttpError of(int status, String code, String message) {
            return new HttpError(status, code, message, Optional.empty());
        }

        /** OpenAI's {@code error.type} for this status. */
        String type() {
            if (status == 429) {
                return "rate_limit_error";
            }
            return status >= 500 ? "server_error" : "invalid_request_error";
        }
    }

    /** The {@code {"error":{...}}} object. */
    static ObjectNode body(ObjectMapper json, String message, String type, Optional<String> param, String code) {
        ObjectNode body = json.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", message);
        error.put("type", type);
        if (param.isPresent()) {
            error.put("param", param.get());
        } else {
            error.putNull("param");
        }
        error.put("code", code);
        return body;
    }

    /** Writes {@code error} as the whole response and completes {@code callback} when it is written. */
    static void write(ObjectMapper json, Response response, Callback callback, HttpError error) {
        writeJson(response, callback, error.status(),
                body(json, error.message(), error.type(), error.param(), error.code()).toString());
    }

    /** Writes a complete JSON response. */
    static void writeJson(Response response, Callback callback, int status, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /**
     * The HTTP status for a failed response's {@code status_details.error.code}: the client's own fault is 400,
     * a provider rate limit 429, a provider timeout 504, anything else a bad gateway (502).
     */
    static int statusForFailure(String code) {
        return switch (code) {
            case "upstream_rate_limited" -> 429;
            case "upstream_content_policy", "upstream_context_length_exceeded", "upstream_rejected" -> 400;
            case "upstream_timeout" -> 504;
            default -> 502;
        };
    }
}
