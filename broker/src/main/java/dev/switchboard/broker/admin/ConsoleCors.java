package dev.switchboard.broker.admin;

import java.net.URI;
import java.util.Locale;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * CORS for the web console (issue 16): the console is served by the main listener ({@code /console/}) and calls the
 * admin API, which is another origin (another port). Exactly one origin is let in: the console's own — the main
 * listener's scheme and port, on the host name the admin request itself was sent to (so a console opened at
 * {@code http://ops.example:8080} may call {@code http://ops.example:8081}). Every other origin gets no CORS
 * headers, so browsers keep other pages from reading the admin API (a bearer token is still required: there are
 * no cookies to abuse). A preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) is answered before
 * authentication, as browsers send it without credentials. Stateless and thread-safe.
 */
final class ConsoleCors {
    private static final String METHODS = "GET, POST, DELETE";
    private static final String HEADERS = "Authorization, Content-Type";
    private static final String MAX_AGE_SECONDS = "600";

    private final Supplier<URI> mainListener;

    /** @param mainListener the main listener's {@code scheme://host:port} (read per request: bound once started) */
    ConsoleCors(Supplier<URI> mainListener) {
        this.mainListener = mainListener;
    }

    /**
     * Adds the CORS headers for the console's origin when the request comes from it; answers a preflight whole.
     *
     * @return whether the request was a preflight and has been answered
     */
    boolean apply(Request request, Response response, Callback callback) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        boolean preflight = HttpMethod.OPTIONS.is(request.getMethod())
                && request.getHeaders().contains(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD);
        boolean allowed = origin != null && isConsole(origin, Request.getServerName(request));
        if (allowed) {
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            response.getHeaders().add(new HttpField(HttpHeader.VARY, "Origin"));
        }
        if (!preflight) {
            return false;
        }
        if (allowed) {
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, METHODS);
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, HEADERS);
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);
        }
        // A refused origin gets an answer without the headers: the browser then refuses the call itself.
        response.setStatus(204);
        callback.succeeded();
        return true;
    }

    private boolean isConsole(String origin, String requestHost) {
        URI console = mainListener.get();
        URI from;
        try {
            from = URI.create(origin);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (from.getScheme() == null || from.getHost() == null) {
            return false;
        }
        int port = from.getPort() != -1 ? from.getPort() : from.getScheme().equals("https") ? 443 : 80;
        return from.getScheme().equalsIgnoreCase(console.getScheme()) && port == console.getPort()
                && from.getHost().toLowerCase(Locale.ROOT).equals(requestHost.toLowerCase(Locale.ROOT));
    }
}
