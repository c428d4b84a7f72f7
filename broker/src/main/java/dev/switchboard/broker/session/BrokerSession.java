package dev.switchboard.broker.session;

import dev.switchboard.broker.resume.Resumable;
import dev.switchboard.broker.stream.RingSubscriber;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.tenant.Principal;
import dev.switchboard.broker.tenant.Tenant;

/**
 * A session as the transports see it: fed through its shard's ring, flow-controlled by its connection, and
 * resumable. Implemented by {@link RealtimeSession} (the broker runs the Realtime protocol over SSE providers)
 * and {@link RelaySession} (the broker relays to a Realtime WebSocket provider).
 */
public interface BrokerSession extends RingSubscriber<SessionSignal>, FlowControl, Resumable {

    /** The shard the session is pinned to. */
    Shard shard();

    /** The tenant that owns the session. */
    Tenant tenant();

    /** The client-facing model. */
    String model();

    /** Who opened the session: its tenant and the key it used (a key id and digest, never the key itself). */
    Principal principal();
    /** A snapshot for the admin API; any thread, never touches shard-confined state. */
    SessionSummary summary();

    /**
     * Whether a drain must wait for this session to be handed over to another node (a cluster session that can move
     * and has not moved yet, issue 17). Any thread; a stale answer only makes the drain look once more.
     */
    default boolean awaitsHandOver() {
        return false;
    }
}
