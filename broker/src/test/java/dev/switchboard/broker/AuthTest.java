package dev.switchboard.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AuthTest {
    private static final String CONFIG = """
            simulator: {enabled: true}
            models:
              sim-chat: {route: [simulator/sim-chat]}
              sim-other: {route: [simulator/sim-chat]}
            tenants:
              acme: {keys: [acme-key], models: [sim-chat]}
            """;
    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(new ConfigLoader(name -> null).parse(CONFIG));
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    private static int upgradeStatus(URI uri, ClientUpgradeRequest request) {
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> broker.client.connect(new RealtimeClient(), uri, request).get());
        UpgradeException upgrade = assertInstanceOf(UpgradeException.class, failure.getCause());
        return upgrade.getResponseStatusCode();
    }

    private static ClientUpgradeRequest bearer(String key) {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer " + key);
        return request;
    }

    @Test
    void a_missing_or_wrong_key_refuses_the_upgrade_with_401() {
        assertEquals(401, upgradeStatus(broker.ws("sim-chat"), new ClientUpgradeRequest()));
        assertEquals(401, upgradeStatus(broker.ws("sim-chat"), bearer("wrong")));
    }

    @Test
    void an_unknown_model_is_404_and_a_model_the_tenant_may_not_use_is_403() {
        assertEquals(404, upgradeStatus(broker.ws("no-such-model"), bearer("acme-key")));
        assertEquals(403, upgradeStatus(broker.ws("sim-other"), bearer("acme-key")));
    }

    @Test
    void refusals_carry_a_json_error_body() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                broker.http("/v1/realtime?model=sim-chat")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, response.statusCode());
        JsonNode body = new ObjectMapper().readTree(response.body());
        assertEquals("invalid_api_key", body.path("error").path("code").asText());
        HttpResponse<String> forbidden = http.send(HttpRequest.newBuilder(broker.http("/v1/realtime?model=sim-other"))
                .header("Authorization", "Bearer acme-key").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forbidden.statusCode());
        assertEquals("model_not_allowed", new ObjectMapper().readTree(forbidden.body()).path("error").path("code")
                .asText());
    }

    @Test
    void browsers_authenticate_with_the_key_subprotocol_and_get_realtime_selected() throws Exception {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setSubProtocols("realtime", "openai-insecure-api-key.acme-key");
        try (RealtimeClient client = RealtimeClient.connect(broker.client, broker.ws("sim-chat"), request)) {
            assertEquals("realtime", client.session().getUpgradeResponse().getAcceptedSubProtocol());
            assertEquals("session.created", client.next().path("type").asText());
        }
        ClientUpgradeRequest wrong = new ClientUpgradeRequest();
        wrong.setSubProtocols("realtime", "openai-insecure-api-key.nope");
        assertEquals(401, upgradeStatus(broker.ws("sim-chat"), wrong));
    }

    @Test
    void permessage_deflate_offered_by_a_browser_is_not_negotiated() throws Exception {
        ClientUpgradeRequest request = bearer("acme-key");
        request.addExtensions("permessage-deflate");
        try (RealtimeClient client = RealtimeClient.connect(broker.client, broker.ws("sim-chat"), request)) {
            assertEquals(java.util.List.of(), client.session().getUpgradeResponse().getExtensions());
            assertEquals("session.created", client.next().path("type").asText());
        }
    }

    @Test
    void a_bearer_key_connects_without_any_subprotocol() throws Exception {
        try (RealtimeClient client = RealtimeClient.connect(broker.client, broker.ws("sim-chat"), "acme-key")) {
            assertEquals("session.created", client.next().path("type").asText());
        }
    }
}
