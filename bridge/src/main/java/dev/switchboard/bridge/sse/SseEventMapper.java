package dev.switchboard.bridge.sse;

import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;

/**
 * Turns one provider's SSE events into {@link UpstreamEvent}s and its failures into outcomes. One instance per
 * stream; called only from that stream's read loop, never concurrently.
 */
public interface SseEventMapper {

    /**
     * Maps one event. May emit any number of events, including one {@link UpstreamEvent.End} (after which the
     * stream stops reading). Malformed provider data is skipped and counted, not thrown.
     *
     * @param receivedNanos {@link System#nanoTime()} when the bytes were read
     */
    void onEvent(SseEvent event, long receivedNanos, Consumer<UpstreamEvent> out);

    /** The body ended without the provider's terminator. */
    UpstreamOutcome onEndOfStream();

    /** The provider answered with a non-2xx status; {@code body} is at most the first 64 KiB, as UTF-8. */
    UpstreamOutcome onHttpError(int status, HttpFields headers, String body);

    /** The connection failed or timed out; {@code beforeHeaders} tells whether any response had arrived. */
    UpstreamOutcome onFailure(Throwable failure, boolean beforeHeaders);
}
