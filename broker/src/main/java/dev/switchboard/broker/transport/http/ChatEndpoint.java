package dev.switchboard.broker.transport.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.route.ModelCatalog;
import dev.switchboard.broker.resume.ReplayLog;
import dev.switchboard.broker.route.Route;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.RealtimeSession;
import dev.switchboard.broker.session.SessionContext;
import dev.switchboard.broker.session.SessionFactory;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.tenant.Tenant;
import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.Credentials;
import dev.switchboard.broker.admission.Gatekeeper;
import dev.switchboard.broker.tenant.Principal;
import dev.switchboard.broker.transport.http.HttpErrors.HttpError;
import java.time.InstantSource;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The OpenAI-compatible endpoints, {@code POST /v1/chat/completions} and {@code GET /v1/models}, with the same
 * keys, tenants and model routes as {@code /v1/realtime}. See {@code docs/providers.md}.
 *
 * <p>Refusals use OpenAI's error shape, {@code {"error":{"message","type","param","code"}}}: 401 for a missing or
 * unknown key, 404 for an unknown model, 403 for a model the key may not use, 413 for a body over
 * {@link #MAX_BODY_BYTES}, 408 for a body slower than {@code limits.request_body_timeout}, 400 naming the field
 * for anything malformed, 405 for another method, 503 while the broker drains.
 *
 * <p>Thread-safe and non-blocking: the handler methods return at once and complete the callback later, from
 * Jetty, shard or scheduler threads (see the package documentation).
 */
public final class ChatEndpoint {
    /** The chat-completions path. */
    public static final String COMPLETIONS_PATH = "/v1/chat/completions";
    /** The model-list path. */
    public static final String MODELS_PATH = "/v1/models";
    /** The largest request body accepted: 4 MiB. */
    public static final int MAX_BODY_BYTES = 4 << 20;

    /** The one admission path, shared with the WebSocket upgrade. */
    private final Gatekeeper gatekeeper;
    private final Supplier<Shard> shards;
    private final SessionContext context;
    private final BrokerConfig.Outbound bounds;
    private final InstantSource clock;
    private final Duration bodyTimeout;
    /** Streamed responses' sessions by response id, for {@code Last-Event-ID} resumes. */
    private final ResumableStreams streams;
    /** Trailing content after the JSON object makes a body malformed, as for Realtime frames. */
    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    /**
     * @param shards the shard for the next session, shared with the WebSocket transport so both spread evenly
     * @param bounds per-response outbound bounds, as for a WebSocket connection
     * @param clock the source of {@code created} timestamps
     * @param resumeTtl how long a streamed answer stays resumable by {@code Last-Event-ID}
     * @param bodyTimeout how long a request body may take to arrive ({@code limits.request_body_timeout})
     */
    public ChatEndpoint(Gatekeeper gatekeeper, Supplier<Shard> shards, SessionContext context,
                        BrokerConfig.Outbound bounds, InstantSource clock, Duration resumeTtl, Duration bodyTimeout) {
        this.streams = new ResumableStreams(resumeTtl);
        this.gatekeeper = gatekeeper;
        this.shards = shards;
        this.context = context;
        this.bounds = bounds;
        this.clock = clock;
        this.bodyTimeout = bodyTimeout;
    }

    /**
     * Handles {@code POST /v1/chat/completions}; completes {@code callback} when the answer is written.
     *
     * <p>Everything decided by the headers (draining, method, key) is answered at once, without waiting for the
     * body, and with {@code Connection: close} when a body may follow; what the client still sends is dropped for
     * a short linger at most ({@link HttpErrors#refuseUnread}). So an unauthenticated client cannot hold a
     * connection by trickling a body. The body itself must arrive within {@code limits.request_body_timeout}
     * (408 and {@code Connection: close} otherwise).
     */
    public void completions(Request request, Response response, Callback callback) {
        Optional<Admission.Refused> draining = gatekeeper.draining();
        if (draining.isPresent()) {
            HttpErrors.refuse(request, response, callback, draining.get());
            return;
        }
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, HttpMethod.POST.asString());
            refuseUnread(request, response, callback, HttpError.of(405, "method_not_allowed",
                    COMPLETIONS_PATH + " takes POST"));
            return;
        }
        Admission admission = gatekeeper.admit(Credentials.from(request.getHeaders()));
        if (admission instanceof Admission.Refused refused) {
            HttpErrors.refuse(request, response, callback, refused);
            return;
        }
        Principal principal = ((Admission.Admitted) admission).principal();
        String lastEventId = request.getHeaders().get("Last-Event-ID");
        Consumer<byte[]> onBody = lastEventId == null
                ? body -> onBody(principal, body, request, response, callback)
                : body -> onResume(principal.tenant(), lastEventId.trim(), body, request, response, callback);
        BodyReader.read(request, MAX_BODY_BYTES, bodyTimeout, onBody,
                () -> refuseAndClose(response, callback, HttpError.of(413, "request_too_large",
                        "the request body exceeds " + MAX_BODY_BYTES + " bytes")),
                () -> refuseAndClose(response, callback, HttpError.of(408, "request_timeout",
                        "the request body did not arrive within " + bodyTimeout.toMillis() + " ms")),
                failure -> onBodyFailure(failure, response, callback));
    }

    /** Jetty's idle timeout (a body that stopped altogether) is the client's delay too: 408, not 500. */
    private void onBodyFailure(Throwable failure, Response response, Callback callback) {
        if (failure instanceof TimeoutException) {
            refuseAndClose(response, callback, HttpError.of(408, "request_timeout",
                    "the request body stopped arriving (idle timeout)"));
            return;
        }
        callback.failed(failure);
    }

    /**
     * Handles {@code GET /v1/models}: the models the key's tenant may use. {@code HEAD} gets the same status and
     * headers without the body. Its answer never depends on a request body, so none is read.
     */
    public void models(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            refuseUnread(request, response, callback, HttpError.of(405, "method_not_allowed",
                    MODELS_PATH + " takes GET or HEAD"));
            return;
        }
        Admission admission = gatekeeper.admit(Credentials.from(request.getHeaders()));
        if (admission instanceof Admission.Refused refused) {
            HttpErrors.refuse(request, response, callback, refused);
            return;
        }
        Tenant tenant = ((Admission.Admitted) admission).principal().tenant();
        ObjectNode list = json.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        ModelCatalog catalog = gatekeeper.directory().catalog();
        catalog.models().stream().filter(tenant::mayUse)
                .filter(model -> catalog.route(model, tenant.regions()).isPresent()).sorted().forEach(model -> data.addObject()
                .put("id", model).put("object", "model").put("created", 0).put("owned_by", "switchboard"));
        HttpErrors.writeJson(response, callback, 200, list.toString());
    }

    private void onBody(Principal principal, byte[] body, Request request, Response response, Callback callback) {
        long receivedNanos = System.nanoTime();
        ChatRequestParser.Parsed parsed = ChatRequestParser.parse(json, body);
        if (parsed instanceof ChatRequestParser.Parsed.Invalid invalid) {
            refuse(response, callback, invalid.error());
            return;
        }
        ChatCall call = ((ChatRequestParser.Parsed.Ok) parsed).call();
        Admission forModel = gatekeeper.admitModel(principal, call.model());
        if (forModel instanceof Admission.Refused refused) {
            refuse(response, callback, HttpErrors.of(response, refused));
            return;
        }
        Optional<Route> route = ((Admission.Admitted) forModel).route();
        if (SessionFactory.relayed(route.get())) {
            refuse(response, callback, new HttpError(400, "model_not_supported", "model '" + call.model()
                    + "' is a Realtime WebSocket model; connect to /v1/realtime?model=" + call.model(),
                    Optional.of("model")));
            return;
        }
        RealtimeSession session = new RealtimeSession(principal, route.get(), shards.get(), context);
        long created = clock.instant().getEpochSecond();
        ChatExchange exchange = call.stream()
                ? new StreamingExchange(session, call, request, response, callback, json, context.scheduler(),
                created, bounds, context.metrics(), false, streams)
                : new CollectingExchange(session, call, request, response, callback, json, context.scheduler(),
                created);
        exchange.start(receivedNanos);
    }

    /**
     * {@code Last-Event-ID: RESPONSE_ID.SEQ}: continues a streamed answer whose connection dropped, after event
     * {@code SEQ}. The body is the original request (its model and stream flag are checked, the rest ignored: the
     * answer is already being generated). The tenant check comes before anything about the stream is revealed.
     */
    private void onResume(Tenant tenant, String lastEventId, byte[] body, Request request, Response response,
                          Callback callback) {
        int dot = lastEventId.lastIndexOf('.');
        long lastSeq = dot > 0 ? ReplayLog.parseSeq(lastEventId.substring(dot + 1)) : -1;
        if (lastSeq < 0) {
            refuse(response, callback, new HttpError(400, "invalid_value", "Last-Event-ID must be an event id this "
                    + "endpoint sent: RESPONSE_ID.SEQ", Optional.of("Last-Event-ID")));
            return;
        }
        String responseId = lastEventId.substring(0, dot);
        Optional<String> sessionId = streams.sessionOf(responseId, tenant.id());
        if (sessionId.isEmpty()) {
            refuse(response, callback, HttpError.of(410, "resume_token_invalid",
                    "no stream with this Last-Event-ID is known for this API key"));
            return;
        }
        Optional<BrokerSession> live = context.store().findById(sessionId.get(), tenant.id());
        if (!(live.orElse(null) instanceof RealtimeSession session)) {
            refuse(response, callback, HttpError.of(410, "resume_token_expired",
                    "the stream has ended or its resume window passed; send the request again without "
                    + "Last-Event-ID"));
            return;
        }
        ChatRequestParser.Parsed parsed = ChatRequestParser.parse(json, body);
        if (parsed instanceof ChatRequestParser.Parsed.Invalid invalid) {
            refuse(response, callback, invalid.error());
            return;
        }
        ChatCall call = ((ChatRequestParser.Parsed.Ok) parsed).call();
        if (!call.stream() || !call.model().equals(session.model())) {
            refuse(response, callback, new HttpError(400, "invalid_value", "a resumed request must be the original "
                    + "streamed request (model " + session.model() + ", stream true)", Optional.of("model")));
            return;
        }
        new StreamingExchange(session, call, request, response, callback, json, context.scheduler(),
                clock.instant().getEpochSecond(), bounds, context.metrics(), true, streams)
                .resume(responseId, lastSeq);
    }

    /** Refuses with {@code Connection: close}: the request body was not (all) read. */
    private void refuseAndClose(Response response, Callback callback, HttpError error) {
        HttpErrors.closeConnection(response);
        refuse(response, callback, error);
    }

    /** Refuses before reading the body; see {@link HttpErrors#refuseUnread}. */
    private void refuseUnread(Request request, Response response, Callback callback, HttpError error) {
        count(error);
        HttpErrors.refuseUnread(json, request, response, callback, error);
    }

    private void refuse(Response response, Callback callback, HttpError error) {
        count(error);
        HttpErrors.write(json, response, callback, error);
    }

    private void count(HttpError error) {
        if (error.status() < 500) {
            context.metrics().clientError(error.code());
        }
    }
}
