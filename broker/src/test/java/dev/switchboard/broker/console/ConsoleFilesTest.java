package dev.switchboard.broker.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@code /console/} over plain HTTP from the real broker: files from the jar with their content types and cache
 * headers, revalidation by ETag, the chart library from its WebJar, and every other path — a directory, a file
 * that does not exist, a climb out of the console, another method — refused in the API's JSON error shape.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConsoleFilesTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static ConsoleBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = ConsoleBroker.dev();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void the_console_page_is_html_with_a_content_security_policy_and_revalidated_by_etag() throws Exception {
        HttpResponse<String> page = get("/console/", null);
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("no-cache", page.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), policy);
        assertTrue(page.body().contains("<script type=\"module\" src=\"js/app.js\">"), page.body());
        String etag = page.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = get("/console/index.html", etag);
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());
    }

    @Test
    void scripts_styles_and_the_chart_library_have_their_content_types() throws Exception {
        assertType("/console/js/app.js", "text/javascript; charset=utf-8");
        assertType("/console/js/capture-worklet.js", "text/javascript; charset=utf-8");
        assertType("/console/console.css", "text/css; charset=utf-8");
        assertType("/console/favicon.svg", "image/svg+xml");
        assertType("/console/vendor/uplot/uPlot.esm.js", "text/javascript; charset=utf-8");
        assertType("/console/vendor/uplot/uPlot.min.css", "text/css; charset=utf-8");
        assertTrue(get("/console/vendor/uplot/uPlot.esm.js", null).body().contains("export { uPlot as default }"));
    }

    @Test
    void the_bare_console_path_redirects_to_the_page() throws Exception {
        HttpResponse<String> bare = get("/console", null);
        assertEquals(301, bare.statusCode());
        assertEquals("/console/", bare.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void directories_missing_files_and_paths_out_of_the_console_are_json_404s() throws Exception {
        for (String path : new String[] {"/console/js/", "/console/js", "/console/nothing.js", "/console/vendor/",
                "/console/vendor/uplot/package.json", "/console/%2e%2e/switchboard-dev.yaml",
                "/console/js/..%2f..%2fswitchboard-dev.yaml", "/console/simplelogger.properties"}) {
            HttpResponse<String> answer = get(path, null);
            assertTrue(answer.statusCode() == 404 || answer.statusCode() == 400, path + " " + answer.statusCode());
            assertTrue(answer.body().startsWith("{\"error\":{"), path + " " + answer.body());
            assertTrue(!answer.body().contains("tenants"), "no file outside the console is served: " + path);
        }
    }

    @Test
    void only_get_and_head_are_answered() throws Exception {
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(uri("/console/console.css"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(uri("/console/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
        assertTrue(post.body().contains("method_not_allowed"), post.body());
    }

    private static void assertType(String path, String type) throws Exception {
        HttpResponse<String> answer = get(path, null);
        assertEquals(200, answer.statusCode(), path);
        assertEquals(type, answer.headers().firstValue("Content-Type").orElseThrow(), path);
        assertTrue(answer.headers().firstValue("ETag").isPresent(), path);
    }

    private static URI uri(String path) {
        return URI.create(broker.origin() + path);
    }

    private static HttpResponse<String> get(String path, String ifNoneMatch) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET();
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
