package dev.switchboard.bridge.anthropic;

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
 * Opens Messages API streams ({@code POST {base}/messages} with {@code stream: true}) to one Anthropic provider.
 * Thread-safe; owns no threads of its own beyond the shared {@link HttpClient}.
 *
 * <p>Each request carries {@code x-api-key} (when a key is configured), {@code anthropic-version},
 * {@code content-type: application/json} and {@code accept: text/event-stream}.
 *
 * <p><b>Metadata travels in a header.</b> Anthropic's body {@code metadata} accepts only {@code user_id} and
 * refuses any other key, so the request's metadata cannot go in the body as it does for OpenAI. When it is
 * non-empty it is sent as the {@value #METADATA_HEADER} header, a JSON object of string values (non-ASCII
 * escaped), e.g. {@code {"sim_tokens":"20","trace":"t-1"}}. Anthropic ignores the header; the provider simulator
 * reads its {@code sim_*} knobs from it, and gateways in front of Anthropic may use it.
 *
 * <p>Failures never throw: they end the stream with an {@link dev.switchboard.bridge.upstream.UpstreamOutcome.Failed}
 * whose message never contains the API key.
 */
public final class AnthropicConnector implements UpstreamConnector {
    /** The request header carrying the request's metadata as a JSON object of strings. */
    public static final String METADATA_HEADER = "x-switchboard-metadata";

    private final AnthropicConfig config;
    private final HttpClient client;
    private final ObjectMapper mapper = new ObjectMapper();
    private final LongAdder malformedEvents = new LongAdder();
    private final LongAdder unknownEvents = new LongAdder();
    private final String endpoint;

    /**
     * @param client a started client shared by the broker's connectors; not closed by this connector
     */
    public AnthropicConnector(AnthropicConfig config, HttpClient client) {
        this.config = config;
        this.client = client;
        String base = config.baseUri().toString();
        this.endpoint = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/messages";
    }

    @Override
    public String provider() {
        return config.name();
    }

    @Override
    public Upstream open(UpstreamRequest request, UpstreamListener listener) {
        String body = AnthropicRequestBody.write(mapper, request);
        Request http = client.newRequest(endpoint)
                .method(HttpMethod.POST)
                .headers(h -> request.headers().forEach(h::put))
                .headers(h -> h.put(HttpHeader.ACCEPT, "text/event-stream")
                        .put("anthropic-version", config.anthropicVersion()))
                .body(new StringRequestContent("application/json", body));
        config.apiKey().ifPresent(key -> http.headers(h -> h.put("x-api-key", key)));
        AnthropicRequestBody.metadataHeader(mapper, request.metadata())
                .ifPresent(metadata -> http.headers(h -> h.put(METADATA_HEADER, metadata)));
        AnthropicEventMapper eventMapper =
                new AnthropicEventMapper(mapper, request, malformedEvents, unknownEvents, config.apiKey());
        return SseStream.open(client, http, eventMapper, listener, config.timeouts());
    }

    /** Provider events whose data was not valid JSON (or not attributable) and were skipped, since start. */
    public long malformedEvents() {
        return malformedEvents.sum();
    }

    /** Provider events of a type this adapter does not know, skipped, since start. */
    public long unknownEvents() {
        return unknownEvents.sum();
    }

    @Override
    public void close() {
        // The HttpClient is shared and owned by the caller.
    }
}
