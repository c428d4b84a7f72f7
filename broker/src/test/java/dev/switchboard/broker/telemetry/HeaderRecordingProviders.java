package dev.switchboard.broker.telemetry;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * Two fake providers on one loopback Jetty server that record the {@code traceparent} header of what reaches them:
 * an OpenAI-compatible {@code POST /v1/chat/completions} answering every request with a short stream ("ok", stop,
 * usage), and a Realtime WebSocket at {@code /v1/realtime} that greets each session and answers every
 * {@code response.create} with {@code response.created} and a completed {@code response.done}.
 */
final class HeaderRecordingProviders implements AutoCloseable {
    private static final String STREAM = chunk("{\"role\":\"assistant\",\"content\":\"ok\"}", "null")
            + chunk("{}", "\"stop\"")
            + "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"fake-upstream\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
            + "\"total_tokens\":4}}\n\n"
            + "data: [DONE]\n\n";

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final BlockingQueue<String> chatTraceParents = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> upgradeTraceParents = new LinkedBlockingQueue<>();

    HeaderRecordingProviders() throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebSocketUpgradeHandler realtime = WebSocketUpgradeHandler.from(server, container -> container.addMapping(
                "/v1/realtime", (request, response, callback) -> {
                    upgradeTraceParents.add(String.valueOf(request.getHeaders().get("traceparent")));
                    return new RealtimeFake();
                }));
        realtime.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                chatTraceParents.add(String.valueOf(request.getHeaders().get("traceparent")));
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                response.write(true, ByteBuffer.wrap(STREAM.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.setHandler(realtime);
        server.start();
    }

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
                + "\"fake-upstream\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + finishReason + "}]}\n\n";
    }

    /** The Realtime fake: greets, and answers each {@code response.create} at once. */
    public static final class RealtimeFake implements Session.Listener.AutoDemanding {
        private volatile Session session;
        private int responses;

        @Override
        public void onWebSocketOpen(Session opened) {
            session = opened;
            opened.sendText("{\"type\":\"session.created\",\"event_id\":\"e0\",\"session\":{\"type\":\"realtime\"}}",
                    org.eclipse.jetty.websocket.api.Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.contains("\"response.create\"")) {
                int n = ++responses;
                session.sendText("{\"type\":\"response.created\",\"event_id\":\"c" + n + "\",\"response\":{\"id\":"
                        + "\"resp_fake" + n + "\",\"status\":\"in_progress\"}}",
                        org.eclipse.jetty.websocket.api.Callback.NOOP);
                session.sendText("{\"type\":\"response.done\",\"event_id\":\"d" + n + "\",\"response\":{\"id\":"
                        + "\"resp_fake" + n + "\",\"status\":\"completed\",\"model\":\"rt-fake\",\"usage\":"
                        + "{\"input_tokens\":7,\"output_tokens\":5}}}", org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }
    }

    /** {@code http://127.0.0.1:PORT/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/v1";
    }

    /** The {@code traceparent} of the next chat-completions request ({@code "null"} when it had none), ≤ 30 s. */
    String nextChatTraceParent() throws InterruptedException {
        return next(chatTraceParents);
    }

    /** The {@code traceparent} of the next Realtime upgrade ({@code "null"} when it had none), ≤ 30 s. */
    String nextUpgradeTraceParent() throws InterruptedException {
        return next(upgradeTraceParents);
    }

    private static String next(BlockingQueue<String> queue) throws InterruptedException {
        String value = queue.poll(30, TimeUnit.SECONDS);
        if (value == null) {
            throw new AssertionError("the provider received no request within 30 s");
        }
        return value;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
