package dev.switchboard.bridge.realtime;

import java.util.List;

/**
 * How the fake provider behaves on one connection. Called on the connection's Jetty thread, one event at a time,
 * so a script may keep state per connection only if it is made per connection.
 */
interface Script {

    /** The connection opened; the provider greets with {@code session.created}, like the real one. */
    default void onOpen(FakeRealtimeConnection connection) {
        connection.send(GaEvents.sessionCreated(connection.model()));
    }

    /** A client event arrived (already recorded by the connection). */
    void onClientEvent(FakeRealtimeConnection connection, String type, String json);

    /**
     * The GA provider: {@code response.create} is answered with a whole text answer made of {@code deltas},
     * {@code session.update} with {@code session.updated}, and any other type with an {@code error} naming it.
     */
    static Script ga(String... deltas) {
        return (connection, type, json) -> {
            switch (type) {
                case "response.create" -> connection.sendAll(GaEvents.textResponse(
                        "resp_" + connection.nextId(), "item_" + connection.nextId(), List.of(deltas)));
                case "session.update" -> connection.send(GaEvents.sessionUpdated("updated"));
                default -> connection.send(GaEvents.unknownEventError(type));
            }
        };
    }

    /** Records client events and says nothing beyond the greeting. */
    static Script silent() {
        return (connection, type, json) -> { };
    }
}
