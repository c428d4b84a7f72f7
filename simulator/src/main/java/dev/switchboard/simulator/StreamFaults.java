package dev.switchboard.simulator;

import java.util.Objects;

/**
 * How a faulty path changes a streamed response body. Immutable.
 *
 * @param malformedAt 1-based index of the content event that is preceded by one malformed JSON event; 0 for none
 * @param ending      how the body ends
 * @param endAfter    for {@link Ending#CUT}, {@link Ending#STALL} and {@link Ending#INBAND_ERROR}: content events
 *                    sent before the ending (fewer if the completion is shorter); otherwise 0
 */
record StreamFaults(int malformedAt, Ending ending, int endAfter) {

    static final StreamFaults NONE = new StreamFaults(0, Ending.COMPLETE, 0);

    StreamFaults {
        Objects.requireNonNull(ending, "ending");
        if (malformedAt < 0 || endAfter < 0) {
            throw new IllegalArgumentException("malformedAt and endAfter must be >= 0");
        }
    }

    /** How a streamed body ends. */
    enum Ending {
        /** The provider's normal trailer: finish event, usage and end marker. */
        COMPLETE(true),
        /** The normal trailer without its end marker ({@code data: [DONE]} or {@code message_stop}). */
        NO_DONE(true),
        /** The connection is closed abruptly after the last content event: no trailer, no last chunk. */
        CUT(false),
        /** Nothing more is written after the last content event; the connection stays open. */
        STALL(false),
        /** An in-band error event follows the last content event and the body ends. */
        INBAND_ERROR(true);

        private final boolean endsBody;

        Ending(boolean endsBody) {
            this.endsBody = endsBody;
        }

        /** Whether the final write ends the HTTP body properly (the last chunk is sent). */
        boolean endsBody() {
            return endsBody;
        }

        /** Whether the stream stops after {@link StreamFaults#endAfter} content events. */
        boolean endsEarly() {
            return this == CUT || this == STALL || this == INBAND_ERROR;
        }
    }
}
