package dev.switchboard.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Checks the {@code seq} extension: 1, 2, 3… with no gap and no repeat. */
public final class SeqAssert {
    private SeqAssert() {
    }

    public static void contiguousFromOne(List<JsonNode> frames) {
        long expected = 1;
        for (JsonNode frame : frames) {
            assertTrue(frame.path("seq").isIntegralNumber(), () -> "frame without integer seq: " + frame);
            assertEquals(expected, frame.get("seq").asLong(), () -> "seq gap or repeat at " + frame);
            expected++;
        }
    }
}
