package dev.switchboard.simulator;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * The simulator's only Jetty {@link Handler}: counts the request, routes by exact path and method to one endpoint,
 * and enforces the API key the way the endpoint's provider API does ({@code Authorization: Bearer} for OpenAI
 * and the Realtime WebSocket upgrade, {@code x-api-key} for Anthropic). Unknown paths get OpenAI's 404 error
 * JSON, known paths with the wrong method a 405 in the endpoint's API shape.
 *
 * <p>Fault paths: {@code /faults/{spec}/v1/chat/completions}, {@code /faults/{spec}/v1/messages} and
 * {@code /faults/{spec}/v1/realtime} reach the same endpoints with the {@link FaultProfile} parsed from
 * {@code {spec}} (a bad spec is a 400 naming the key). After the key check, each arrival is counted against the
 * spec's {@code fail_first} budget.
 *
 * <p>Thread-safe; the routing table is immutable and {@link FaultCounters} is concurrent. Endpoints must complete
 * the callback exactly once and never block.
 */
final class SimulatorHandler extends Handler.Abstract {

    static final String FAULTS_PREFIX = "/faults/";

    /** An endpoint: a Jetty handler that is also told the faults of the path it was reached by. */
    @FunctionalInterface
    interface Endpoint {
        boolean handle(Request request, Response response, Callback callback, FaultProfile faults) throws Exception;
    }

    /**
     * @param method        the only accepted method
     * @param api           the provider API whose key check and error shape apply
     * @param authenticated whether the configured API key is required
     * @param faultable     whether the endpoint is also served under {@code /faults/{spec}}
     * @param endpoint      the endpoint's handler
     */
    record Route(String method, ProviderApi api, boolean authenticated, boolean faultable, Endpoint endpoint) {
        Route {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(api, "api");
            Objects.requireNonNull(endpoint, "endpoint");
        }
    }

    private final Map<String, Route> routes;
    private final SimulatorStats stats;
    private final FaultCounters faultCounters = new FaultCounters();

    /** @param container the WebSocket container of the same server, which Realtime upgrades go through */
    SimulatorHandler(SimulatorRuntime runtime, Optional<String> apiKey, ServerWebSocketContainer container) {
        this.stats = runtime.stats();
        ApiKey key = new ApiKey(apiKey);
        OpenAiApi openAi = new OpenAiApi(key);
        AnthropicApi anthropic = new AnthropicApi(key);
        CompletionHandler chat = new CompletionHandler(openAi, runtime);
        CompletionHandler messages = new CompletionHandler(anthropic, runtime);
        ModelsHandler models = new ModelsHandler();
        StatsHandler statsHandler = new StatsHandler(stats);
        RealtimeEndpoint realtime = new RealtimeEndpoint(container, openAi, runtime);
        String post = HttpMethod.POST.asString();
        String get = HttpMethod.GET.asString();
        this.routes = Map.of(
                OpenAiApi.PATH, new Route(post, openAi, true, true, chat::handle),
                AnthropicApi.PATH, new Route(post, anthropic, true, true, messages::handle),
                RealtimeEndpoint.PATH, new Route(get, openAi, true, true, realtime::handle),
                ModelsHandler.PATH, new Route(get, openAi, true, false, (rq, rs, cb, f) -> models.handle(rq, rs, cb)),
                StatsHandler.PATH,
                new Route(get, openAi, false, false, (rq, rs, cb, f) -> statsHandler.handle(rq, rs, cb)));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        stats.onRequest();
        String path = Request.getPathInContext(request);
        Optional<String> spec = Optional.empty();
        String routePath = path;
        if (path.startsWith(FAULTS_PREFIX)) {
            int end = path.indexOf('/', FAULTS_PREFIX.length());
            spec = Optional.of(end < 0 ? "" : path.substring(FAULTS_PREFIX.length(), end));
            routePath = end < 0 ? "" : path.substring(end);
        }
        Route route = routes.get(routePath);
        if (route == null || (spec.isPresent() && !route.faultable())) {
            OpenAiError.notFound(request.getMethod(), path).write(response, callback);
            return true;
        }
        if (!route.method().equals(request.getMethod())) {
            route.api().error(OpenAiError.methodNotAllowed(request.getMethod(), path)).write(response, callback);
            return true;
        }
        Optional<ErrorReply> unauthorized =
                route.authenticated() ? route.api().authenticate(request) : Optional.empty();
        if (unauthorized.isPresent()) {
            unauthorized.get().write(response, callback);
            return true;
        }
        FaultProfile faults = FaultProfile.NONE;
        if (spec.isPresent()) {
            ParseResult<FaultProfile> parsed = FaultSpecParser.parse(spec.get());
            if (parsed instanceof ParseResult.Invalid<FaultProfile> invalid) {
                route.api().error(invalid.error()).write(response, callback);
                return true;
            }
            faults = faultCounters.admit(((ParseResult.Valid<FaultProfile>) parsed).value());
        }
        return route.endpoint().handle(request, response, callback, faults);
    }
}
