package dev.switchboard.broker.transport.ws;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.admission.Directory;
import dev.switchboard.broker.route.Route;
import dev.switchboard.broker.cluster.ClusterSessions;
import dev.switchboard.broker.resume.ReplayLog;
import dev.switchboard.broker.resume.SessionStore;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.SessionFactory;
import dev.switchboard.broker.session.SessionContext;
import dev.switchboard.broker.stream.RingShards;
import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.Credentials;
import dev.switchboard.broker.admission.AdmissionWatch;
import dev.switchboard.broker.admission.Gatekeeper;
import dev.switchboard.broker.admission.SessionGuard;
import dev.switchboard.broker.tenant.Principal;
import dev.switchboard.broker.tenant.Tenant;
import dev.switchboard.broker.transport.console.ConsoleFiles;
import dev.switchboard.broker.transport.http.ChatEndpoint;
import dev.switchboard.broker.transport.http.HttpErrors;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.ErrorEvent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.jspecify.annotations.Nullable;

/**
 * Routes HTTP requests: {@code GET /healthz}, {@code GET /metrics} (both also {@code HEAD}), the
 * {@code /v1/realtime} upgrade, and the OpenAI-compatible {@code /v1/chat/completions} and {@code /v1/models}
 * (handled by {@link ChatEndpoint}), and the web console's static files under {@code /console/}
 * ({@link ConsoleFiles}). Every refusal, on any path, is an OpenAI-style JSON error
 * ({@code {"error":{"message","type","param","code"}}}); a 405 names the allowed methods in {@code Allow}.
 *
 * <p>The upgrade authenticates before anything else: a bearer token, or for browsers the subprotocol
 * {@code openai-insecure-api-key.KEY} next to {@code realtime}, which is then the selected subprotocol. A
 * missing or unknown key is refused with 401, an unknown model with 404, a model the tenant may not use with
 * 403, each with an OpenAI-style JSON error body.
 */
public final class BrokerHandler extends Handler.Abstract {
    /** The path of the Realtime WebSocket endpoint. */
    public static final String REALTIME_PATH = "/v1/realtime";
    private static final String REALTIME_PROTOCOL = "realtime";

    private final ServerWebSocketContainer container;
    /** The one admission path, shared with the chat endpoint. */
    private final Gatekeeper gatekeeper;
    private final RingShards rings;
    private final SessionContext context;
    private final BrokerConfig config;
    private final AtomicLong sessionCounter = new AtomicLong();
    private final ChatEndpoint chat;
    private final ConsoleFiles console = new ConsoleFiles();
    private volatile boolean accepting = true;
    /** Resumes of sessions held elsewhere in the cluster; empty for a single broker. */
    private final java.util.Optional<ClusterResume> cluster;

    /**
     * Creates the handler; {@code container} must belong to the same server.
     *
     * @param directory the tenants and models new sessions and requests are admitted with (a live reload swaps it)
     * @param sessions the guardrail on concurrent WebSocket sessions
     * @param watch told every admission refusal and asked before anything new is admitted
     */
    public BrokerHandler(ServerWebSocketContainer container, Supplier<Directory> directory, RingShards rings,
                         SessionContext context, BrokerConfig config, SessionGuard sessions, AdmissionWatch watch) {
        this(container, directory, rings, context, config, sessions, watch, java.util.Optional.empty());
    }

    /**
     * Creates the handler of a cluster node: {@code sessions} finds, and takes over, sessions other nodes held
     * (issue 17); empty for a single broker.
     */
    public BrokerHandler(ServerWebSocketContainer container, Supplier<Directory> directory, RingShards rings,
                         SessionContext context, BrokerConfig config, SessionGuard sessions, AdmissionWatch watch,
                         java.util.Optional<ClusterSessions> clusterSessions) {
        this.container = container;
        this.gatekeeper = new Gatekeeper(directory, () -> accepting, sessions, watch);
        this.rings = rings;
        this.context = context;
        this.config = config;
        this.cluster = clusterSessions.map(d -> new ClusterResume(d, gatekeeper,
                () -> rings.shardFor(sessionCounter.getAndIncrement()), context));
        this.chat = new ChatEndpoint(gatekeeper, () -> rings.shardFor(sessionCounter.getAndIncrement()),
                context, config.outbound(), InstantSource.system(),
                config.sessions().resumeTtl(), config.limits().requestBodyTimeout());
    }

