package dev.switchboard.broker.route;

import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamConnector;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamListener;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.protocol.close.CloseReason;
import java.util.Optional;

/**
 * The SSE connector of a Realtime WebSocket provider: it refuses every stream. Configuration keeps routes from
 * mixing provider kinds, so no session reaches it; it exists so a misrouted request fails as a value, not a
 * null dereference.
 */
public final class RealtimeOnly implements UpstreamConnector {
    private final String provider;

    /** For provider {@code provider}. */
    public RealtimeOnly(String provider) {
        this.provider = provider;
    }

    @Override
    public String provider() {
        return provider;
    }

    @Override
    public Upstream open(UpstreamRequest request, UpstreamListener listener) {
        listener.tryDeliver(new UpstreamEvent.End(new UpstreamOutcome.Failed(CloseReason.UPSTREAM_REJECTED,
                "provider " + provider + " serves Realtime WebSocket sessions only", Optional.empty())));
        return new Upstream() {
            @Override
            public void pause() {
            }

            @Override
            public void retryDelivery() {
            }

            @Override
            public void resume() {
            }

            @Override
            public void cancel() {
            }
        };
    }

    @Override
    public void close() {
    }
}
