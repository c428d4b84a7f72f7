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
    /** Top-level {@code resume_token} of {@code session.created} and {@code session.resumed}. */
    String resumeToken = "";
    /** Top-level {@code last_seq} of {@code session.resumed}. */
    long lastSeq = -1;
    /**
     * The digest of a delta's whole text (stamp marker included) or of {@code response.output_text.done}'s
     * {@code text}; left empty unless the reader was made to digest text.
     */
    final TextDigest text = new TextDigest();

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
        resumeToken = "";
        lastSeq = -1;
        text.reset();
    }
}
