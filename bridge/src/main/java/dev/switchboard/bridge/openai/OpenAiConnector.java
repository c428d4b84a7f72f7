package dev.switchboard.bridge.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.bridge.sse.SseStream;
import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamConnector;
import dev.switchboard.bridge.upstream.UpstreamListener;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Opens chat-completions streams ({@code stream: true}, {@code stream_options.include_usage: true}) to one
 * OpenAI-compatible provider. Thread-safe; owns no threads of its own beyond the shared {@link HttpClient}.
 */
public final class OpenAiConnector implements UpstreamConnector {
    private final OpenAiConfig config;
    private final HttpClient client;
    private final ObjectMapper mapper = new ObjectMapper();
    private final LongAdder malformedChunks = new LongAdder();
    private final String endpoint;

    /**
     * @param client a started client shared by the broker's connectors; not closed by this connector
     */
    public OpenAiConnector(OpenAiConfig config, HttpClient client) {
        this.config = config;
        this.client = client;
        String base = config.baseUri().toString();
        this.endpoint = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/chat/completions";
    }

    @Override
    public String provider() {
        return config.name();
    }

    @Override
    public Upstream open(UpstreamRequest request, UpstreamListener listener) {
        String body = OpenAiRequestBody.write(mapper, request);
        Request http = client.newRequest(endpoint)
                .method(HttpMethod.POST)
                .headers(h -> request.headers().forEach(h::put))
                .headers(h -> h.put(HttpHeader.ACCEPT, "text/event-stream"))
                .body(new StringRequestContent("application/json", body));
        config.apiKey().ifPresent(key -> http.headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + key)));
        OpenAiChunkMapper chunkMapper = new OpenAiChunkMapper(mapper, request, malformedChunks, config.apiKey());
        return SseStream.open(client, http, chunkMapper, listener, config.timeouts());
    }

    /** Provider chunks that were not valid JSON and were skipped, since start. */
    public long malformedChunks() {
        return malformedChunks.sum();
    }

    @Override
    public void close() {
        // The HttpClient is shared and owned by the caller.
    }
}
