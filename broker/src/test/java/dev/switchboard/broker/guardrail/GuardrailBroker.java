package dev.switchboard.broker.guardrail;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.session.ResponseHooks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A broker on a loopback ephemeral port for the guardrail tests, with the clients they drive it through: HTTP
 * requests, WebSocket sessions, a raw WebSocket upgrade (to read a refusal's status and body, which a WebSocket
 * client cannot) and the Prometheus text of {@code /metrics}. Every wait is bounded.
 */
final class GuardrailBroker implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Broker broker;
    private final WebSocketClient ws;

    private GuardrailBroker(Broker broker, WebSocketClient ws) {
        this.broker = broker;
        this.ws = ws;
    }

    /** Starts a broker for {@code yaml} with {@code clock}, its usage store wrapped by {@code wrapper}. */
    static GuardrailBroker start(String yaml, InstantSource clock, UnaryOperator<UsageStore> wrapper)
            throws Exception {
        return start(yaml, clock, wrapper, ResponseHooks.NONE);
    }

    /** As {@link #start(String, InstantSource, UnaryOperator)}, with {@code hooks} called after the guardrails. */
    static GuardrailBroker start(String yaml, InstantSource clock, UnaryOperator<UsageStore> wrapper,
                                 ResponseHooks hooks) throws Exception {
        BrokerConfig config = new ConfigLoader(name -> null).parse(yaml);
        Broker broker = Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0)), hooks, clock,
                wrapper);
        WebSocketClient ws = new WebSocketClient();
        try {
            ws.start();
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        return new GuardrailBroker(broker, ws);
    }

    /** A chat completion request for {@code model}, {@code tokens} simulator tokens long, with no wait. */
    static String chat(String model, int tokens, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Hi\"}],\"metadata\":{\"sim_tokens\":\"" + tokens + "\",\"sim_ttft_ms\":\"0\"}}";
    }

    /** {@code POST /v1/chat/completions} with {@code key}. */
    HttpResponse<String> post(String key, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri("/v1/chat/completions")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code GET path} with {@code key} (none when null). */
    HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A WebSocket session on {@code model} with {@code key}, past its {@code session.created}. */
    RealtimeClient connect(String key, String model) throws Exception {
        RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=" + model), key);
        client.next();
        return client;
    }

    /** The answer to a WebSocket upgrade request on {@code model} with {@code key}: status line and body. */
    UpgradeAnswer upgrade(String key, String model) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", broker.port()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/realtime?model=" + model + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + key + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (head.size() < 16_384 && !head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            int length = Arrays.stream(headers.split("\r\n"))
                    .filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
                    .mapToInt(line -> Integer.parseInt(line.substring(15).trim())).findFirst().orElse(0);
            String body = new String(in.readNBytes(Math.min(length, 65_536)), StandardCharsets.UTF_8);
            return new UpgradeAnswer(Integer.parseInt(headers.substring(9, 12)), body);
        }
    }

    /** An upgrade's answer. */
    record UpgradeAnswer(int status, String body) {
    }

    /**
     * The sum of the samples of {@code name} whose labels include every one of {@code labels} (each written
     * {@code key="value"}) on the broker's {@code /metrics}; empty when there is no such sample.
     */
    OptionalDouble metric(String name, String... labels) throws IOException, InterruptedException {
        HttpResponse<String> scrape = get("/metrics", null);
        if (scrape.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + scrape.statusCode() + ": " + scrape.body());
        }
        double sum = 0;
        boolean found = false;
        for (String line : scrape.body().split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            if (Arrays.stream(labels).allMatch(series::contains)) {
                sum += Double.parseDouble(line.substring(space + 1));
                found = true;
            }
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + broker.port() + path);
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