    /** Stops accepting new sessions ({@code /healthz} then answers 503). */
    public void stopAccepting() {
        accepting = false;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (path.equals("/metrics") && !config.metrics().publicEndpoint()) {
            // metrics.public: false: served on the admin listener only (issue 15).
            refuse(request, response, callback, 404, "not_found", "no such path; /metrics is served on the admin "
                    + "listener only (metrics.public: false)");
            return true;
        }
        switch (path) {
            case "/healthz", "/metrics" -> probe(path, request, response, callback);
            case REALTIME_PATH -> upgrade(request, response, callback);
            case ChatEndpoint.COMPLETIONS_PATH -> chat.completions(request, response, callback);
            case ChatEndpoint.MODELS_PATH -> chat.models(request, response, callback);
            default -> other(path, request, response, callback);
        }
        return true;
    }

    /** The web console's files under {@code /console/}, or a 404. */
    private void other(String path, Request request, Response response, Callback callback) {
        if (ConsoleFiles.owns(path)) {
            console.handle(request, response, callback);
            return;
        }
        // The path is not echoed: it is the client's bytes, of any length.
        refuse(request, response, callback, 404, "not_found", "no such path; the broker serves /v1/realtime, "
                + "/v1/chat/completions, /v1/models, /healthz, /metrics and the web console at /console/");
    }

    /**
     * {@code /healthz} and {@code /metrics}: {@code GET} or {@code HEAD} (Jetty sends no body for {@code HEAD}).
     * Neither reads a request body.
     */
    private void probe(String path, Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            refuse(request, response, callback, 405, "method_not_allowed", path + " takes GET or HEAD");
            return;
        }
        if (path.equals("/metrics")) {
            writeText(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8", context.metrics().scrape());
        } else if (accepting) {
            writeText(response, callback, 200, "text/plain; charset=utf-8", "ok\n");
        } else {
            refuse(request, response, callback, 503, "service_unavailable", "the broker is draining; retry shortly");
        }
    }

