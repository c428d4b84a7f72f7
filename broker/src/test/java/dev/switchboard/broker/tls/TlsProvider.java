package dev.switchboard.broker.tls;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A fake provider on a loopback port that speaks only TLS, with a certificate from the test CA: OpenAI's chat
 * completions SSE on {@code POST /v1/chat/completions} (one short stream: "ok", stop, usage, [DONE]) and a Realtime
 * WebSocket on {@code /v1/realtime} that sends {@code session.created} when it opens.
 */
final class TlsProvider implements AutoCloseable {
    static final String STREAM = chunk("{\"role\":\"assistant\",\"content\":\"ok\"}", "null")
            + chunk("{}", "\"stop\"")
            + "data: {\"id\":\"chatcmpl-tls\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"fake-upstream\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
            + "\"total_tokens\":4}}\n\n"
            + "data: [DONE]\n\n";

    private final Server server = new Server();
    private final ServerConnector connector;
    /** Requests that got through the TLS handshake and reached the handler. */
    final AtomicInteger requests = new AtomicInteger();

    TlsProvider(SslContextFactory.Server tls) throws Exception {
        connector = new ServerConnector(server, tls);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, container ->
                container.addMapping("/v1/realtime", (request, response, callback) -> new Realtime()));
        upgrade.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                requests.incrementAndGet();
                Content.Source.consumeAll(request);
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                response.write(true, ByteBuffer.wrap(STREAM.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.setHandler(upgrade);
        server.start();
    }

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"chatcmpl-tls\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
                + "\"fake-upstream\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + finishReason + "}]}\n\n";
    }

    /** {@code https://127.0.0.1:PORT/v1}. */
    URI baseUri() {
        return URI.create("https://127.0.0.1:" + connector.getLocalPort() + "/v1");
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** The Realtime side: announces the session, then stays quiet. Public: Jetty calls it through method handles. */
    public final class Realtime implements Session.Listener.AutoDemanding {
        @Override
        public void onWebSocketOpen(Session session) {
            requests.incrementAndGet();
            session.sendText("{\"type\":\"session.created\",\"event_id\":\"event_1\",\"session\":{\"id\":\"sess_tls\","
                    + "\"object\":\"realtime.session\",\"model\":\"fake-realtime\"}}", org.eclipse.jetty.websocket.api
                    .Callback.NOOP);
        }
    }
}
