package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The simulator's shared Jackson mapper and the one way endpoints write a complete JSON response. */
final class SimulatorJson {

    /** Thread-safe once configured; trailing garbage after the JSON body is a parse error, as at OpenAI. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static final String APPLICATION_JSON = "application/json";

    private SimulatorJson() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * Writes {@code body} as the whole response and completes {@code callback} when the write finishes.
     * Ownership of {@code callback} passes to this call.
     */
    static void write(Response response, Callback callback, int status, ObjectNode body) {
        write(response, callback, status, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    static void write(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, APPLICATION_JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
