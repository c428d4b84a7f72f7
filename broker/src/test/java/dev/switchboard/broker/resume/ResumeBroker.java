package dev.switchboard.broker.resume;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/** A broker with two tenants, for resume tests, plus a WebSocket client and helpers that speak the resume protocol. */
final class ResumeBroker implements AutoCloseable {
    static final String CHAT = "sim-chat";
    /** A long, fast answer: a few hundred deltas. */
    static final String LONG = "{\"sim_tokens\":\"300\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"3000\"}";

    final Broker broker;
    final WebSocketClient client;

    private ResumeBroker(Broker broker, WebSocketClient client) {
        this.broker = broker;
        this.client = client;
    }

    static ResumeBroker start(String extraYaml, Ticker ticker) throws Exception {
        BrokerConfig config = new ConfigLoader(System::getenv).parse("""
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                models:
                  sim-chat: {route: [simulator/sim-chat]}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]}
                  other: {keys: [other-key], models: ["*"]}
                """ + extraYaml);
        Broker broker = Broker.start(config, ticker);
        WebSocketClient client = new WebSocketClient();
        client.setMaxTextMessageSize(64L << 20);
        client.start();
        return new ResumeBroker(broker, client);
    }

    static ResumeBroker start(String extraYaml) throws Exception {
        return start(extraYaml, Ticker.systemTicker());
    }

    URI ws(String query) {
        return URI.create("ws://127.0.0.1:" + broker.port() + "/v1/realtime?" + query);
    }

    RealtimeClient connect(String key) throws Exception {
        return RealtimeClient.connect(client, ws("model=" + CHAT), key);
    }

    RealtimeClient resume(String key, String token, long lastSeq) throws Exception {
        return RealtimeClient.connect(client, ws("resume_token=" + token + "&last_seq=" + lastSeq), key);
    }

    /** Sends a user message and a response.create with {@code metadata}, reading up to conversation.item.done. */
    static void ask(RealtimeClient client, String text, String metadata) throws InterruptedException {
        client.send(RealtimeClient.userMessage(text));
        client.until("conversation.item.done");
        client.send(RealtimeClient.responseCreate("go", metadata));
    }

    /** The concatenated text deltas of {@code frames}. */
    static String text(List<JsonNode> frames) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode frame : frames) {
            if (frame.path("type").asText().equals("response.output_text.delta")) {
                sb.append(frame.path("delta").asText());
            }
        }
        return sb.toString();
    }

    /** The frames of {@code frames} that carry a seq (the session's stream, without connection-level events). */
    static List<JsonNode> sequenced(List<JsonNode> frames) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode frame : frames) {
            if (frame.has("seq")) {
                out.add(frame);
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        client.stop();
        broker.close();
    }
}
