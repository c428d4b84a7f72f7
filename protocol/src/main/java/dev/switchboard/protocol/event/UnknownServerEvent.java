package dev.switchboard.protocol.event;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A server event of a type we do not model, relayed from a Realtime upstream untouched. The codec writes
 * {@code raw} as it is (plus {@code seq}).
 *
 * @param type the wire type
 * @param raw the whole event; callers must not mutate it
 */
public record UnknownServerEvent(String type, ObjectNode raw) implements ServerEvent {
    public UnknownServerEvent {
        type = Defaults.require(type, "type");
        raw = raw.deepCopy();
    }
}
