package dev.switchboard.bridge.upstream;

/**
 * One provider stream feeding one response: the OpenAI or Anthropic SSE leg, or later a Realtime WebSocket.
 *
 * <h2>Callbacks</h2>
 * <ul>
 *   <li>The upstream delivers {@link UpstreamEvent}s to its {@link UpstreamListener} with
 *       {@link UpstreamListener#tryDeliver(UpstreamEvent)}, in provider order, never concurrently for one stream,
 *       from a Jetty client thread or from the thread calling {@link #resume()}.</li>
 *   <li>Exactly one terminal {@link UpstreamEvent.End} is delivered, last, whatever happens: completion,
 *       provider failure, timeout or {@link #cancel()}.</li>
 * </ul>
 *
 * <h2>Demand</h2>
 * The upstream reads provider data only while it has demand. Demand stops when
 * <ul>
 *   <li>the listener refuses an event ({@code tryDeliver} returns {@code false}, e.g. a full ring buffer): the
 *       upstream keeps the event, stops reading, and re-offers it when the listener calls
 *       {@link #retryDelivery()};</li>
 *   <li>the broker calls {@link #pause()} (the client connection is above its high watermark).</li>
 * </ul>
 * While paused, unread bytes stay in the kernel socket buffers, so the provider's TCP flow control holds the
 * data, not the broker heap. At most one network read's worth of parsed events is held per stream.
 */
public interface Upstream {

    /** Stops demanding provider data until {@link #resume()}. Idempotent; any thread. */
    void pause();

    /**
     * Re-offers an event the listener refused, without clearing a {@link #pause()}. Any thread; may deliver
     * events on the calling thread before returning.
     */
    void retryDelivery();

    /**
     * Demands provider data again, and re-offers a refused event. Any thread; may deliver events on the calling
     * thread before returning, so callers must not hold locks the listener needs.
     */
    void resume();

    /**
     * Aborts the provider request so the provider stops generating. Idempotent; any thread. Events not yet
     * delivered are dropped; an {@link UpstreamEvent.End} with {@link UpstreamOutcome.Cancelled} follows unless
     * another terminal event was already delivered.
     */
    void cancel();
}
