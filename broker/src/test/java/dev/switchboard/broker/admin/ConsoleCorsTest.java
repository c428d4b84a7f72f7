package dev.switchboard.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener lets the web console's origin (the main listener, on the host the admin API was called by)
 * read it across origins, and no other origin.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConsoleCorsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    Path dir;

    private static HttpResponse<String> send(String method, URI uri, String origin, boolean preflight)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(AdminBroker.TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody()).header("Origin", origin);
        if (preflight) {
            request.header("Access-Control-Request-Method", "DELETE")
                    .header("Access-Control-Request-Headers", "authorization");
        } else {
            request.header("Authorization", "Bearer " + AdminApiTest.ADMIN);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void the_consoles_origin_is_let_in_and_any_other_origin_is_not() throws Exception {
        try (AdminBroker broker = AdminBroker.start(AdminApiTest.yaml(dir.resolve("audit")))) {
            String console = "http://127.0.0.1:" + broker.broker.port();
            URI sessions = broker.admin("/admin/sessions");

            HttpResponse<String> preflight = send("OPTIONS", sessions, console, true);
            assertEquals(204, preflight.statusCode());
            assertEquals(Optional.of(console), preflight.headers().firstValue("Access-Control-Allow-Origin"));
            assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("DELETE"));
            assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("")
                    .contains("Authorization"));
            HttpResponse<String> list = send("GET", sessions, console, false);
            assertEquals(200, list.statusCode(), list::body);
            assertEquals(Optional.of(console), list.headers().firstValue("Access-Control-Allow-Origin"));

            for (String other : new String[] {"http://evil.example:" + broker.broker.port(),
                    "http://127.0.0.1:" + (broker.broker.port() + 1), "https://127.0.0.1:" + broker.broker.port()}) {
                assertEquals(Optional.empty(), send("OPTIONS", sessions, other, true).headers()
                        .firstValue("Access-Control-Allow-Origin"), other);
                assertEquals(Optional.empty(), send("GET", sessions, other, false).headers()
                        .firstValue("Access-Control-Allow-Origin"), other);
            }
        }
    }
}
