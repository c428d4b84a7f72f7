package dev.switchboard.broker.webhook;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A webhook receiver for tests: a real Jetty server on a loopback ephemeral port that records every request (the
 * three Standard Webhooks headers and the body), answers as its {@link Script} says, and deduplicates accepted
 * messages by {@code webhook-id} as a real receiver should.
 */
final class Receiver implements AutoCloseable {
    /** One request received. */
    record Delivery(String id, String timestamp, String signature, String body, int status) {
    }

    /** What to answer to attempt {@code attempt} (1, 2 …) of message {@code id}. */
    @FunctionalInterface
    interface Script {
        Answer answer(String id, int attempt);
    }

    /** An answer: a status and, when not null, a {@code Retry-After} value. */
    record Answer(int status, String retryAfter) {
        static Answer of(int status) {
            return new Answer(status, null);
        }
    }

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final List<String> acceptedBodies = new CopyOnWriteArrayList<>();
    private volatile Script script;

    Receiver(Script script) throws Exception {
        this.script = script;
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                String id = String.valueOf(request.getHeaders().get("webhook-id"));
                Answer answer = Receiver.this.script.answer(id, attempts.merge(id, 1, Integer::sum));
                deliveries.add(new Delivery(id, request.getHeaders().get("webhook-timestamp"),
                        request.getHeaders().get("webhook-signature"), body, answer.status()));
                if (answer.status() / 100 == 2 && accepted.add(id)) {
                    acceptedBodies.add(body);
                }
                response.setStatus(answer.status());
                if (answer.retryAfter() != null) {
                    response.getHeaders().put("Retry-After", answer.retryAfter());
                }
                response.write(true, org.eclipse.jetty.util.BufferUtil.EMPTY_BUFFER, callback);
                return true;
            }
        });
        server.start();
    }

    /** Answers from now on as {@code next} says. */
    void answer(Script next) {
        this.script = next;
    }

    /** {@code http://127.0.0.1:PORT/hook}. */
    URI url() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/hook");
    }

    /** Every request, in arrival order. */
    List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** The bodies of the messages accepted, each once (deduplicated by webhook-id), in arrival order. */
    List<String> accepted() {
        return List.copyOf(acceptedBodies);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
