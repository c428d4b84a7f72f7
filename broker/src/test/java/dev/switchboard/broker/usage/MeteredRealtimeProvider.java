package dev.switchboard.broker.usage;

import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A Realtime WebSocket provider on a loopback ephemeral port that reports every usage field a relayed response can
 * carry — input tokens with cached and audio details, output tokens with audio details — in known amounts. Response
 * {@code n} (counted from 1 across connections) reports {@link #usage(int)}. A {@code response.create} whose text
 * contains {@code "hold"} gets {@code response.created} and one text delta, and ends only when the client cancels:
 * then its {@code response.done} is {@code cancelled} with {@link #CUT_USAGE}.
 */
final class MeteredRealtimeProvider implements AutoCloseable {
    /** What a held response that was cancelled reports: input 40 (8 cached, 12 audio), output 6 (2 audio). */
    static final Usage CUT_USAGE = new Usage(40, 8, 12, 6, 2);

    private final Server server;
    private final ServerConnector connector;
    private final AtomicInteger responses = new AtomicInteger();

    /** The usage the provider reports. */
    record Usage(long input, long cached, long audioInput, long output, long audioOutput) {
        String json() {
            return "{\"total_tokens\":" + (input + output) + ",\"input_tokens\":" + input + ",\"output_tokens\":"
                    + output + ",\"input_token_details\":{\"cached_tokens\":" + cached + ",\"audio_tokens\":"
                    + audioInput + ",\"text_tokens\":" + (input - audioInput) + "},\"output_token_details\":"
                    + "{\"audio_tokens\":" + audioOutput + ",\"text_tokens\":" + (output - audioOutput) + "}}";
        }
    }

    /** What completed response {@code n} reports. */
    static Usage usage(int n) {
        return new Usage(100 + n, 10 + n, 20 + n, 50 + n, 30);
    }

    MeteredRealtimeProvider() throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> container.addMapping("/v1/realtime",
                (request, response, callback) -> new Connection(responses))));
        server.start();
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** One provider connection. Public: Jetty calls listener methods through method handles. */
    public static final class Connection implements Session.Listener.AutoDemanding {
        private final AtomicInteger responses;
        private volatile Session session;
        private volatile String held = "";

        Connection(AtomicInteger responses) {
            this.responses = responses;
        }

        @Override
        public void onWebSocketOpen(Session opened) {
            session = opened;
            opened.sendText("{\"type\":\"session.created\",\"event_id\":\"e0\",\"session\":{\"type\":\"realtime\"}}",
                    Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.contains("\"response.create\"")) {
                int n = responses.incrementAndGet();
                String id = "resp_" + n;
                send("{\"type\":\"response.created\",\"event_id\":\"c" + n + "\",\"response\":{\"id\":\"" + id
                        + "\",\"status\":\"in_progress\"}}");
                send("{\"type\":\"response.output_text.delta\",\"event_id\":\"d" + n + "\",\"response_id\":\"" + id
                        + "\",\"item_id\":\"i" + n + "\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hi\"}");
                if (message.contains("hold")) {
                    held = id;
                    return;
                }
                done(id, "completed", usage(n));
            } else if (message.contains("\"response.cancel\"") && !held.isEmpty()) {
                done(held, "cancelled", CUT_USAGE);
                held = "";
            }
        }

        private void done(String id, String status, Usage usage) {
            send("{\"type\":\"response.done\",\"event_id\":\"x" + id + "\",\"response\":{\"id\":\"" + id
                    + "\",\"status\":\"" + status + "\",\"output\":[],\"usage\":" + usage.json() + "}}");
        }

        private void send(String text) {
            session.sendText(text, Callback.NOOP);
        }
    }
}
