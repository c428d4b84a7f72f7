package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;

/**
 * An exchange observed as it happens: whether and with what status a response began, every body byte received
 * so far, and the final result (which may be a failure). For faults that break or hold a response.
 */
final class CapturedExchange {

    private final Request request;
    private final CompletableFuture<Integer> status = new CompletableFuture<>();
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    private CapturedExchange(Request request) {
        this.request = request;
    }

    static CapturedExchange send(Request request) {
        CapturedExchange exchange = new CapturedExchange(request);
        request.onResponseBegin(response -> exchange.status.complete(response.getStatus()))
                .onResponseContent((response, content) -> exchange.append(content))
                .send(exchange.result::complete);
        return exchange;
    }

    /** Whether the response line has arrived. */
    boolean responseBegan() {
        return status.isDone();
    }

    int awaitStatus() throws Exception {
        return status.get(SimulatorHttpClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    Result awaitResult() throws Exception {
        return result.get(SimulatorHttpClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    boolean done() {
        return result.isDone();
    }

    void abort() {
        request.abort(new java.io.IOException("test client gave up"));
    }

    String body() {
        synchronized (body) {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    /** The payload of every complete {@code data:} line received so far, in order. */
    List<String> dataLines() {
        return dataLines(body());
    }

    static List<String> dataLines(String body) {
        List<String> data = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(line.substring("data: ".length()));
            }
        }
        return data;
    }

    /** Asserts the exchange failed at the transport level: no complete HTTP response. */
    Result awaitFailure() throws Exception {
        Result outcome = awaitResult();
        assertTrue(outcome.isFailed(), "the exchange must fail, got " + outcome);
        return outcome;
    }

    private void append(ByteBuffer content) {
        byte[] bytes = new byte[content.remaining()];
        content.get(bytes);
        synchronized (body) {
            body.write(bytes, 0, bytes.length);
        }
    }
}