    private void upgrade(Request request, Response response, Callback callback) {
        Optional<Admission.Refused> draining = gatekeeper.draining();
        if (draining.isPresent()) {
            HttpErrors.refuse(request, response, callback, draining.get());
            return;
        }
        if (!HttpMethod.GET.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, HttpMethod.GET.asString());
            refuse(request, response, callback, 405, "method_not_allowed", REALTIME_PATH + " takes GET (WebSocket)");
            return;
        }
        Credentials credentials = Credentials.from(request.getHeaders());
        Admission admission = gatekeeper.admit(credentials);
        if (admission instanceof Admission.Refused refused) {
            HttpErrors.refuse(request, response, callback, refused);
            return;
        }
        Principal principal = ((Admission.Admitted) admission).principal();
        List<String> protocols = credentials.subprotocols();
        Fields query = Request.extractQueryParameters(request);
        String token = query.getValue("resume_token");
        if (token != null) {
            resume(request, response, callback, principal, token, query, protocols);
            return;
        }
        String model = query.getValue("model");
        Admission forModel = gatekeeper.admitModel(principal, model == null ? "" : model);
        if (forModel instanceof Admission.Refused refused) {
            HttpErrors.refuse(request, response, callback, refused);
            return;
        }
        Route route = ((Admission.Admitted) forModel).route().orElseThrow();
        Optional<Admission.Refused> full = gatekeeper.admitSession(principal);
        if (full.isPresent()) {
            HttpErrors.refuse(request, response, callback, full.get());
            return;
        }
        // A request that is not a WebSocket upgrade (426) opens no session: its slot goes back at once.
        boolean upgraded = upgradeTo(request, response, callback, protocols, () -> {
            SessionFactory.Created created = SessionFactory.create(principal, route,
                    rings.shardFor(sessionCounter.getAndIncrement()), context);
            return new WsConnection(created.session(), -1, created.decoder(), context.metrics(), context.scheduler(),
                    config.outbound(), config.limits().maxFrameBytes());
        });
        if (!upgraded) {
            gatekeeper.sessionNotOpened(principal);
        }
    }

    /**
     * {@code ?resume_token=…&last_seq=…}: checks the token against the authenticated tenant before anything else,
     * then attaches the connection to the session. Every refusal is an upgraded connection that sends an
     * {@code error} event and closes with 4410, so WebSocket clients (which cannot read an HTTP refusal) learn why.
     */
    private void resume(Request request, Response response, Callback callback, Principal principal, String token,
                        Fields query, List<String> protocols) {
        Tenant tenant = principal.tenant();
        java.util.function.Consumer<ErrorDetail> refuse = error -> refuseResume(request, response, callback, principal,
                protocols, error);
        long lastSeq = ReplayLog.parseSeq(query.getValue("last_seq"));
        if (lastSeq < 0) {
            refuse.accept(ErrorDetail.invalidRequest("invalid_value",
                    "last_seq must be the non-negative seq of the last event the client has", "")
                    .withParam("last_seq"));
            return;
        }
        SessionStore.Lookup<BrokerSession> found = context.store().find(token, tenant.id());
        if (found instanceof SessionStore.Lookup.Invalid) {
            refuse.accept(ErrorDetail.invalidRequest("resume_token_invalid",
                    "the resume token is not valid for this API key", ""));
            return;
        }
        if (found instanceof SessionStore.Lookup.Expired<BrokerSession> expired && cluster.isPresent()) {
            // Not here: another node may hold it, or have held it and be lost (issue 17).
            ClusterResume.Outcome outcome = cluster.get().resume(principal, expired.sessionId(), lastSeq,
                    query.getValue("model"));
            if (outcome instanceof ClusterResume.Outcome.Refuse refused) {
                refuse.accept(refused.error());
                return;
            }
            ClusterResume.Outcome.Attach attach = (ClusterResume.Outcome.Attach) outcome;
            boolean upgraded = upgradeTo(request, response, callback, protocols, () -> new WsConnection(
                    attach.session(), lastSeq, attach.decoder(), context.metrics(), context.scheduler(),
                    config.outbound(), config.limits().maxFrameBytes()));
            if (!upgraded && context.store().get(attach.session().id()).isPresent()) {
                // A session taken over for a request that was not a WebSocket upgrade: nothing will resume it here.
                gatekeeper.sessionNotOpened(principal);
                context.store().ended(attach.session());
            }
            return;
        }
        if (found instanceof SessionStore.Lookup.Expired) {
            refuse.accept(sessionEnded());
            return;
        }
        BrokerSession session = ((SessionStore.Lookup.Found<BrokerSession>) found).session();
        java.util.Optional<ErrorDetail> otherModel = otherModel(session.model(), query.getValue("model"));
        if (otherModel.isPresent()) {
            refuse.accept(otherModel.get());
            return;
        }
        // The session's own kind, not today's route: a reload may have moved or removed its model since it began.
        upgradeTo(request, response, callback, protocols, () -> new WsConnection(session, lastSeq,
                SessionFactory.decoder(session, context.codec()), context.metrics(), context.scheduler(),
                config.outbound(), config.limits().maxFrameBytes()));
    }

    /** The refusal of a resume whose session has ended (here, or in the whole cluster). */
    static ErrorDetail sessionEnded() {
        return ErrorDetail.invalidRequest("resume_token_expired",
                "the session has ended (its resume_ttl passed or it was closed); start a new one", "");
    }

    /** The refusal of a resume that names a model ({@code asked}, when not null) other than the session's. */
    static java.util.Optional<ErrorDetail> otherModel(String sessionModel, @Nullable String asked) {
        return asked == null || asked.equals(sessionModel) ? java.util.Optional.empty()
                : java.util.Optional.of(ErrorDetail.invalidRequest("invalid_value", "the session uses model "
                + sessionModel + ", not " + asked, "").withParam("model"));
    }

    private void refuseResume(Request request, Response response, Callback callback, Principal principal,
                              List<String> protocols, ErrorDetail error) {
        context.metrics().clientError(error.code());
        gatekeeper.resumeRefused(principal, error.code());
        String frame = context.codec().encodeServer(new ErrorEvent(error), "event_resume_refused", -1);
        upgradeTo(request, response, callback, protocols, () -> new RefusedResume(frame, error.code()));
    }

    private boolean upgradeTo(Request request, Response response, Callback callback, List<String> protocols,
                              Supplier<Object> endpoint) {
        boolean selectRealtime = protocols.contains(REALTIME_PROTOCOL);
        boolean upgraded = container.upgrade((upgradeRequest, upgradeResponse, upgradeCallback) -> {
            if (selectRealtime) {
                upgradeResponse.setAcceptedSubProtocol(REALTIME_PROTOCOL);
            }
            // No permessage-deflate, although browsers always offer it: token deltas are tiny frames, and each
            // compressed connection keeps inflater and deflater windows (hundreds of KiB) for its whole life.
            upgradeResponse.setExtensions(List.of());
            return endpoint.get();
        }, request, response, callback);
        if (!upgraded) {
            refuse(request, response, callback, 426, "upgrade_required", REALTIME_PATH + " is a WebSocket endpoint");
        }
        return upgraded;
    }

    /** An OpenAI-shaped error, at once; a request body that may follow is not waited for. */
    private static void refuse(Request request, Response response, Callback callback, int status, String code,
                                   String message) {
        HttpErrors.refuse(request, response, callback, status, code, message);
    }

    private static void writeText(Response response, Callback callback, int status, String contentType,
                                  String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
