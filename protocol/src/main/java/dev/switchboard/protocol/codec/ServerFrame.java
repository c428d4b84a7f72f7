package dev.switchboard.protocol.codec;

import dev.switchboard.protocol.event.ServerEvent;

/**
 * A server event as a client reads it off the wire, with the Switchboard envelope fields.
 *
 * @param type the wire type
 * @param eventId the server event id, or empty
 * @param seq the {@code seq} extension, or {@code -1} for connection-level events outside the seq stream
 * @param event the decoded event ({@link dev.switchboard.protocol.event.UnknownServerEvent} for unmodelled types)
 */
public record ServerFrame(String type, String eventId, long seq, ServerEvent event) {
}
