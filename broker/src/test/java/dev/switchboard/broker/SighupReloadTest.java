package dev.switchboard.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kill -HUP} on a broker process started with {@code --config} reloads that file, or reports why not. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SighupReloadTest {
    private static final String CONFIG = """
            simulator: {enabled: true}
            models:
              sim-chat: {route: [simulator/sim-chat]}
            tenants:
              acme: {keys: [%s], models: ["*"]}
            """;

    @TempDir
    Path dir;

    @Test
    void sighup_applies_a_valid_file_and_rejects_an_invalid_one_keeping_the_running_configuration()
            throws Exception {
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, CONFIG.formatted("first-key"));
        WebSocketClient client = new WebSocketClient();
        client.start();
        try (BrokerProcess broker = BrokerProcess.start(List.of(), List.of("--config", file.toString()))) {
            URI uri = URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?model=sim-chat");
            assertEquals(401, upgradeStatus(client, uri, "second-key"));

            Files.writeString(file, CONFIG.formatted("second-key"));
            hangUp(broker);
            await().atMost(Duration.ofSeconds(30)).until(() -> broker.recentOutput()
                    .contains("Switchboard configuration reloaded"));
            try (RealtimeClient session = RealtimeClient.connect(client, uri, "second-key")) {
                session.until("session.created");
            }
            assertEquals(401, upgradeStatus(client, uri, "first-key"));

            Files.writeString(file, CONFIG.formatted("third-key") + "unknown_section: 1\n");
            hangUp(broker);
            await().atMost(Duration.ofSeconds(30)).until(() -> broker.recentOutput()
                    .contains("configuration reload rejected"));
            try (RealtimeClient session = RealtimeClient.connect(client, uri, "second-key")) {
                session.until("session.created");
            }
            assertEquals(401, upgradeStatus(client, uri, "third-key"));
        } finally {
            client.stop();
        }
    }

    private static void hangUp(BrokerProcess broker) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(broker.process().pid())).start();
        assertEquals(0, kill.waitFor(10, TimeUnit.SECONDS) ? kill.exitValue() : -1);
    }

    private static int upgradeStatus(WebSocketClient client, URI uri, String key) {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer " + key);
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> client.connect(new RealtimeClient(), uri, request).get());
        return assertInstanceOf(UpgradeException.class, failure.getCause()).getResponseStatusCode();
    }
}
