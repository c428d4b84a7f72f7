package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * An error response in Anthropic's shape: {@code {"type":"error","error":{"type","message"}}}.
 *
 * @param status  HTTP status code
 * @param type    Anthropic error type, e.g. {@code invalid_request_error} or {@code overloaded_error}
 * @param message human-readable message; never contains prompt text or secrets
 */
record AnthropicError(int status, String type, String message) implements ErrorReply {

    static final String INVALID_REQUEST = "invalid_request_error";
    static final String OVERLOADED = "overloaded_error";
    /** Anthropic's "overloaded" status, which is not a registered HTTP status. */
    static final int OVERLOADED_529 = 529;

    AnthropicError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }

    static AnthropicError invalidRequest(String message) {
        return new AnthropicError(HttpStatus.BAD_REQUEST_400, INVALID_REQUEST, message);
    }

    static AnthropicError authentication(boolean headerPresent) {
        return new AnthropicError(HttpStatus.UNAUTHORIZED_401, "authentication_error",
                headerPresent ? "invalid x-api-key" : "x-api-key header is required");
    }

    /** The same problem in Anthropic's words: the status is kept and the type follows from it. */
    static AnthropicError from(OpenAiError error) {
        return new AnthropicError(error.status(), typeFor(error.status()), error.message());
    }

    /** The error type Anthropic uses for {@code status}. */
    static String typeFor(int status) {
        return switch (status) {
            case HttpStatus.UNAUTHORIZED_401 -> "authentication_error";
            case HttpStatus.FORBIDDEN_403 -> "permission_error";
            case HttpStatus.NOT_FOUND_404 -> "not_found_error";
            case HttpStatus.PAYLOAD_TOO_LARGE_413 -> "request_too_large";
            case HttpStatus.TOO_MANY_REQUESTS_429 -> "rate_limit_error";
            case OVERLOADED_529 -> OVERLOADED;
            default -> status >= 500 ? "api_error" : INVALID_REQUEST;
        };
    }

    ObjectNode toJson() {
        ObjectNode root = SimulatorJson.object();
        root.put("type", "error");
        ObjectNode error = root.putObject("error");
        error.put("type", type);
        error.put("message", message);
        return root;
    }

    @Override
    public void write(Response response, Callback callback) {
        if (status == HttpStatus.UNAUTHORIZED_401) {
            // As for OpenAI errors: HTTP clients such as Jetty's reject a 401 that carries no challenge.
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "x-api-key realm=\"switchboard-simulator\"");
        }
        SimulatorJson.write(response, callback, status, toJson());
    }
}
