package dev.switchboard.broker.session;

import dev.switchboard.broker.route.Provider;
import dev.switchboard.broker.route.Route;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.tenant.Principal;
import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.codec.EventCodec;
import java.util.function.Function;

/**
 * The one place a provider kind becomes a session kind: a route to SSE providers gets a {@link RealtimeSession}
 * whose client frames are decoded strictly; a route to a Realtime WebSocket provider gets a {@link RelaySession}
 * whose frames are checked in one pass and forwarded unchanged. Stateless; any thread.
 */
public final class SessionFactory {

    /**
     * A new session and the decoder for its client frames.
     *
     * @param session not started: the transport attaches a connection to start it
     * @param decoder turns one client text frame into what the session's ring receives
     */
    public record Created(BrokerSession session, Function<String, ClientDecoding> decoder) {
    }

    private SessionFactory() {
    }

    /** Creates the session {@code route}'s provider kind calls for, pinned to {@code shard}. */
    public static Created create(Principal principal, Route route, Shard shard, SessionContext context) {
        BrokerSession session = relayed(route) ? new RelaySession(principal, route, shard, context)
                : new RealtimeSession(principal, route, shard, context);
        return new Created(session, decoder(route, context.codec()));
    }

    /** The decoder for client frames of a session on {@code route} (also for a connection that resumes one). */
    public static Function<String, ClientDecoding> decoder(Route route, EventCodec codec) {
        return relayed(route) ? codec::peekClient : codec::decodeClient;
    }

    /** The decoder for client frames of a connection that resumes {@code session}. */
    public static Function<String, ClientDecoding> decoder(BrokerSession session, EventCodec codec) {
        return session instanceof RelaySession ? codec::peekClient : codec::decodeClient;
    }

    /** Whether sessions on {@code route} are relayed to a Realtime WebSocket provider. */
    public static boolean relayed(Route route) {
        return route.primary().provider().kind() instanceof Provider.Kind.Relayed;
    }
}
