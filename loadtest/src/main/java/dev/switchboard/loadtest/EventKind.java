package dev.switchboard.loadtest;

import java.util.HashMap;
import java.util.Map;

/** The server event types the harness acts on; everything else only counts and is seq-checked. */
enum EventKind {
    SESSION_CREATED("session.created"),
    /** Connection-level (no seq): the first event on a connection that resumed a session. */
    SESSION_RESUMED("session.resumed"),
    /** The answer to {@code session.update}; the resume scenario's probe. */
    SESSION_UPDATED("session.updated"),
    RESPONSE_CREATED("response.created"),
    TEXT_DELTA("response.output_text.delta"),
    TEXT_DONE("response.output_text.done"),
    RESPONSE_DONE("response.done"),
    ERROR("error"),
    /** A broker with guardrails reports a request's rate limits; counted, never an error. */
    RATE_LIMITS_UPDATED("rate_limits.updated"),
    OTHER("");

    private static final Map<String, EventKind> BY_TYPE = new HashMap<>();

    static {
        for (EventKind kind : values()) {
            if (kind != OTHER) {
                BY_TYPE.put(kind.wire, kind);
            }
        }
    }

    final String wire;

    EventKind(String wire) {
        this.wire = wire;
    }

    static EventKind of(String type) {
        return BY_TYPE.getOrDefault(type, OTHER);
    }
}
