package dev.switchboard.simulator;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * {@code GET /v1/realtime?model=NAME} (plain or under {@code /faults/{spec}}): the OpenAI-Realtime-style
 * WebSocket endpoint. Everything that can be refused is refused with an HTTP error in OpenAI's JSON shape before
 * the upgrade, in this order: fault keys the endpoint cannot apply (400), a {@code status}/{@code error_code} or
 * {@code reset_before_headers} fault, a missing (400) or unknown (404) model, a bad
 * {@code x-switchboard-metadata} header (400), and a request that is not a WebSocket upgrade (426). The API key
 * was checked by {@link SimulatorHandler} before. An accepted upgrade becomes a {@link RealtimeSocket}; the
 * {@code realtime} subprotocol is selected when offered and permessage-deflate is never negotiated.
 *
 * <p>Thread-safe; one instance serves every upgrade of a simulator.
 */
final class RealtimeEndpoint {

    static final String PATH = "/v1/realtime";
    static final String SUBPROTOCOL = "realtime";

    private final ServerWebSocketContainer container;
    private final OpenAiApi api;
    private final SimulatorRuntime runtime;
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong responses = new AtomicLong();

    RealtimeEndpoint(ServerWebSocketContainer container, OpenAiApi api, SimulatorRuntime runtime) {
        this.container = container;
        this.api = api;
        this.runtime = runtime;
    }

    /** Handles one upgrade request with {@code faults} ({@link FaultProfile#NONE} on the plain path); always true. */
    boolean handle(Request request, Response response, Callback callback, FaultProfile faults) {
        Optional<OpenAiError> unsupported = unsupportedFault(faults);
        if (unsupported.isPresent()) {
            unsupported.get().write(response, callback);
            return true;
        }
        Optional<FaultProfile.Rejection> rejection = faults.rejection();
        if (rejection.isPresent() && !(rejection.get() instanceof FaultProfile.NoResponse)) {
            reject(request, response, callback, rejection.get());
            return true;
        }
        String model = Request.extractQueryParameters(request).getValue("model");
        ParseResult<Map<String, String>> header =
                MetadataHeader.parse(Optional.ofNullable(request.getHeaders().get(MetadataHeader.NAME)));
        Optional<OpenAiError> refusal = refusal(model, header);
        if (refusal.isPresent()) {
            refusal.get().write(response, callback);
            return true;
        }
        Map<String, String> metadata = ((ParseResult.Valid<Map<String, String>>) header).value();
        boolean upgraded = container.upgrade((upgradeRequest, upgradeResponse, upgradeCallback) -> {
            if (upgradeRequest.hasSubProtocol(SUBPROTOCOL)) {
                upgradeResponse.setAcceptedSubProtocol(SUBPROTOCOL);
            }
            upgradeResponse.setExtensions(List.of());
            if (rejection.isPresent() || faults.shapes(true)) {
                runtime.stats().onFaultInjected();
            }
            return new RealtimeSocket(runtime, connections.incrementAndGet(), model, faults, metadata, responses);
        }, request, response, callback);
        if (!upgraded) {
            new OpenAiError(HttpStatus.UPGRADE_REQUIRED_426, PATH + " is a WebSocket endpoint: send a WebSocket "
                    + "upgrade request.", OpenAiError.INVALID_REQUEST, Optional.empty(),
                    Optional.of("upgrade_required")).write(response, callback);
        }
        return true;
    }

    /** Fault keys that have no meaning for a Realtime connection. */
    private static Optional<OpenAiError> unsupportedFault(FaultProfile faults) {
        if (faults.stream().ending() == StreamFaults.Ending.NO_DONE) {
            return Optional.of(OpenAiError.invalidValue("faults.no_done", "not supported on " + PATH));
        }
        if (faults.rejectPrefill()) {
            return Optional.of(OpenAiError.invalidValue("faults.reject_prefill", "not supported on " + PATH));
        }
        return Optional.empty();
    }

    private static Optional<OpenAiError> refusal(String model, ParseResult<Map<String, String>> header) {
        if (model == null || model.isEmpty()) {
            return Optional.of(OpenAiError.missingParameter("model"));
        }
        if (!SimulatorModels.servesRealtime(model)) {
            return Optional.of(new OpenAiError(HttpStatus.NOT_FOUND_404, "The model '" + model + "' does not exist "
                    + "or you do not have access to it.", OpenAiError.INVALID_REQUEST, Optional.of("model"),
                    Optional.of("model_not_found")));
        }
        if (header instanceof ParseResult.Invalid<Map<String, String>> invalid) {
            return Optional.of((OpenAiError) invalid.error());
        }
        ParseResult<SimKnobs> knobs =
                SimKnobs.parse(((ParseResult.Valid<Map<String, String>>) header).value(), MetadataHeader.PARAM_PREFIX);
        if (knobs instanceof ParseResult.Invalid<SimKnobs> invalid) {
            return Optional.of((OpenAiError) invalid.error());
        }
        return Optional.empty();
    }

    private void reject(Request request, Response response, Callback callback, FaultProfile.Rejection rejection) {
        runtime.stats().onFaultInjected();
        if (rejection instanceof FaultProfile.Status status) {
            status.retryAfterSeconds().ifPresent(seconds -> response.getHeaders().put(HttpHeader.RETRY_AFTER,
                    Long.toString(seconds)));
            api.statusFault(status).write(response, callback);
        } else {
            ConnectionFaults.reset(request, callback);
        }
    }
}
