package dev.switchboard.bridge.upstream;

/** What an upstream delivers: output deltas, then exactly one {@link End}. */
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
     * The terminal event.
     *
     * @param outcome how the stream ended
     */
    record End(UpstreamOutcome outcome) implements UpstreamEvent {
    }
}
