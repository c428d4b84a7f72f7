package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * An error response in OpenAI's shape: {@code {"error":{"message","type","param","code"}}}.
 *
 * @param status  HTTP status code
 * @param message human-readable message; never contains prompt text or secrets
 * @param type    OpenAI error type, e.g. {@code invalid_request_error}
 * @param param   the offending request parameter, serialised as {@code null} when empty
 * @param code    machine-readable code, serialised as {@code null} when empty
 */
record OpenAiError(int status, String message, String type, Optional<String> param, Optional<String> code)
        implements ErrorReply {

    static final String INVALID_REQUEST = "invalid_request_error";

    OpenAiError {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(param, "param");
        Objects.requireNonNull(code, "code");
    }

    static OpenAiError invalidJson() {
        return new OpenAiError(HttpStatus.BAD_REQUEST_400,
                "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload, "
                        + "but what was sent was not valid JSON.",
                INVALID_REQUEST, Optional.empty(), Optional.empty());
    }

    static OpenAiError missingParameter(String param) {
        return new OpenAiError(HttpStatus.BAD_REQUEST_400, "Missing required parameter: '" + param + "'.",
                INVALID_REQUEST, Optional.of(param), Optional.of("missing_required_parameter"));
    }

    static OpenAiError invalidValue(String param, String rule) {
        return new OpenAiError(HttpStatus.BAD_REQUEST_400, "Invalid '" + param + "': " + rule + ".",
                INVALID_REQUEST, Optional.of(param), Optional.of("invalid_value"));
    }

    static OpenAiError invalidType(String param, String expected) {
        return new OpenAiError(HttpStatus.BAD_REQUEST_400, "Invalid type for '" + param + "': expected " + expected
                + ".", INVALID_REQUEST, Optional.of(param), Optional.of("invalid_type"));
    }

    static OpenAiError invalidApiKey(boolean headerPresent) {
        return invalidApiKey(headerPresent, Optional.empty());
    }

    /**
     * As OpenAI answers a wrong key: it echoes the key it was sent, masked (a prefix, stars, the last four
     * characters) — which is why a broker must not pass this text on to its own clients.
     */
    static OpenAiError invalidApiKey(boolean headerPresent, Optional<String> presented) {
        String message = headerPresent
                ? presented.filter(key -> key.length() >= 8).map(key -> "Incorrect API key provided: " + mask(key)
                        + ". You can find your API key at https://platform.openai.com/account/api-keys.")
                        .orElse("Incorrect API key provided.")
                : "You didn't provide an API key. You need to provide your API key in an Authorization header "
                        + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
        return new OpenAiError(HttpStatus.UNAUTHORIZED_401, message, INVALID_REQUEST, Optional.empty(),
                Optional.of("invalid_api_key"));
    }

    private static String mask(String key) {
        int head = Math.min(8, key.length() / 3);
        return key.substring(0, head) + "*".repeat(Math.max(4, key.length() - head - 4))
                + key.substring(key.length() - 4);
    }

    static OpenAiError notFound(String method, String path) {
        return new OpenAiError(HttpStatus.NOT_FOUND_404, "Invalid URL (" + method + " " + path + ")",
                INVALID_REQUEST, Optional.empty(), Optional.empty());
    }

    static OpenAiError methodNotAllowed(String method, String path) {
        return new OpenAiError(HttpStatus.METHOD_NOT_ALLOWED_405,
                "Invalid method for URL (" + method + " " + path + ")", INVALID_REQUEST, Optional.empty(),
                Optional.empty());
    }

    static OpenAiError bodyTooLarge(long maxBytes) {
        return new OpenAiError(HttpStatus.PAYLOAD_TOO_LARGE_413,
                "Request body exceeds the simulator's limit of " + maxBytes + " bytes.", INVALID_REQUEST,
                Optional.empty(), Optional.of("request_too_large"));
    }

    ObjectNode toJson() {
        ObjectNode root = SimulatorJson.object();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("param", param.orElse(null));
        error.put("code", code.orElse(null));
        return root;
    }

    @Override
    public void write(Response response, Callback callback) {
        if (status == HttpStatus.UNAUTHORIZED_401) {
            // RFC 9110 requires a challenge on 401; HTTP clients such as Jetty's reject a 401 without one.
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"switchboard-simulator\"");
        }
        SimulatorJson.write(response, callback, status, toJson());
    }
}
