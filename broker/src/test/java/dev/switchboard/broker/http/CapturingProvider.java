package dev.switchboard.broker.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A tiny OpenAI-compatible provider on a loopback port: records every request body, answers every request with
 * the same short stream ("ok", stop, usage, [DONE]).
 */
final class CapturingProvider implements AutoCloseable {
    private static final String STREAM = chunk("{\"role\":\"assistant\",\"content\":\"ok\"}", "null")
            + chunk("{}", "\"stop\"")
            + "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"fake-upstream\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
            + "\"total_tokens\":4}}\n\n"
            + "data: [DONE]\n\n";

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();

    CapturingProvider() throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                bodies.add(Content.Source.asString(request, StandardCharsets.UTF_8));
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                response.write(true, ByteBuffer.wrap(STREAM.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
    }

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
                + "\"fake-upstream\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + finishReason + "}]}\n\n";
    }

    /** The base URL to configure, {@code http://127.0.0.1:PORT/v1}. */
    URI baseUri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/v1");
    }

    /** The next request body received, waiting at most 30 s. */
    String nextBody() throws InterruptedException {
        String body = bodies.poll(30, TimeUnit.SECONDS);
        if (body == null) {
            throw new AssertionError("the provider received no request within 30 s");
        }
        return body;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
