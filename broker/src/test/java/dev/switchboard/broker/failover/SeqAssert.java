package dev.switchboard.broker.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Checks the {@code seq} extension: 1, 2, 3… with no gap and no repeat. A copy of the broker package's. */
final class SeqAssert {
    private SeqAssert() {
    }

    static void contiguousFromOne(List<JsonNode> frames) {
        long expected = 1;
        for (JsonNode frame : frames) {
            assertTrue(frame.path("seq").isIntegralNumber(), () -> "frame without integer seq: " + frame);
            assertEquals(expected, frame.get("seq").asLong(), () -> "seq gap or repeat at " + frame);
            expected++;
        }
    }
}
