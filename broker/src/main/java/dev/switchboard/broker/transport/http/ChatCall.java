package dev.switchboard.broker.transport.http;

import dev.switchboard.protocol.event.ClientEvent;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.ConversationItemCreate;
import dev.switchboard.protocol.event.ResponseCreate;
import dev.switchboard.protocol.event.ResponseParams;
import dev.switchboard.protocol.event.SessionConfig;
import dev.switchboard.protocol.event.SessionUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A validated chat-completions request, already in Realtime terms. Immutable.
 *
 * @param model the client-facing model name
 * @param stream whether the answer is streamed as server-sent events
 * @param includeUsage {@code stream_options.include_usage}: end the stream with a usage chunk
 * @param session the {@code session.update} patch (instructions, tools, tool choice), when there is one
 * @param items the conversation, one item per message or tool call, oldest first
 * @param response the {@code response.create} parameters (metadata, output cap, {@code upstream_params})
 */
record ChatCall(String model, boolean stream, boolean includeUsage, Optional<SessionConfig> session,
                List<ConversationItem> items, ResponseParams response) {

    ChatCall {
        items = List.copyOf(items);
    }

    /** The Realtime client events that replay this request into a fresh session, in publication order. */
    List<ClientEvent> events() {
        List<ClientEvent> events = new ArrayList<>(items.size() + 2);
        session.ifPresent(patch -> events.add(new SessionUpdate("", patch)));
        for (ConversationItem item : items) {
            events.add(new ConversationItemCreate("", Optional.empty(), item));
        }
        events.add(new ResponseCreate("", response));
        return events;
    }
}
