package dev.switchboard.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The simulator's only Jetty {@link Handler}: counts the request, routes by exact path and method to one
 * {@link Request.Handler} per endpoint, and enforces the bearer key on the OpenAI routes. Unknown paths get
 * OpenAI's 404 error JSON, known paths with the wrong method a 405. Thread-safe and immutable.
 *
 * <p>New endpoints (Anthropic messages, Realtime) are added as routes; they must complete the callback exactly
 * once and never block.
 */
final class SimulatorHandler extends Handler.Abstract {

    /**
     * @param method        the only accepted method
     * @param authenticated whether the configured API key is required
     * @param endpoint      the endpoint's handler
     */
    record Route(String method, boolean authenticated, Request.Handler endpoint) {
        Route {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(endpoint, "endpoint");
        }
    }

    private final Map<String, Route> routes;
    private final Optional<byte[]> expectedAuthorization;
    private final SimulatorStats stats;

    SimulatorHandler(SimulatorRuntime runtime, Optional<String> apiKey) {
        this.stats = runtime.stats();
        this.expectedAuthorization = apiKey.map(key -> ("Bearer " + key).getBytes(StandardCharsets.UTF_8));
        this.routes = Map.of(
                ChatCompletionsHandler.PATH,
                new Route(HttpMethod.POST.asString(), true, new ChatCompletionsHandler(runtime)),
                ModelsHandler.PATH, new Route(HttpMethod.GET.asString(), true, new ModelsHandler()),
                StatsHandler.PATH, new Route(HttpMethod.GET.asString(), false, new StatsHandler(stats)));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        stats.onRequest();
        String path = Request.getPathInContext(request);
        Route route = routes.get(path);
        if (route == null) {
            OpenAiError.notFound(request.getMethod(), path).write(response, callback);
            return true;
        }
        if (!route.method().equals(request.getMethod())) {
            OpenAiError.methodNotAllowed(request.getMethod(), path).write(response, callback);
            return true;
        }
        if (route.authenticated() && expectedAuthorization.isPresent()) {
            String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            if (header == null || !constantTimeEquals(expectedAuthorization.get(), header)) {
                OpenAiError.invalidApiKey(header != null).write(response, callback);
                return true;
            }
        }
        return route.endpoint().handle(request, response, callback);
    }

    private static boolean constantTimeEquals(byte[] expected, String actual) {
        return MessageDigest.isEqual(expected, actual.getBytes(StandardCharsets.UTF_8));
    }
}
