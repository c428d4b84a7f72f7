package dev.switchboard.simulator;

import java.nio.ByteBuffer;

/**
 * Turns paced tokens into one provider's streaming wire format. {@link PacedStream} owns timing, backpressure
 * and termination; an encoder only decides bytes, so each provider API is one encoder
 * ({@link OpenAiChunkEncoder}, {@link AnthropicEventEncoder}). Implementations are created per stream, with
 * everything that stays constant for the stream (including the plan's fault ending) pre-serialised, and are called
 * by one thread at a time.
 */
interface StreamEncoder {

    /** The SSE {@code Content-Type} of this wire format. */
    default String contentType() {
        return "text/event-stream";
    }

    /**
     * Encodes one write: the stream preamble if {@code first}, then {@code count} token events from
     * {@code tokens}, then the stream trailer if {@code last}. Returns a new buffer, ready to read, that the
     * caller hands to Jetty; the encoder does not keep it.
     */
    ByteBuffer encode(boolean first, Token[] tokens, int count, boolean last);
}
