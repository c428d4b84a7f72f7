package dev.switchboard.loadtest;

/**
 * The fields {@link ServerFrameReader} extracts from one server event. A reusable scratch object, so that the
 * hot path allocates no result per event: each {@link VirtualClient} owns one and only touches it inside its
 * (never concurrent) frame callback. Absent strings are {@code ""}, absent numbers {@code -1}.
 */
final class ParsedFrame {
    EventKind kind = EventKind.OTHER;
    long seq = -1;
    /** Epoch micros from a simulator stamp on a delta, or {@link Stamp#NONE}. */
    long stampMicros = Stamp.NONE;
    /** Characters of delta text after the stamp marker. */
    int deltaChars = -1;
    /** {@code response_id} of a delta, or {@code response.id} of {@code response.created}/{@code done}. */
    String responseId = "";
    /** {@code response.status}. */
    String status = "";
    /** {@code response.status_details.reason}, or {@code .error.code} when there is one. */
    String statusReason = "";
    String errorCode = "";
    String errorMessage = "";
    /** {@code error.event_id}: the client event the error is about. */
    String errorEventId = "";

    void reset() {
        kind = EventKind.OTHER;
        seq = -1;
        stampMicros = Stamp.NONE;
        deltaChars = -1;
        responseId = "";
        status = "";
        statusReason = "";
        errorCode = "";
        errorMessage = "";
        errorEventId = "";
    }
}
