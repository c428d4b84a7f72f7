package dev.switchboard.broker.logging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: secrets are never logged. A broker process runs with distinctive secrets everywhere the configuration
 * holds one (tenant key, provider {@code api_key}, resume secret, webhook secret), JSON logs at {@code debug}, and
 * is made to log: start-up, a refused key (sent as a bearer token), a served session, a failing provider (operator
 * log, circuit opened), a webhook whose deliveries fail; then a second process is refused a configuration error
 * in the same file. None of the secrets appears anywhere in what either process wrote (stdout and stderr).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SecretsNotLoggedTest {
    private static final Pattern LISTENING = Pattern.compile("Switchboard listening on (http://127\\.0\\.0\\.1:\\d+)");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT_KEY = "sk-tenant-SECRET-41d2e8a";
    private static final String WRONG_KEY = "sk-wrong-SECRET-5e6f7a0b";
    private static final String PROVIDER_KEY = "sk-provider-SECRET-7f3a9c1";
    private static final String RESUME_SECRET = "resume-SECRET-9b8c7d6e5f4a";
    private static final String ADMIN_TOKEN = "admin-SECRET-3c4d5e6f7a";
    private static final String WRONG_ADMIN_TOKEN = "admin-wrong-SECRET-8b9c0d";
    private static final Pattern ADMIN = Pattern.compile("Admin API on (http://127\\.0\\.0\\.1:\\d+)");
    private static final String WEBHOOK_KEY = Base64.getEncoder().encodeToString(
            "WEBHOOK-SECRET-0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final List<String> SECRETS = List.of(TENANT_KEY, WRONG_KEY, PROVIDER_KEY, RESUME_SECRET,
            WEBHOOK_KEY, ADMIN_TOKEN, WRONG_ADMIN_TOKEN, "SECRET");

    @TempDir
    Path dir;

    /** The configuration, with {@code extraTenant} (a line, or empty) under {@code tenants}. */
    private String config(String extraTenant) {
        return """
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                logging: {format: json, level: debug}
                providers:
                  keyed: {kind: openai, base_url: "simulator:/v1", api_key: "%s"}
                  keyed-down:
                    kind: openai
                    base_url: "simulator:/faults/status=503/v1"
                    api_key: "%s"
                    retry: {max_retries: 0}
                    circuit_breaker: {failure_threshold: 1}
                models:
                  good: {route: [keyed/sim-chat]}
                  bad: {route: [keyed-down/sim-chat]}
                tenants:
                  acme: {keys: ["%s"], models: ["*"]}
                %s
                sessions: {resume_secret: "%s"}
                admin:
                  listen: {host: 127.0.0.1, port: 0}
                  tokens: [{token: "%s", role: admin, name: ops}]
                webhooks:
                  allow_private_targets: true
                  outbox_dir: "%s"
                  retry: {initial: 100ms, max: 200ms, attempts: 2}
                  endpoints:
                    - url: http://127.0.0.1:1/hook
                      secret: "whsec_%s"
                      events: [provider.circuit_opened]
                """.formatted(PROVIDER_KEY, PROVIDER_KEY, TENANT_KEY, extraTenant, RESUME_SECRET, ADMIN_TOKEN,
                dir.resolve("outbox"), WEBHOOK_KEY);
    }

    @Test
    void no_secret_appears_in_the_log_of_a_broker_that_serves_refuses_fails_and_is_refused_a_bad_config()
            throws Exception {
        Path file = Files.writeString(dir.resolve("broker.yaml"), config(""));
        Output served = new Output();
        Process broker = start(file, served);
        try {
            String base = await().atMost(WAIT).until(() -> listening(served.text()), s -> !s.isEmpty());
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(401, chat(http, base, WRONG_KEY, "good").statusCode());
            HttpResponse<String> ok = chat(http, base, TENANT_KEY, "good");
            assertEquals(200, ok.statusCode(), ok::body);
            chat(http, base, TENANT_KEY, "bad");
            // The failing provider's line names the session it is about; the webhook's failed delivery is logged.
            await().atMost(WAIT).until(() -> jsonLines(served.text()).stream().anyMatch(line ->
                    line.path("message").asText().contains("keyed-down")
                            && line.path("tenant").asText().equals("acme")
                            && line.path("session").asText().startsWith("sess_")));
            await().atMost(WAIT).until(() -> served.text().contains("webhook delivery to"));
            // The admin API: a refused token, then a reload and a tenant list by the configured one.
            Matcher admin = ADMIN.matcher(served.text());
            assertTrue(admin.find(), served::text);
            assertEquals(401, adminCall(http, admin.group(1), "GET", "/admin/sessions", WRONG_ADMIN_TOKEN));
            assertEquals(200, adminCall(http, admin.group(1), "POST", "/admin/config/reload", ADMIN_TOKEN));
            assertEquals(200, adminCall(http, admin.group(1), "GET", "/admin/tenants", ADMIN_TOKEN));
            await().atMost(WAIT).until(() -> served.text().contains("configuration reloaded by admin:ops"));
        } finally {
            broker.destroy();
            broker.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            broker.destroyForcibly();
        }
        // A key used by two tenants: the error names the tenants, never the key.
        Path bad = Files.writeString(dir.resolve("bad.yaml"),
                config("  other: {keys: [\"" + TENANT_KEY + "\"]}"));
        Output refused = new Output();
        Process second = start(bad, refused);
        assertTrue(second.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "a bad configuration stops the broker");
        assertEquals(2, second.exitValue(), refused::text);
        refused.join();
        assertTrue(refused.text().contains("invalid configuration: tenants."), refused::text);

        served.join();
        String everything = served.text() + refused.text();
        for (String secret : SECRETS) {
            assertFalse(everything.contains(secret), () -> "'" + secret + "' was logged:\n" + everything);
        }
        List<JsonNode> lines = jsonLines(served.text());
        assertTrue(lines.size() >= 3, served::text);
        for (JsonNode line : lines) {
            for (String field : List.of("timestamp", "level", "logger", "message")) {
                assertTrue(line.hasNonNull(field), () -> field + " missing: " + line);
            }
        }
    }

    private static HttpResponse<String> chat(HttpClient http, String base, String key, String model)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"Hello.\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int adminCall(HttpClient http, String base, String method, String path, String token)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT)
                .method(method, HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static String listening(String output) {
        Matcher m = LISTENING.matcher(output);
        return m.find() ? m.group(1) : "";
    }

    private static List<JsonNode> jsonLines(String output) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new AssertionError("not a JSON line: " + line, e);
                }
            }
        }
        return lines;
    }

    /** {@code java -cp <test classpath> Main --config file}, its stdout and stderr drained into {@code output}. */
    private static Process start(Path config, Output output) throws IOException {
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.switchboard.broker.Main", "--config", config.toString())
                .redirectErrorStream(true).start();
        output.drain(process);
        return process;
    }

    /** Everything a process wrote, read by one daemon thread. */
    private static final class Output {
        private final StringBuffer text = new StringBuffer();
        private Thread reader;

        void drain(Process process) {
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        text.append(line).append('\n');
                    }
                } catch (IOException e) {
                    // The process went away; what was read is kept.
                }
            }, "broker-output");
            reader.setDaemon(true);
            reader.start();
        }

        void join() throws InterruptedException {
            reader.join(WAIT.toMillis());
        }

        String text() {
            return text.toString();
        }
    }
}
