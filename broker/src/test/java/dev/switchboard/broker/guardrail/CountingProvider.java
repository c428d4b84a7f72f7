package dev.switchboard.broker.guardrail;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OpenAI-compatible provider on a loopback ephemeral port (the JDK's HTTP server) that counts every request
 * it receives, whatever the path, and answers each with a short valid stream ("ok", stop, usage, [DONE]) — so a
 * broker that wrongly routes to it would be served, and only the count tells.
 */
final class CountingProvider implements AutoCloseable {
    private static final String STREAM = chunk("{\"role\":\"assistant\",\"content\":\"ok\"}", "null")
            + chunk("{}", "\"stop\"")
            + "data: {\"id\":\"chatcmpl-us\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"us-upstream\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
            + "\"total_tokens\":4}}\n\n"
            + "data: [DONE]\n\n";

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    CountingProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            byte[] body = STREAM.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"chatcmpl-us\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
                + "\"us-upstream\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + finishReason + "}]}\n\n";
    }

    /** The base URL to configure, {@code http://127.0.0.1:PORT/v1}. */
    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    /** How many requests reached this provider. */
    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
