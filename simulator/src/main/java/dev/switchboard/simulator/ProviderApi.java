package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.eclipse.jetty.server.Request;

/**
 * One provider API the simulator speaks: {@link OpenAiApi} (chat completions) or {@link AnthropicApi} (messages).
 * It decides how a request is authenticated and parsed and how completions and errors look on the wire; the
 * shared {@link CompletionHandler} does everything else (faults, planning, pacing), so both APIs behave alike and
 * generate the same text for the same conversation.
 *
 * <p>Implementations are immutable and thread-safe; one instance serves every request of a simulator. No method
 * blocks.
 */
interface ProviderApi {

    /** The endpoint path under the server root, e.g. {@code /v1/chat/completions}. */
    String path();

    /** The error to answer with when a key is required and the request does not present it; empty otherwise. */
    Optional<ErrorReply> authenticate(Request request);

    /** The error for a missing or bad API-specific header (checked before the body is read); empty otherwise. */
    Optional<ErrorReply> checkHeaders(Request request);

    /** Validates a request body, reading {@code sim_*} knobs from it or from {@code request}'s headers. */
    ParseResult<ChatRequest> parse(byte[] body, Request request);

    /** Prefix of response ids, e.g. {@code chatcmpl-}. */
    String idPrefix();

    /** A new encoder for one streamed completion. */
    StreamEncoder streamEncoder(GenerationPlan plan);

    /** The whole response object of a non-streamed completion. */
    ObjectNode reply(GenerationPlan plan);

    /** {@code error} in this API's shape; shared validation (knobs, fault specs) produces OpenAI-shaped errors. */
    ErrorReply error(ErrorReply error);

    /** The error a {@code status=}/{@code error_code=} fault answers with (without {@code Retry-After}). */
    ErrorReply statusFault(FaultProfile.Status fault);

    /** The 400 a {@code reject_prefill=true} fault answers a prefill request with. */
    ErrorReply prefillRejected();
}
