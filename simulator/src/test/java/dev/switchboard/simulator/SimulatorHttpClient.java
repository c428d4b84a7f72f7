package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/** A real Jetty HTTP client for tests, with every request bounded by a timeout. */
final class SimulatorHttpClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final long TIMEOUT_SECONDS = 30;

    private final HttpClient client = new HttpClient();

    SimulatorHttpClient() throws Exception {
        client.setMaxConnectionsPerDestination(2_000);
        client.setMaxRequestsQueuedPerDestination(10_000);
        client.start();
    }

    /** A POST of {@code json} to {@code base + path}, not yet sent. */
    Request post(URI base, String path, String json) {
        return client.newRequest(URI.create(base + path))
                .method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", json))
                .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    ContentResponse postChat(ProviderSimulator simulator, String json) throws Exception {
        return post(simulator.baseUri(), "/chat/completions", json).send();
    }

    ContentResponse postChat(ProviderSimulator simulator, String json, String authorization) throws Exception {
        return post(simulator.baseUri(), "/chat/completions", json)
                .headers(h -> h.put(HttpHeader.AUTHORIZATION, authorization))
                .send();
    }

    /**
     * The OpenAI-style base URI of a faulty "provider" on {@code simulator}:
     * {@code http://127.0.0.1:PORT/faults/SPEC/v1}.
     */
    static URI faultBase(ProviderSimulator simulator, String spec) {
        return URI.create("http://127.0.0.1:" + simulator.port() + "/faults/" + spec + "/v1");
    }

    /** A POST to {@code base + /messages} with the Anthropic version header and, if given, a metadata header. */
    Request postMessages(URI base, String json, Map<String, String> switchboardMetadata) {
        Request request = post(base, "/messages", json).headers(h -> h.put("anthropic-version", "2023-06-01"));
        if (!switchboardMetadata.isEmpty()) {
            String header = JSON.valueToTree(switchboardMetadata).toString();
            request.headers(h -> h.put("x-switchboard-metadata", header));
        }
        return request;
    }

    ContentResponse get(URI uri) throws Exception {
        return client.newRequest(uri).method(HttpMethod.GET).timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).send();
    }

    static JsonNode json(ContentResponse response) throws Exception {
        return JSON.readTree(response.getContentAsString());
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }
}
