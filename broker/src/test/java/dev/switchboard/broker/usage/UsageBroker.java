package dev.switchboard.broker.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.session.ResponseHooks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A broker on a loopback ephemeral port for the usage tests, the clients that drive it (WebSocket sessions, HTTP
 * chat completions, streamed and not) and the report. Every answer's usage is returned as the client saw it, in
 * Realtime terms ({@code input_tokens}, {@code output_tokens}, details), so tests can add up what the provider
 * reported and compare it with the ledger. Every wait is bounded.
 */
final class UsageBroker implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Broker broker;
    private final WebSocketClient ws;

    private UsageBroker(Broker broker, WebSocketClient ws) {
        this.broker = broker;
        this.ws = ws;
    }

    /** A broker for {@code yaml} whose hook records are stamped by {@code clock}. */
    static UsageBroker start(String yaml, InstantSource clock) throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse(yaml);
        Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)), ResponseHooks.NONE,
                clock);
        WebSocketClient ws = new WebSocketClient();
        try {
            ws.start();
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        return new UsageBroker(broker, ws);
    }

    /** A WebSocket session on {@code model} with {@code key}, past its {@code session.created}. */
    RealtimeClient connect(String key, String model) throws Exception {
        RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=" + model), key);
        assertEquals("session.created", client.next().path("type").asText());
        return client;
    }

    /** One response on an open session: the {@code response.done}'s response object. */
    static JsonNode respond(RealtimeClient client, int tokens) throws Exception {
        client.send(RealtimeClient.userMessage("Tell me something."));
        client.send(RealtimeClient.responseCreate("go", "{\"sim_tokens\":\"" + tokens + "\",\"sim_ttft_ms\":\"0\"}"));
        List<JsonNode> frames = client.until(f -> f.path("type").asText().equals("response.done")
                || f.path("type").asText().equals("error"));
        JsonNode last = frames.get(frames.size() - 1);
        assertEquals("response.done", last.path("type").asText(), last::toString);
        return last.path("response");
    }

    /** {@code POST /v1/chat/completions} with {@code key}. */
    HttpResponse<String> post(String key, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.port()
                        + "/v1/chat/completions")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A chat completion request for {@code model}, {@code tokens} simulator tokens long, with no wait. */
    static String chat(String model, int tokens, boolean stream, String content) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + (stream ? ",\"stream_options\":"
                + "{\"include_usage\":true}" : "") + ",\"messages\":[{\"role\":\"user\",\"content\":"
                + RealtimeClient.JSON.valueToTree(content) + "}],\"metadata\":{\"sim_tokens\":\"" + tokens
                + "\",\"sim_ttft_ms\":\"0\"}}";
    }

    /**
     * A chat completion's usage as Realtime usage ({@code input_tokens}, {@code output_tokens}): from the body, or
     * from the usage chunk of a stream.
     */
    JsonNode chatUsage(String key, String model, int tokens, boolean stream) throws Exception {
        HttpResponse<String> answer = post(key, chat(model, tokens, stream, "Tell me something."));
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode usage = null;
        if (stream) {
            for (String line : answer.body().split("\n")) {
                if (line.startsWith("data: {") && line.contains("\"usage\":{")) {
                    usage = RealtimeClient.JSON.readTree(line.substring(6)).path("usage");
                }
            }
        } else {
            usage = RealtimeClient.JSON.readTree(answer.body()).path("usage");
        }
        if (usage == null || !usage.has("prompt_tokens")) {
            throw new AssertionError("no usage in " + answer.body());
        }
        return RealtimeClient.JSON.createObjectNode().put("input_tokens", usage.path("prompt_tokens").asLong())
                .put("output_tokens", usage.path("completion_tokens").asLong());
    }

    /** The report body of {@code tenant}; fails unless the query is answered with a report. */
    JsonNode report(String tenant, String from, String to, String groupBy) {
        UsageReport.Result result = broker.usageReport().query(tenant, from, to, groupBy);
        return assertInstanceOf(UsageReport.Report.class, result, result::toString).body();
    }

    @Override
    public void close() throws Exception {
        try {
            ws.stop();
        } finally {
            broker.close();
        }
    }
}
