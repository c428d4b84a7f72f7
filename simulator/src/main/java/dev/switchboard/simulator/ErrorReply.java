package dev.switchboard.simulator;

import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * An error answered instead of a completion, in one provider API's JSON shape: {@link OpenAiError} or
 * {@link AnthropicError}. A bad request is an expected outcome, so it is a value rather than an exception.
 */
sealed interface ErrorReply permits OpenAiError, AnthropicError {

    /** The HTTP status code. */
    int status();

    /** Writes this error as the whole response; ownership of {@code callback} passes to this call. */
    void write(Response response, Callback callback);
}
