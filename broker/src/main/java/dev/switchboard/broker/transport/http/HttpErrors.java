package dev.switchboard.broker.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.Refusal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * OpenAI-shaped HTTP errors, {@code {"error":{"message","type","param","code"}}}, and the mapping from a failed
 * response's error code to an HTTP status. Stateless; safe from any thread.
 *
 * <p>Public for one method, {@link #refuse}, which the routes outside this package use so that every refusal has
 * the same shape and ends the connection the same way.
 */
public final class HttpErrors {
    private static final int MAX_DETAIL = 48;
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpErrors() {
    }

    /**
     * One refused request.
     *
     * @param status the HTTP status
     * @param code a stable machine-readable code, e.g. {@code invalid_api_key}
     * @param message a description that names the problem (never echoes the prompt)
     * @param param the offending request field, when there is one
     * @param retryAfter for a throttle, when to retry ({@code Retry-After})
     * @param type OpenAI's {@code error.type}: by status, or a rate limit's own ({@code requests}, {@code tokens},
     *     {@code insufficient_quota}, ...)
     */
    record HttpError(int status, String code, String message, Optional<String> param,
                     Optional<java.time.Duration> retryAfter, String type) {
        HttpError(int status, String code, String message, Optional<String> param) {
            this(status, code, message, param, Optional.empty(), Refusal.errorTypeFor(status));
        }

        static HttpError of(int status, String code, String message) {
            return new HttpError(status, code, message, Optional.empty());
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

    /**
     * The error for a status the broker answers without a handler of its own deciding it (Jetty's refusals of
     * malformed requests, failed handlers). {@code reason} is Jetty's description; only a short, sanitized prefix
     * of it is kept (it can quote request bytes).
     */
    static HttpError forStatus(int status, @Nullable String reason) {
        String code = switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 411 -> "length_required";
            case 413 -> "request_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 417 -> "expectation_failed";
            case 426 -> "upgrade_required";
            case 431 -> "request_header_fields_too_large";
            case 500 -> "internal_error";
            case 501 -> "not_implemented";
            case 503 -> "service_unavailable";
            case 505 -> "http_version_not_supported";
            default -> status >= 500 ? "server_error" : "invalid_request";
        };
        String message = switch (status) {
            case 400 -> "the request is not valid HTTP/1.1";
            case 408 -> "the request did not arrive in time";
            case 413 -> "the request body is too large";
            case 414 -> "the request URI is too long (request line and headers: at most "
                    + DeadlineConnector.MAX_REQUEST_HEADER_BYTES + " bytes)";
            case 431 -> "the request headers are too large (request line and headers: at most "
                    + DeadlineConnector.MAX_REQUEST_HEADER_BYTES + " bytes)";
            case 426 -> "this port serves HTTP/1.1 (and WebSocket upgrades over it)";
            case 505 -> "the HTTP version is not supported; use HTTP/1.1";
            default -> status >= 500 ? "internal error" : "the request was refused (HTTP " + status + ")";
        };
        String detail = status >= 500 ? "" : sanitize(reason);
        boolean informative = !detail.isEmpty() && !detail.equalsIgnoreCase(HttpStatus.getMessage(status));
        return HttpError.of(status, code, informative ? message + ": " + detail : message);
    }

    /**
     * The start of {@code reason} up to the first character that is not a letter, digit, space or hyphen, at most
     * {@value #MAX_DETAIL} characters: Jetty's reasons quote offending bytes after such a character
     * ({@code Illegal character VCHAR='@'}), never before it.
     */
    static String sanitize(@Nullable String reason) {
        if (reason == null) {
            return "";
        }
        int end = 0;
        while (end < reason.length() && end < MAX_DETAIL) {
            char c = reason.charAt(end);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == ' ' || c == '-'))) {
                break;
            }
            end++;
        }
        return reason.substring(0, end).trim();
    }

    /**
     * Refuses {@code request} at once with an OpenAI-shaped error, without reading its body; see
     * {@link #refuseUnread}. Completes {@code callback} when done, never blocking; call it on a Jetty thread that
     * handles the request. Headers set on {@code response} before (such as {@code Allow}) are kept.
     */
    public static void refuse(Request request, Response response, Callback callback, Admission.Refused refused) {
        refuseUnread(JSON, request, response, callback, of(response, refused));
    }

    /**
     * The one mapping of an admission refusal to HTTP: the refusal's status and code with the OpenAI error type of
     * that status, and {@code Retry-After} (whole seconds, rounded up) set on {@code response} for a throttle.
     */
    static HttpError of(Response response, Admission.Refused refused) {
        return new HttpError(refused.refusal().httpStatus(), refused.refusal().code(), refused.message(),
                refused.param(), refused.retryAfter(), refused.refusal().errorType());
    }

    /**
     * Refuses {@code request} at once with an OpenAI-shaped error (as {@link #refuse(Request, Response, Callback,
     * Admission.Refused)}) for a refusal that is not an admission decision (a method, a route).
     *
     * @param code a stable machine-readable code, e.g. {@code method_not_allowed}
     * @param message names the problem; must not quote request data beyond a short, bounded value
     */
    public static void refuse(Request request, Response response, Callback callback, int status, String code,
                              String message) {
        refuseUnread(JSON, request, response, callback, HttpError.of(status, code, message));
    }

    /**
     * Answers {@code error} at once, before (or instead of) reading the request body. Without a body it is a plain
     * answer. With one, the answer says {@code Connection: close} and goes out at once; after it is written the
     * rest of the body is read and dropped for at most {@link DeadlineConnector#CLOSE_LINGER} before the exchange
     * completes and the connection closes. Jetty would otherwise close the connection with the body unread, which
     * resets it, and a client still sending a (large) body often reports the reset instead of the answer; a client
     * trickling a body still cannot hold the connection longer than the linger.
     */
    static void refuseUnread(ObjectMapper json, Request request, Response response, Callback callback,
                             HttpError error) {
        if (!mayHaveBody(request)) {
            write(json, response, callback, error);
            return;
        }
        closeConnection(response);
        Callback thenDrop = Callback.from(() -> BodyReader.discard(request, ChatEndpoint.MAX_BODY_BYTES,
                DeadlineConnector.CLOSE_LINGER, callback::succeeded), callback::failed);
        write(json, response, thenDrop, error);
    }

    /**
     * Marks {@code response} as the last on its connection ({@code Connection: close}): for answers sent without
     * reading the request body, so that the connection ends instead of waiting for (or parsing) the rest.
     */
    static void closeConnection(Response response) {
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    }

    /**
     * Whether {@code request} has a body: a positive {@code Content-Length} or a {@code Transfer-Encoding}
     * (Jetty reports a missing {@code Content-Length} as length -1, like a chunked body).
     */
    static boolean mayHaveBody(Request request) {
        return request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    /** Writes {@code error} as the whole response and completes {@code callback} when it is written. */
    static void write(ObjectMapper json, Response response, Callback callback, HttpError error) {
        error.retryAfter().ifPresent(wait -> response.getHeaders().put(HttpHeader.RETRY_AFTER,
                Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000))));
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
            case "upstream_rate_limited", "insufficient_quota" -> 429;
            case "upstream_content_policy", "upstream_context_length_exceeded", "upstream_rejected" -> 400;
            case "upstream_timeout" -> 504;
            default -> 502;
        };
    }
}
