package dev.switchboard.protocol.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An event sent by the client over the Realtime WebSocket.
 *
 * <p>Java 17 has no exhaustive pattern switch, so exhaustiveness is enforced with {@link Visitor}: adding a
 * subtype adds a visitor method and breaks compilation everywhere the event must be handled.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SessionUpdate.class, name = "session.update"),
    @JsonSubTypes.Type(value = ConversationItemCreate.class, name = "conversation.item.create"),
    @JsonSubTypes.Type(value = ResponseCreate.class, name = "response.create"),
    @JsonSubTypes.Type(value = ResponseCancel.class, name = "response.cancel"),
})
public sealed interface ClientEvent
        permits SessionUpdate, ConversationItemCreate, ResponseCreate, ResponseCancel, UnknownClientEvent {

    /** The client-chosen event id, or the empty string when the client sent none. */
    String eventId();

    /** Dispatches to the visitor method for this event's type. */
    <R> R accept(Visitor<R> visitor);

    /**
     * One method per client event type.
     *
     * @param <R> result type
     */
    interface Visitor<R> {
        R onSessionUpdate(SessionUpdate event);

        R onConversationItemCreate(ConversationItemCreate event);

        R onResponseCreate(ResponseCreate event);

        R onResponseCancel(ResponseCancel event);

        R onUnknown(UnknownClientEvent event);
    }
}
