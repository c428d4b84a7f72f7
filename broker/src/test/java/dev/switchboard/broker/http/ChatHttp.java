package dev.switchboard.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.Broker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A plain {@link HttpClient} (HTTP/1.1) talking to a broker's OpenAI-compatible endpoints. */
final class ChatHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WAIT).build();

    private ChatHttp() {
    }

    static URI uri(Broker broker, String path) {
        return URI.create("http://127.0.0.1:" + broker.port() + path);
    }

    static HttpResponse<String> post(Broker broker, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(broker, "/v1/chat/completions")).timeout(WAIT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(Broker broker, ObjectNode body) throws Exception {
        return post(broker, "dev-key", body.toString());
    }

    static HttpResponse<String> get(Broker broker, String key, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(broker, path)).timeout(WAIT).GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** A request with one user message and the given metadata. */
    static ObjectNode request(String model, String userText, Map<String, String> metadata, boolean stream) {
        ObjectNode body = JSON.createObjectNode().put("model", model);
        if (stream) {
            body.put("stream", true);
        }
        body.putArray("messages").addObject().put("role", "user").put("content", userText);
        ObjectNode meta = body.putObject("metadata");
        metadata.forEach(meta::put);
        return body;
    }

    /** Fast, fixed-length simulator output. */
    static Map<String, String> fast(int tokens) {
        return Map.of("sim_tokens", Integer.toString(tokens), "sim_ttft_ms", "0", "sim_tokens_per_second", "100000");
    }

    /** The {@code get_weather} tool in chat shape. */
    static ArrayNode weatherTool() {
        ArrayNode tools = JSON.createArrayNode();
        ObjectNode function = tools.addObject().put("type", "function").putObject("function");
        function.put("name", "get_weather").put("description", "Weather by city");
        ObjectNode parameters = function.putObject("parameters").put("type", "object");
        parameters.putObject("properties").putObject("city").put("type", "string");
        return tools;
    }
}
