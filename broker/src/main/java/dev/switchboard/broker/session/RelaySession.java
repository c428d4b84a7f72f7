package dev.switchboard.broker.session;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.bridge.realtime.RelayConnector;
import dev.switchboard.bridge.realtime.RelayUpstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.ProviderText;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.broker.route.Route;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.stream.UpstreamSource;
import dev.switchboard.broker.tenant.Principal;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.ErrorEvent;
import dev.switchboard.protocol.event.UnknownServerEvent;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session relayed to a Realtime WebSocket provider ({@code kind: openai-realtime}). The provider holds the
 * conversation; the broker forwards client events unchanged (after a one-pass check) and relays server events
 * with a {@code seq} spliced into their raw JSON, so event types it does not model pass through untouched in
 * both directions. What the broker adds: the tenant's auth and routing, the provider's credentials, the
 * replay log and resume, backpressure, and cutting a response off the moment it is cancelled or interrupted.
 *
 * <p>Cut-off: on {@code response.cancel} from the client, or {@code input_audio_buffer.speech_started} from the
 * provider while a response plays (when the session's turn detection interrupts responses), the broker ends the
 * response at once with its own {@code response.done} (status {@code cancelled}) and drops every later event of
 * that response, including the provider's own {@code response.done}: nothing of it reaches the client after the
 * acknowledgement. The provider is told to cancel too (the client's event is forwarded; the provider's VAD
 * cancels on its own).
 *
 * <p>Confined to the shard thread, like every session.
 */
public final class RelaySession extends AbstractSession {
    private static final Logger LOG = LoggerFactory.getLogger(RelaySession.class);
    /** Cut-off response ids remembered, to drop their late events; oldest forgotten first. */
    private static final int MAX_CUT_RESPONSES = 64;
    /**
     * Relay events allowed in the ring at once. Smaller than an SSE attempt's credit: relayed events are large
     * (a 100 ms audio delta is 6 KiB) and a voice session's barge-in must not wait behind hundreds of them in the
     * shared ring; 32 keep over three seconds of audio in flight, plenty to keep the client's pipe full.
     */
    static final int RELAY_CREDIT = 32;

    private final Route.Target target;
    private final RelayConnector connector;
    private final Set<String> cutResponses = new LinkedHashSet<>();
    private RelayUpstream upstream;
    private RingCredit feed;
    private String activeResponse;
    private long requestedNanos;
    private boolean firstDeltaSeen;
    /** When the current response's first delta arrived ({@link System#nanoTime()}), or 0. */
    private long firstDeltaNanos;
    private boolean interruptOnSpeech = true;
    /** The broker's own VAD on the caller's audio, when the tenant or the session turned it on. */
    private BrokerVad vad;
    private BrokerVad.Format inputFormat = BrokerVad.Format.PCM16_24K;
    /** The connection to the provider, as tracing sees it. */
    private ResponseTrace.Connection connection = ResponseTrace.Connection.NONE;
    /** The active response's trace; {@link ResponseTrace#NONE} between responses or when nothing is exported. */
    private ResponseTrace trace = ResponseTrace.NONE;
    /** The tenant's content policy on this relay, or null when it has none. */
    private RelayPolicing policing;

    /** A relay session for {@code tenant} on a route whose single target is a Realtime provider. */
    public RelaySession(Principal principal, Route route, Shard shard, SessionContext context) {
        super(principal, route.model(), shard, context);
        this.target = route.primary();
        this.connector = target.provider().relay();
        if (tenant.brokerVad()) {
            vad = VadSettings.DEFAULT.detector();
        }
    }

    // ---- life cycle hooks (shard thread) ----

    @Override
    void onStarted() {
        policing = tenant.policy().map(p -> new RelayPolicing(p, context.codec().mapper(), info, context.notices(),
                context.clock(), context.metrics())).orElse(null);
        feed = new RingCredit(this, null, shard, context.scheduler(), RELAY_CREDIT);
        connection = context.tracing().connection(info, traceParent, target.provider().name(),
                target.upstreamModel());
        upstream = connector.open(target.upstreamModel(), connection.headers(), feed);
        feed.attach(upstream);
        flowTarget(upstream);
    }

    @Override
    boolean responseInProgress() {
        return activeResponse != null;
    }

    @Override
    void onEnded(String reason) {
        if (held != null) {
            abandonHeld(reason);
        }
        if (activeResponse != null) {
            // Nobody will read the rest: the response ends now, for the client and the hooks, as a bridged one does.
            cutOff(activeResponse, reason, System.nanoTime(), false);
        }
        flowTarget(null);
        if (upstream != null) {
            upstream.cancel();
        }
    }

    // ---- client frames (shard thread) ----

    @Override
    void onClientEvent(ClientDecoding frame, long receivedNanos) {
        if (frame instanceof ClientDecoding.Rejected rejected) {
            sendError(rejected.error());
            return;
        }
        if (!(frame instanceof ClientDecoding.Raw raw)) {
            throw new IllegalStateException("relay sessions are fed undecoded frames");
        }
        if (held != null) {
            // A response.create waits for its verdict: what follows waits behind it, in order, but a cancel.
            if (raw.type().equals("response.cancel")) {
                abandonHeld("client_cancelled");
            } else if (!held.hold(raw, receivedNanos)) {
                sendError(ErrorDetail.invalidRequest("upstream_backlog_full", "too many events behind a "
                        + "response.create whose admission is pending; '" + raw.type() + "' was not forwarded",
                        raw.eventId()));
            }
            return;
        }
        String text = raw.text();
        switch (raw.type()) {
            case "session.update" -> {
                Optional<String> stripped = takeSwitchboardSettings(raw);
                if (stripped.isEmpty()) {
                    return;
                }
                text = stripped.get();
            }
            case "input_audio_buffer.append" -> {
                if (vad != null) {
                    listen(raw.text(), receivedNanos);
                }
            }
            case "response.create" -> {
                ResponseHooks.Verdict verdict = context.hooks().onResponseRequested(new ResponseHooks.ResponseRequest(
                        new ResponseHooks.ResponseInfo(info, ""), target.provider().name(), target.upstreamModel(), 0,
                        java.util.OptionalInt.empty(), context.clock().instant()));
                if (verdict instanceof ResponseHooks.Verdict.Pending pending) {
                    held = new VerdictWait.Held(raw, text, receivedNanos);
                    VerdictWait.deliver(pending, held.ticket, this::publish);
                    return;
                }
                createDecided(raw, text, receivedNanos, verdict);
                return;
            }
            case "response.cancel" -> {
                if (activeResponse != null) {
                    cutOff(activeResponse, "client_cancelled", receivedNanos);
                }
            }
            case "conversation.item.create" -> {
                if (policing != null) {
                    RelayPolicing.Input policed = policing.input(text);
                    if (policed.json() == null) {
                        sendError(InputPolicing.refusal(tenant.policy().orElseThrow(), policed.blockedBy())
                                .errorDetail().withEventId(raw.eventId()));
                        return;
                    }
                    text = policed.json();
                }
            }
            default -> {
                // Everything else goes up as it came; the provider answers it.
            }
        }
        forward(raw, text);
    }

    private void forward(ClientDecoding.Raw raw, String text) {
        if (upstream == null || !upstream.trySend(text)) {
            sendError(ErrorDetail.invalidRequest("upstream_backlog_full", "the provider connection is not "
                    + "accepting events (closed, or too many unsent); '" + raw.type() + "' was not forwarded",
                    raw.eventId()));
        }
    }

    /** Forwards or refuses a client {@code response.create} by its (final) verdict. */
    private void createDecided(ClientDecoding.Raw raw, String text, long receivedNanos,
                               ResponseHooks.Verdict verdict) {
        if (verdict instanceof ResponseHooks.Verdict.Deny deny) {
            sendError(deny.refusal().errorDetail().withEventId(raw.eventId()));
            return;
        }
        String sent = verdict instanceof ResponseHooks.Verdict.Modify modify
                ? withOutputCap(text, modify.maxOutputTokens()) : text;
        requestedNanos = receivedNanos;
        firstDeltaSeen = false;
        forward(raw, sent);
    }

    /** A client response.create waiting for its pending verdict, or null. */
    private VerdictWait.Held held;

    @Override
    void onVerdictDue(String ticket, ResponseHooks.Verdict verdict) {
        VerdictWait.Held waiting = held;
        if (waiting != null && waiting.ticket.equals(ticket)) {
            held = null;
            createDecided(waiting.create, waiting.text, waiting.receivedNanos, verdict);
            replay(waiting);
        } else if (verdict instanceof ResponseHooks.Verdict.Deny deny && ticket.equals(activeResponse)) {
            refuseProviderStarted(ticket, deny, System.nanoTime());
        }
    }

    /** The client frames held behind a create, handled now in their order (one may hold the rest again). */
    private void replay(VerdictWait.Held done) {
        for (int i = 0; i < done.after.size(); i++) {
            if (held != null) {
                held.hold(done.after.get(i), done.afterNanos.get(i));
            } else {
                onClientEvent(done.after.get(i), done.afterNanos.get(i));
            }
        }
    }

    /**
     * The held create is given up (a cancel, the session ending): it never reaches the provider, the hooks are told
     * it ended {@code cancelled} (so what they reserved is given back), and the frames behind it go on.
     */
    private void abandonHeld(String reason) {
        VerdictWait.Held waiting = held;
        held = null;
        context.hooks().onResponseEnded(new ResponseHooks.ResponseRecord(new ResponseHooks.ResponseInfo(info, ""),
                "cancelled", reason, 0, 0, 0, 0, 0, target.provider().name(), target.upstreamModel(), 0,
                Optional.empty(), java.time.Duration.ZERO, context.clock().instant()));
        if (reason.equals("client_cancelled")) {
            replay(waiting);
        }
    }

    // ---- provider events (shard thread) ----

    @Override
    public void onUpstreamEvent(UpstreamSource source, UpstreamEvent event) {
        if (source != feed) {
            return;
        }
        feed.onConsumed(1);
        if (event instanceof UpstreamEvent.Relayed relayed) {
            onRelayed(relayed);
        } else if (event instanceof UpstreamEvent.End end) {
            onUpstreamEnded(end.outcome());
        }
    }

    private void onRelayed(UpstreamEvent.Relayed event) {
        String stripped = event.json().strip();
        String json = event.type().equals("error") ? redactedError(stripped) : stripped;
        if (event.type().isEmpty() || !json.startsWith("{") || !json.endsWith("}")) {
            LOG.debug("dropping a provider frame that is not a JSON object with a type");
            context.metrics().deltaDiscarded();
            return;
        }
        String type = event.type();
        if (!cutResponses.isEmpty() && type.startsWith("response.")
                && cutResponses.contains(responseIdOf(type, json))) {
            context.metrics().staleDiscarded(model(), type.equals("response.output_audio.delta") ? json.length() : 0);
            if (type.equals("response.done") && context.hooks() != ResponseHooks.NONE) {
                // The provider's count of what the cut response cost (its input side was unknown until now).
                JsonNode response = treeOf(json).path("response");
                context.hooks().onUsageAfterCut(record(response, statusOf(response)));
            }
            return;
        }
        switch (type) {
            case "session.created" -> {
                connection.opened();
                onSessionConfig(json);
                String token = context.store().tokenFor(this);
                emitEncoded(seq -> "{\"resume_token\":\"" + token + "\"," + json.substring(1, json.length() - 1)
                        + ",\"seq\":" + seq + "}", null);
                return;
            }
            case "session.updated" -> onSessionConfig(json);
            case "response.created" -> {
                activeResponse = responseIdOf(type, json);
                firstDeltaSeen = false;
                firstDeltaNanos = 0;
                boolean providerStarted = requestedNanos == 0;
                if (providerStarted) {
                    // Started by the provider's turn detection, not by a response.create: timed from here.
                    requestedNanos = event.receivedNanos();
                }
                startTrace();
                if (providerStarted) {
                    // Offered to the hooks now that it has an id.
                    relay(type, json);
                    offerProviderStarted(activeResponse, event.receivedNanos());
                    return;
                }
            }
            case "response.output_text.delta", "response.output_audio.delta",
                 "response.output_audio_transcript.delta" -> {
                recordFirstDelta(event.receivedNanos());
                reportDelta(type, json);
            }
            case "input_audio_buffer.speech_started" -> {
                relay(type, json);
                if (activeResponse != null && interruptOnSpeech) {
                    cutOff(activeResponse, "turn_detected", event.receivedNanos());
                }
                return;
            }
            default -> {
            }
        }
        if ("response.done".equals(type)) {
            // Counted and reported before response.done is relayed, so a client that saw it also sees the count.
            JsonNode response = treeOf(json).path("response");
            String status = statusOf(response);
            context.metrics().responseEnded(model(), status);
            ResponseHooks.ResponseRecord record = record(response, status);
            context.hooks().onResponseEnded(record);
            endTrace(record);
        }
        if (policing != null && RelayPolicing.polices(type)) {
            for (RelayPolicing.Frame frame : policing.output(type, json, activeResponse == null ? "" : activeResponse)) {
                relay(frame.type(), frame.json());
            }
        } else {
            relay(type, json);
        }
        if ("response.done".equals(type)) {
            activeResponse = null;
            requestedNanos = 0;
            responseFinished();
        } else if (policing != null && policing.takeBlock() && activeResponse != null) {
            // The content policy blocked the output: nothing of the match was relayed; the answer (and its audio)
            // stops here.
            cutOff(activeResponse, "content_filter", event.receivedNanos(), false);
            if (upstream != null) {
                upstream.trySend("{\"type\":\"response.cancel\"}");
            }
        } else if (budgetExhausted && activeResponse != null) {
            // A budget reached zero on this delta: it was sent (it is spent); the rest is not asked for.
            budgetExhausted = false;
            cutOff(activeResponse, "budget_exhausted", event.receivedNanos(), false);
            if (upstream != null) {
                upstream.trySend("{\"type\":\"response.cancel\"}");
            }
        }
    }

    private void relay(String type, String json) {
        emitEncoded(seq -> json.substring(0, json.length() - 1) + ",\"seq\":" + seq + "}",
                type.startsWith("response.") ? new Waiting(type, json) : null);
    }

    /** A relayed response event waiting for room on the connection; a cut-off may drop it. */
    private record Waiting(String type, String json) {
    }

    /**
     * Ends response {@code responseId} for the client now: its own {@code response.done} (cancelled), and from
     * here on every event of it is dropped. {@code sinceNanos} is when the interruption became known.
     */
    /**
     * A response the provider started by itself is offered to the hooks when it is announced. It is already
     * running, so a {@code Modify} cannot apply; a {@code Deny} sends the refusal as an {@code error} event, ends
     * the response {@code cancelled} with the refusal's code as the reason and cancels it at the provider.
     */
    private void offerProviderStarted(String responseId, long sinceNanos) {
        ResponseHooks.Verdict verdict = context.hooks().onResponseRequested(new ResponseHooks.ResponseRequest(
                new ResponseHooks.ResponseInfo(info, responseId), target.provider().name(), target.upstreamModel(),
                0, java.util.OptionalInt.empty(), context.clock().instant()));
        if (verdict instanceof ResponseHooks.Verdict.Pending pending) {
            // It runs meanwhile (it already does at the provider); a Deny that arrives while it is active cuts it.
            VerdictWait.deliver(pending, responseId, this::publish);
        } else if (verdict instanceof ResponseHooks.Verdict.Deny deny) {
            refuseProviderStarted(responseId, deny, sinceNanos);
        }
    }

    private void refuseProviderStarted(String responseId, ResponseHooks.Verdict.Deny deny, long sinceNanos) {
        sendError(deny.refusal().errorDetail());
        cutOff(responseId, deny.refusal().refusal().code(), sinceNanos, false);
        if (upstream != null) {
            upstream.trySend("{\"type\":\"response.cancel\"}");
        }
    }

    private void cutOff(String responseId, String reason, long sinceNanos) {
        cutOff(responseId, reason, sinceNanos, true);
    }

    /** Whether the last delta reported to the hooks spent a budget. */
    private boolean budgetExhausted;

    /** Ends {@code responseId} for the client at once; {@code bargeIn}: a barge-in (timed as one), not a refusal. */
    private void cutOff(String responseId, String reason, long sinceNanos, boolean bargeIn) {
        rememberCut(responseId);
        activeResponse = null;
        // Deltas of the response still waiting for the connection are dropped before they get a seq.
        for (Object dropped : discardPending(tag -> tag instanceof Waiting waiting
                && responseId.equals(responseIdOf(waiting.type(), waiting.json())))) {
            Waiting waiting = (Waiting) dropped;
            context.metrics().staleDiscarded(model(), waiting.type().equals("response.output_audio.delta")
                    ? waiting.json().length() : 0);
        }
        ObjectNode done = context.codec().mapper().createObjectNode().put("type", "response.done");
        // A barge-in or a refusal cancels; a spent budget or a policy block leaves the answer incomplete, as a token
        // cap does.
        String status = reason.equals("budget_exhausted") || reason.equals("content_filter") ? "incomplete"
                : "cancelled";
        ObjectNode response = done.putObject("response").put("object", "realtime.response").put("id", responseId)
                .put("status", status);
        response.putObject("status_details").put("type", status).put("reason", reason);
        response.putArray("output");
        response.putNull("usage");
        emit(new UnknownServerEvent("response.done", done));
        if (bargeIn) {
            context.metrics().bargeIn(model(), reason, System.nanoTime() - sinceNanos);
        }
        // A client's cancel is timed like a barge-in (the same cut-off path) but is not one.
        trace.cut(reason, bargeIn && !reason.equals("client_cancelled"));
        context.metrics().responseEnded(model(), status);
        ResponseHooks.ResponseRecord record = record(response, status);
        context.hooks().onResponseEnded(record);
        endTrace(record);
        requestedNanos = 0;
        responseFinished();
    }

    /** The trace of the response the provider just announced: its server span and the provider's leg of it. */
    private void startTrace() {
        trace = context.tracing().response(new ResponseHooks.ResponseInfo(info, activeResponse), traceParent,
                "realtime", model(), requestedNanos);
        trace.attemptStarted(target.provider().name(), target.upstreamModel());
    }

    private void endTrace(ResponseHooks.ResponseRecord record) {
        trace.ended(record);
        trace = ResponseTrace.NONE;
    }

    /**
     * {@code response.create} with {@code response.max_output_tokens} set to {@code cap} ({@code "inf"} when
     * empty), for a hook's {@code Modify}: the one client frame the relay rewrites, and only then.
     */
    private String withOutputCap(String responseCreate, java.util.OptionalInt cap) {
        JsonNode tree = treeOf(responseCreate);
        if (!(tree instanceof ObjectNode event)) {
            return responseCreate;
        }
        JsonNode existing = event.path("response");
        ObjectNode response = existing instanceof ObjectNode object ? object : event.putObject("response");
        if (cap.isPresent()) {
            response.put("max_output_tokens", cap.getAsInt());
        } else {
            response.put("max_output_tokens", "inf");
        }
        return event.toString();
    }

    @Override
    ResponseHooks.Transport transport(ClientChannel channel) {
        return ResponseHooks.Transport.RELAY;
    }

    private JsonNode treeOf(String json) {
        return treeOf(context.codec().mapper(), json);
    }

    /** {@code json} as a tree; a missing node when it is not JSON (provider frames were checked only for shape). */
    static JsonNode treeOf(com.fasterxml.jackson.databind.ObjectMapper mapper, String json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    /** Reports a relayed output delta to the hooks; read only when a hook reads content (audio is long). */
    private void reportDelta(String type, String json) {
        if (!context.hooks().readsContent()) {
            return;
        }
        ResponseHooks.ResponseInfo response = new ResponseHooks.ResponseInfo(info,
                activeResponse == null ? "" : activeResponse);
        ResponseHooks.DeltaVerdict verdict;
        if (type.equals("response.output_audio.delta")) {
            // The length of the base64 text is enough: its characters are never copied (JsonParser's fast path).
            int base64 = topLevelString(json, "delta", JsonParser::getTextLength, 0);
            verdict = context.hooks().onOutputDelta(response, ResponseHooks.DeltaKind.AUDIO, "", base64 / 4 * 3);
        } else {
            verdict = context.hooks().onOutputDelta(response, type.equals("response.output_text.delta")
                    ? ResponseHooks.DeltaKind.TEXT : ResponseHooks.DeltaKind.TRANSCRIPT, treeOf(json).path("delta")
                    .asText(""), 0);
        }
        budgetExhausted = verdict == ResponseHooks.DeltaVerdict.BUDGET_EXHAUSTED;
    }

    /** The hooks' record of a relayed response that ended, from its {@code response.done} response object. */
    private ResponseHooks.ResponseRecord record(JsonNode response, String status) {
        JsonNode usage = response.path("usage");
        long now = System.nanoTime();
        return new ResponseHooks.ResponseRecord(new ResponseHooks.ResponseInfo(info, response.path("id").asText("")),
                status, response.path("status_details").path("reason").asText(
                        response.path("status_details").path("error").path("code").asText("")),
                usage.path("input_tokens").asLong(0), usage.path("output_tokens").asLong(0),
                usage.path("input_token_details").path("cached_tokens").asLong(0),
                usage.path("input_token_details").path("audio_tokens").asLong(0),
                usage.path("output_token_details").path("audio_tokens").asLong(0), target.provider().name(),
                response.path("model").asText(target.upstreamModel()), 0,
                firstDeltaNanos == 0 || requestedNanos == 0 ? Optional.empty()
                        : Optional.of(java.time.Duration.ofNanos(firstDeltaNanos - requestedNanos)),
                java.time.Duration.ofNanos(requestedNanos == 0 ? 0 : now - requestedNanos), context.clock().instant());
    }

    /** The status of a provider's {@code response.done} response object, for the responses-by-outcome meter. */
    private String statusOf(JsonNode response) {
        String status = response.path("status").asText("");
        // The provider writes this value: only the Realtime statuses become a tag, so it cannot grow the meter's
        // series without bound (issue 11).
        return switch (status) {
            case "completed", "incomplete", "cancelled", "failed" -> status;
            default -> "unknown";
        };
    }

    private void rememberCut(String responseId) {
        cutResponses.add(responseId);
        if (cutResponses.size() > MAX_CUT_RESPONSES) {
            cutResponses.remove(cutResponses.iterator().next());
        }
    }

    private void recordFirstDelta(long receivedNanos) {
        if (!firstDeltaSeen && requestedNanos != 0) {
            firstDeltaSeen = true;
            long now = System.nanoTime();
            firstDeltaNanos = now;
            context.metrics().firstToken(model(), target.provider().name(), now - requestedNanos,
                    now - receivedNanos);
        }
    }

    /**
     * {@code session.update} may carry Switchboard's extension {@code session.switchboard.broker_vad}: it configures
     * the broker VAD and is removed before the event goes to the provider (which would refuse an unknown field).
     *
     * @return the text to forward, or empty when the extension was invalid (an error was sent)
     */
    private Optional<String> takeSwitchboardSettings(ClientDecoding.Raw raw) {
        if (!raw.text().contains("\"switchboard\"")) {
            return Optional.of(raw.text());
        }
        try {
            ObjectNode event = (ObjectNode) context.codec().mapper().readTree(raw.text());
            JsonNode session = event.path("session");
            if (!(session instanceof ObjectNode sessionObject) || !session.has("switchboard")) {
                return Optional.of(raw.text());
            }
            JsonNode settings = sessionObject.remove("switchboard").path("broker_vad");
            if (!settings.isMissingNode()) {
                Optional<String> problem = VadSettings.problem(settings);
                if (problem.isPresent()) {
                    sendError(ErrorDetail.invalidRequest("invalid_value", problem.get(), raw.eventId())
                            .withParam("session.switchboard.broker_vad"));
                    return Optional.empty();
                }
                VadSettings vadSettings = VadSettings.from(settings);
                vad = vadSettings.enabled() ? vadSettings.detector() : null;
                if (vad != null) {
                    vad.format(inputFormat);
                }
            }
            return Optional.of(context.codec().mapper().writeValueAsString(event));
        } catch (IOException | ClassCastException e) {
            return Optional.of(raw.text());
        }
    }

    /**
     * Broker VAD: decodes the appended audio and, the moment speech starts while a response plays, cuts the
     * response and cancels it at the provider, ahead of the provider's own detection.
     */
    private void listen(String appendEvent, long receivedNanos) {
        byte[] audio = audioOf(appendEvent);
        long startedMs = audio.length == 0 ? -1 : vad.feed(audio);
        if (startedMs < 0) {
            return;
        }
        ObjectNode event = context.codec().mapper().createObjectNode().put("type", "switchboard.speech_started")
                .put("audio_start_ms", startedMs).put("audio_detected_ms", vad.detectedMs())
                .put("source", "broker_vad");
        emit(new UnknownServerEvent("switchboard.speech_started", event));
        if (activeResponse != null) {
            cutOff(activeResponse, "broker_vad", receivedNanos);
            if (upstream != null) {
                upstream.trySend("{\"type\":\"response.cancel\"}");
            }
        }
    }

    /** The decoded {@code audio} of an append event, found with one streaming pass; empty if absent or invalid. */
    private byte[] audioOf(String appendEvent) {
        return topLevelString(appendEvent, "audio", parser -> java.util.Base64.getDecoder().decode(parser.getText()),
                new byte[0]);
    }

    /** Reads the string value the parser stands on. */
    private interface StringRead<T> {
        T read(JsonParser parser) throws IOException;
    }

    /**
     * {@code read} applied to the top-level string field {@code field} of {@code json}, found in one streaming pass
     * that skips everything else without building a tree (audio payloads are long); {@code absent} when the field
     * is missing, not a string, or unreadable.
     */
    private <T> T topLevelString(String json, String field, StringRead<T> read, T absent) {
        try (JsonParser parser = context.codec().mapper().getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return absent;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals(field) && value == JsonToken.VALUE_STRING) {
                    return read.read(parser);
                }
                parser.skipChildren();
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.debug("event without a readable '{}' string", field, e);
        }
        return absent;
    }

    /** Tracks whether the provider's turn detection interrupts responses, and the caller's audio format. */
    private void onSessionConfig(String json) {
        try {
            JsonNode input = context.codec().mapper().readTree(json).path("session").path("audio").path("input");
            JsonNode detection = input.path("turn_detection");
            interruptOnSpeech = detection.isObject() && detection.path("interrupt_response").asBoolean(true);
            inputFormat = BrokerVad.Format.of(input.path("format").path("type").asText("audio/pcm"));
            if (vad != null) {
                vad.format(inputFormat);
            }
        } catch (IOException e) {
            LOG.debug("unreadable session event from the provider", e);
        }
    }

    /** The provider closed or failed: tell the client why and close its connection with the matching code. */
    private void onUpstreamEnded(UpstreamOutcome outcome) {
        if (ended()) {
            return;
        }
        CloseReason reason = outcome instanceof UpstreamOutcome.Failed failed ? failed.reason()
                : CloseReason.UPSTREAM_STREAM_BROKEN;
        String message = outcome instanceof UpstreamOutcome.Failed failed ? failed.message()
                : "the provider ended the session";
        connection.failed(reason.errorCode());
        java.util.Map<String, String> logIds = logContext(trace);
        if (trace != ResponseTrace.NONE) {
            // The provider went away mid-response: the response's spans end failed.
            trace.attemptFailed(reason.errorCode());
            endTrace(record(com.fasterxml.jackson.databind.node.MissingNode.getInstance(), "failed"));
        }
        if (outcome instanceof UpstreamOutcome.Failed failed) {
            context.operatorLog().warn("relay:" + target.provider().name() + ":" + reason.errorCode(),
                    logIds,
                    "Realtime relay to provider {} failed: {}: {}{}{}", target.provider().name(),
                    reason.errorCode(), message, failed.providerDetail().filter(d -> !failed.message().contains(d))
                        .map(d -> "; provider said: " + d).orElse(""));
        }
        emit(new ErrorEvent(new ErrorDetail("server_error", reason.errorCode(), message, Optional.empty(),
                Optional.empty())));
        activeResponse = null;
        output.channel().ifPresent(channel -> channel.close(reason, reason.errorCode()));
        end("upstream_closed");
    }

    /**
     * A provider's in-band {@code error} event with any credential-shaped text in {@code error.message} redacted
     * (issue 10: provider text must never show a tenant the broker's key, even masked). Errors are rare, so parsing
     * one costs nothing that matters; unparseable ones pass unchanged, as any unmodelled event does.
     */
    private String redactedError(String json) {
        JsonNode node = treeOf(json);
        JsonNode message = node.path("error").path("message");
        if (!message.isTextual()) {
            return json;
        }
        String safe = ProviderText.redact(message.asText(), Optional.empty());
        if (safe.equals(message.asText())) {
            return json;
        }
        ((ObjectNode) node.get("error")).put("message", safe);
        return node.toString();
    }

    private void sendError(ErrorDetail error) {
        context.metrics().clientError(error.code());
        emit(new ErrorEvent(error));
    }

    /**
     * The response a {@code response.*} event belongs to: its top-level {@code response_id}, or for
     * {@code response.created}/{@code response.done} the {@code response.id}. One streaming pass that stops at the
     * field, so an audio delta's payload is not read.
     */
    private String responseIdOf(String type, String json) {
        boolean nested = type.equals("response.created") || type.equals("response.done");
        try (JsonParser parser = context.codec().mapper().getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return "";
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!nested && field.equals("response_id") && value == JsonToken.VALUE_STRING) {
                    return parser.getText();
                }
                if (nested && field.equals("response") && value == JsonToken.START_OBJECT) {
                    return idInside(parser);
                }
                parser.skipChildren();
            }
        } catch (IOException e) {
            LOG.debug("unreadable response event from the provider", e);
        }
        return "";
    }

    private static String idInside(JsonParser parser) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("id") && value == JsonToken.VALUE_STRING) {
                return parser.getText();
            }
            parser.skipChildren();
        }
        return "";
    }
}
