package dev.switchboard.bridge.fakeprovider;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * One step of a provider script. A script runs its steps in order; when the last step is done the response is
 * completed normally (for a streamed body: the terminating chunk is sent). Steps that end the exchange
 * ({@link CloseConnection}, {@link Hang}) make later steps unreachable.
 */
public sealed interface Step {

    /** Sets the status and headers; nothing is sent until the first write or {@link Commit}. */
    record Status(int code, Map<String, String> headers) implements Step {
        public Status {
            headers = Map.copyOf(headers);
        }
    }

    /** Sends the status line and headers now, with no body bytes. */
    record Commit() implements Step {
    }

    /** Writes bytes to the body and waits until they are handed to the network. */
    record Write(byte[] bytes) implements Step {
        public Write {
            bytes = bytes.clone();
        }
    }

    /** Waits, on the server's scheduler: no thread is parked. */
    record Delay(Duration duration) implements Step {
    }

    /** Waits until {@code gate} completes (normally or not), e.g. a future the test completes. */
    record Await(CompletionStage<?> gate) implements Step {
    }

    /** Closes the TCP connection mid-exchange: a FIN, or an RST when {@code reset}. */
    record CloseConnection(boolean reset) implements Step {
    }

    /** Never answers further and keeps the connection open until the client gives up. */
    record Hang() implements Step {
    }

    /** {@code status} with header name/value pairs, e.g. {@code status(429, "Retry-After", "3")}. */
    static Step status(int code, String... headerPairs) {
        if (headerPairs.length % 2 != 0) {
            throw new IllegalArgumentException("header names and values must come in pairs");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.put(headerPairs[i], headerPairs[i + 1]);
        }
        return new Status(code, headers);
    }

    /** 200 with {@code Content-Type: text/event-stream}, as SSE providers answer. */
    static Step sseHeaders() {
        return status(200, "Content-Type", "text/event-stream; charset=utf-8", "Cache-Control", "no-cache");
    }

    /** A JSON status line, e.g. for provider errors; the body follows with {@link #write(String)}. */
    static Step jsonStatus(int code, String... extraHeaderPairs) {
        String[] pairs = new String[extraHeaderPairs.length + 2];
        pairs[0] = "Content-Type";
        pairs[1] = "application/json";
        System.arraycopy(extraHeaderPairs, 0, pairs, 2, extraHeaderPairs.length);
        return status(code, pairs);
    }

    static Step commit() {
        return new Commit();
    }

    /** Writes {@code text} as UTF-8, exactly as given. */
    static Step write(String text) {
        return new Write(text.getBytes(StandardCharsets.UTF_8));
    }

    static Step write(byte[] bytes) {
        return new Write(bytes);
    }

    /** Writes one SSE event with a single {@code data:} line. */
    static Step data(String data) {
        return write("data: " + data + "\n\n");
    }

    /** Writes one SSE event with an {@code event:} name and a single {@code data:} line. */
    static Step event(String name, String data) {
        return write("event: " + name + "\ndata: " + data + "\n\n");
    }

    static Step delay(Duration duration) {
        return new Delay(duration);
    }

    static Step await(CompletionStage<?> gate) {
        return new Await(gate);
    }

    /** Closes the connection with a FIN: the client sees end-of-file. */
    static Step closeConnection() {
        return new CloseConnection(false);
    }

    /** Closes the connection with an RST ({@code SO_LINGER 0}): the client sees a connection reset. */
    static Step resetConnection() {
        return new CloseConnection(true);
    }

    static Step hang() {
        return new Hang();
    }
}
