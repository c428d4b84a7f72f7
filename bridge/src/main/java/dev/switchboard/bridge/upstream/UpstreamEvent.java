package dev.switchboard.bridge.upstream;

/** What an upstream delivers: output deltas (or relayed Realtime events), then exactly one {@link End}. */
public sealed interface UpstreamEvent {

    /**
     * A fragment of assistant text.
     *
     * @param text the fragment, never empty
     * @param receivedNanos {@link System#nanoTime()} when the bytes carrying it were read from the provider
     */
    record TextDelta(String text, long receivedNanos) implements UpstreamEvent {
    }

    /**
     * A fragment of a function (tool) call. The first fragment of a call carries its id and name; later ones
     * may leave them empty and carry only argument text.
     *
     * @param index the call's index among this answer's calls, from 0
     * @param callId the provider's call id, or empty on continuation fragments
     * @param name the function name, or empty on continuation fragments
     * @param argumentsDelta a fragment of the JSON arguments text, possibly empty
     * @param receivedNanos {@link System#nanoTime()} when the bytes carrying it were read from the provider
     */
    record ToolCallDelta(int index, String callId, String name, String argumentsDelta, long receivedNanos)
            implements UpstreamEvent {
    }

    /**
     * One server event of a Realtime WebSocket upstream, relayed as it came: the broker adds its {@code seq} but
     * never re-serialises the payload, so event types it does not model pass through untouched.
     *
     * @param type the event's {@code type} (empty when the upstream sent none)
     * @param json the whole event, exactly as the provider sent it
     * @param receivedNanos {@link System#nanoTime()} when the frame was read from the provider
     */
    record Relayed(String type, String json, long receivedNanos) implements UpstreamEvent {
    }

    /**
     * The terminal event.
     *
     * @param outcome how the stream ended
     */
    record End(UpstreamOutcome outcome) implements UpstreamEvent {
    }
}
