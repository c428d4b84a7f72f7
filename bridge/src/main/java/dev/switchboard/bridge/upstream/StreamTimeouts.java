package dev.switchboard.bridge.upstream;

import java.time.Duration;

/**
 * Per-provider stream deadlines.
 *
 * @param connect TCP and TLS connect
 * @param firstToken request sent to the first output token; exceeded means the attempt failed with
 *     {@link dev.switchboard.protocol.close.CloseReason#UPSTREAM_TIMEOUT}
 * @param idle the longest silence on the connection once streaming
 */
public record StreamTimeouts(Duration connect, Duration firstToken, Duration idle) {
    public StreamTimeouts {
        requirePositive(connect, "connect");
        requirePositive(firstToken, "first_token");
        requirePositive(idle, "idle");
    }

    private static void requirePositive(Duration value, String name) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("timeouts." + name + " must be > 0");
        }
    }

    /** 5 s connect, 20 s first token, 30 s idle. */
    public static StreamTimeouts defaults() {
        return new StreamTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(30));
    }
}
