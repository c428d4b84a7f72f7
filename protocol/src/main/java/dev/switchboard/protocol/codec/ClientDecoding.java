package dev.switchboard.protocol.codec;

import dev.switchboard.protocol.event.ClientEvent;
import dev.switchboard.protocol.event.ErrorDetail;

/** The outcome of decoding one client frame: an event, or the error to answer with. */
public sealed interface ClientDecoding {

    /**
     * The frame decoded to an event (possibly an {@link dev.switchboard.protocol.event.UnknownClientEvent}).
     *
     * @param event the event
     */
    record Decoded(ClientEvent event) implements ClientDecoding {
    }

    /**
     * The frame is a well-formed event, checked but not decoded, for relaying to a Realtime upstream unchanged
     * ({@link EventCodec#peekClient(String)}).
     *
     * @param type the event's {@code type}
     * @param eventId the client's {@code event_id}, or empty
     * @param text the frame exactly as received
     */
    record Raw(String type, String eventId, String text) implements ClientDecoding {
    }

    /**
     * The frame was refused.
     *
     * @param error the error to send, naming the problem and, when it could be read, the client's event id
     */
    record Rejected(ErrorDetail error) implements ClientDecoding {
    }
}
