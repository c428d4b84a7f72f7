package dev.switchboard.broker.transport.console;

import dev.switchboard.broker.transport.http.HttpErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the console's static files: {@code GET} or {@code HEAD} of {@code /console/NAME} answers the class-path
 * resource {@code console/NAME} ({@code /console/} is {@code index.html}, {@code /console} redirects there), and
 * {@code /console/vendor/uplot/NAME} the uPlot WebJar's {@code dist/NAME}.
 *
 * <p>Each answer has its content type, {@code X-Content-Type-Options: nosniff}, a strong {@code ETag} (a hash
 * of the bytes) and {@code Cache-Control: no-cache}: browsers keep the files but revalidate them, so a broker
 * upgrade is seen at once and an unchanged file costs a 304. HTML pages carry a Content-Security-Policy that
 * allows scripts, styles and images only from the broker itself (no inline script, nothing external); connections
 * may go to any origin because the operations view talks to the admin listener, another port. Anything else —
 * a directory, a name outside the allowed pattern, a missing file — is a 404 in the API's JSON error shape; there
 * is no directory listing.
 *
 * <p>Thread-safe; called on Jetty server threads.
 */
public final class ConsoleFiles {
    /** The path prefix of the console. */
    public static final String PREFIX = "/console";
    private static final String VENDOR_UPLOT = "vendor/uplot/";
    private static final String UPLOT_POM = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";
    /** Lower-case names of letters, digits, dots, dashes and underscores, in at most three directories. */
    private static final Pattern NAME = Pattern.compile("([a-zA-Z0-9_-]+/){0,3}[a-zA-Z0-9_.-]{1,100}\\.[a-z]{2,4}");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json",
            "wav", "audio/wav");
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; media-src 'self' blob:; connect-src 'self' ws: wss: http: https:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final Map<String, StaticFile> files = new ConcurrentHashMap<>();
    /** The WebJar's resource directory, e.g. {@code /META-INF/resources/webjars/uplot/1.6.30/dist/}. */
    private final Optional<String> uplotDir;

    /** Creates the file server; finds the uPlot WebJar's version on the class path. */
    public ConsoleFiles() {
        this.uplotDir = uplotVersion().map(v -> "/META-INF/resources/webjars/uplot/" + v + "/dist/");
    }

    /** Whether {@code path} (in context) belongs to the console. */
    public static boolean owns(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /**
     * Answers a request whose path {@link #owns} returned true for; completes {@code callback} once.
     */
    public void handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            HttpErrors.refuse(request, response, callback, 405, "method_not_allowed", "the console takes GET or HEAD");
            return;
        }
        if (path.equals(PREFIX)) {
            response.setStatus(301);
            response.getHeaders().put(HttpHeader.LOCATION, PREFIX + "/");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            callback.succeeded();
            return;
        }
        String name = path.substring(PREFIX.length() + 1);
        Optional<StaticFile> file = find(name.isEmpty() ? "index.html" : name);
        if (file.isEmpty()) {
            // The path is not echoed: it is the client's bytes.
            HttpErrors.refuse(request, response, callback, 404, "not_found", "no such console file; the console "
                    + "is at /console/");
            return;
        }
        write(request, response, callback, file.get());
    }

    private Optional<StaticFile> find(String name) {
        if (!NAME.matcher(name).matches() || name.contains("..")) {
            return Optional.empty();
        }
        StaticFile known = files.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
        Optional<String> resource = name.startsWith(VENDOR_UPLOT)
                ? uplotDir.map(dir -> dir + name.substring(VENDOR_UPLOT.length()))
                : Optional.of("/console/" + name);
        if (type == null || resource.isEmpty()) {
            return Optional.empty();
        }
        Optional<StaticFile> loaded = load(resource.get(), type);
        // Only files that exist are kept: the map is bounded by the jar's contents, whatever clients ask for.
        loaded.ifPresent(f -> files.putIfAbsent(name, f));
        return loaded;
    }

    private static void write(Request request, Response response, Callback callback, StaticFile file) {
        var headers = response.getHeaders();
        headers.put(HttpHeader.ETAG, file.etag());
        headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        if (file.contentType().startsWith("text/html")) {
            headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        }
        String ifNoneMatch = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
        if (ifNoneMatch != null && ifNoneMatch.contains(file.etag())) {
            response.setStatus(304);
            callback.succeeded();
            return;
        }
        response.setStatus(200);
        headers.put(HttpHeader.CONTENT_TYPE, file.contentType());
        headers.put(HttpHeader.CONTENT_LENGTH, file.bytes().length);
        if (HttpMethod.HEAD.is(request.getMethod())) {
            callback.succeeded();
            return;
        }
        response.write(true, ByteBuffer.wrap(file.bytes()).asReadOnlyBuffer(), callback);
    }

    private static Optional<StaticFile> load(String resource, String contentType) {
        try (InputStream in = ConsoleFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            return Optional.of(new StaticFile(bytes, contentType, etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console resource " + resource, e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static Optional<String> uplotVersion() {
        try (InputStream in = ConsoleFiles.class.getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                return Optional.empty();
            }
            Properties properties = new Properties();
            properties.load(in);
            return Optional.ofNullable(properties.getProperty("version"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** One file's bytes (never modified after loading), type and entity tag. */
    private record StaticFile(byte[] bytes, String contentType, String etag) {
    }
}
