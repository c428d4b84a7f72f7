package dev.switchboard.protocol.event;

/**
 * Token usage of a response.
 *
 * @param totalTokens input plus output tokens
 * @param inputTokens prompt tokens
 * @param outputTokens completion tokens
 */
public record Usage(long totalTokens, long inputTokens, long outputTokens) {
    public Usage {
        if (totalTokens < 0 || inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("usage token counts must be >= 0");
        }
    }

    /** Usage from input and output counts. */
    public static Usage of(long inputTokens, long outputTokens) {
        return new Usage(inputTokens + outputTokens, inputTokens, outputTokens);
    }
}
