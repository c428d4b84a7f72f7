package dev.switchboard.broker.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
 * An OpenAI chat-completions provider on a loopback port that streams the deltas a test gives it, each in its own
 * SSE event (so each reaches the broker as a delta of its own), and records every request body.
 */
final class ScriptedChat implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
    private volatile List<String> deltas = List.of("ok");

    ScriptedChat() throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                bodies.add(Content.Source.asString(request, StandardCharsets.UTF_8));
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                response.write(true, ByteBuffer.wrap(stream(deltas).getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
    }

    /** The deltas every following answer streams. */
    void answer(String... next) {
        deltas = List.of(next);
    }

    private static String stream(List<String> deltas) {
        StringBuilder out = new StringBuilder(chunk(JSON.createObjectNode().put("role", "assistant"), null));
        for (String delta : deltas) {
            out.append(chunk(JSON.createObjectNode().put("content", delta), null));
        }
        out.append(chunk(JSON.createObjectNode(), "stop"));
        out.append("data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
                + "\"scripted\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":" + deltas.size()
                + ",\"total_tokens\":" + (5 + deltas.size()) + "}}\n\n");
        return out.append("data: [DONE]\n\n").toString();
    }

    private static String chunk(ObjectNode delta, String finishReason) {
        ObjectNode chunk = JSON.createObjectNode().put("id", "chatcmpl-s").put("object", "chat.completion.chunk")
                .put("created", 1).put("model", "scripted");
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return "data: " + chunk + "\n\n";
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

    /** The oldest body not yet taken; {@link IllegalStateException} when there is none. */
    String nextBodyNow() {
        String body = bodies.poll();
        if (body == null) {
            throw new IllegalStateException("no request body waiting");
        }
        return body;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
