package dev.switchboard.protocol.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An event the broker sends to the client. Records carry the payload only; the codec adds {@code event_id}
 * and the {@code seq} extension on the wire.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ErrorEvent.class, name = "error"),
    @JsonSubTypes.Type(value = SessionCreated.class, name = "session.created"),
    @JsonSubTypes.Type(value = SessionUpdated.class, name = "session.updated"),
    @JsonSubTypes.Type(value = ConversationItemAdded.class, name = "conversation.item.added"),
    @JsonSubTypes.Type(value = ConversationItemDone.class, name = "conversation.item.done"),
    @JsonSubTypes.Type(value = ResponseCreated.class, name = "response.created"),
    @JsonSubTypes.Type(value = ResponseOutputItemAdded.class, name = "response.output_item.added"),
    @JsonSubTypes.Type(value = ResponseContentPartAdded.class, name = "response.content_part.added"),
    @JsonSubTypes.Type(value = ResponseOutputTextDelta.class, name = "response.output_text.delta"),
    @JsonSubTypes.Type(value = ResponseOutputTextDone.class, name = "response.output_text.done"),
    @JsonSubTypes.Type(value = ResponseFunctionCallArgumentsDelta.class,
            name = "response.function_call_arguments.delta"),
    @JsonSubTypes.Type(value = ResponseFunctionCallArgumentsDone.class,
            name = "response.function_call_arguments.done"),
    @JsonSubTypes.Type(value = ResponseContentPartDone.class, name = "response.content_part.done"),
    @JsonSubTypes.Type(value = ResponseOutputItemDone.class, name = "response.output_item.done"),
    @JsonSubTypes.Type(value = ResponseDone.class, name = "response.done"),
    @JsonSubTypes.Type(value = ResponseFailover.class, name = "switchboard.response.failover"),
    @JsonSubTypes.Type(value = SessionResumed.class, name = "session.resumed"),
    @JsonSubTypes.Type(value = SessionReconnect.class, name = "switchboard.reconnect"),
    @JsonSubTypes.Type(value = RateLimitsUpdated.class, name = "rate_limits.updated"),
})
public sealed interface ServerEvent
        permits ErrorEvent, SessionCreated, SessionUpdated, ConversationItemAdded, ConversationItemDone,
        ResponseCreated, ResponseOutputItemAdded, ResponseContentPartAdded, ResponseOutputTextDelta,
        ResponseOutputTextDone, ResponseFunctionCallArgumentsDelta, ResponseFunctionCallArgumentsDone,
        ResponseContentPartDone, ResponseOutputItemDone, ResponseDone, ResponseFailover,
        SessionResumed, SessionReconnect, RateLimitsUpdated, UnknownServerEvent {

    /**
     * Whether this event is a streamed delta: the high-volume events that cancel and barge-in discard when they
     * belong to a response that has already ended.
     */
    default boolean streamedDelta() {
        return false;
    }
}
