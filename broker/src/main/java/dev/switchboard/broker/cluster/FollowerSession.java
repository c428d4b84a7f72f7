package dev.switchboard.broker.cluster;

import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.broker.session.BrokerSession;
import dev.switchboard.broker.session.ClientChannel;
import dev.switchboard.broker.session.SessionContext;
import dev.switchboard.broker.session.SessionSignal;
import dev.switchboard.broker.session.SessionSummary;
import dev.switchboard.broker.session.Takeover;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.stream.UpstreamSource;
import dev.switchboard.broker.tenant.Principal;
import dev.switchboard.broker.tenant.Tenant;
import dev.switchboard.protocol.close.CloseReason;
import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.ErrorEvent;
import dev.switchboard.protocol.event.ServerEvent;
import dev.switchboard.protocol.event.SessionReconnect;
import dev.switchboard.protocol.event.SessionResumed;
import java.time.Instant;
import java.util.Optional;

/**
 * A client connection on this node to a session another, live node owns (issue 17): the owner keeps the session
 * and its upstream; this node serves the client from the session's mirrored stream ({@link StreamTail}) and forwards
 * the client's frames (cancel, new items, responses, audio) to the owner ({@link ClusterInbox}), which stops writing
 * to any connection of its own. When the owner closes the client (an administrator, a limit) the close comes
 * through the stream after the last frame; when the owner hands the session over (drain) or is lost, the client is
 * told {@code switchboard.reconnect} and closed with 1012, and its resume then takes the session over.
 *
 * <p>Confined to its shard's thread, like every session; the tail and the inbox reach it through its ring.
 */
public final class FollowerSession implements BrokerSession {
    private final String id;
    private final Principal principal;
    private final String model;
    private final String owner;
    /** This follower's id: one client connection here; the owner's messages and closes name it. */
    private final String followerId = java.util.UUID.randomUUID().toString();
    private final Shard shard;
    private final SessionContext context;
    private final ClusterInbox inbox;
    private final StreamTail tail;
    private final Instant startedAt;
    private ClientChannel channel;
    private long sentSeq;
    private long connectionEvents;
    /** Whether the client has room for more frames: the tail reads for this session only while it has. */
    private volatile boolean wantsMore = true;

    FollowerSession(String id, Principal principal, String model, String owner, Shard shard, SessionContext context,
                    ClusterInbox inbox, StreamTail tail) {
        this.id = id;
        this.principal = principal;
        this.model = model;
        this.owner = owner;
        this.shard = shard;
        this.context = context;
        this.inbox = inbox;
        this.tail = tail;
        this.startedAt = context.clock().instant();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String tenantId() {
        return principal.tenant().id();
    }

    @Override
    public Shard shard() {
        return shard;
    }

    @Override
    public Tenant tenant() {
        return principal.tenant();
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public Principal principal() {
        return principal;
    }

    /** The node that owns the session. */
    String owner() {
        return owner;
    }

    /** This follower's id (one client connection on this node). */
    String followerId() {
        return followerId;
    }

    /** Whether the tail should read more for this session. Any thread. */
    boolean wantsMore() {
        return wantsMore;
    }

    @Override
    public SessionSummary summary() {
        return new SessionSummary(id, tenantId(), principal.keyId(), model, Optional.of("websocket"),
                channel != null, startedAt, 0, 0);
    }

    // ---- ring input (shard thread) ----

    @Override
    public void onClientFrame(ClientDecoding frame, long receivedNanos) {
        if (frame instanceof ClientDecoding.Raw raw) {
            inbox.forward(owner, id, followerId, raw.text());
        } else if (frame instanceof ClientDecoding.Decoded decoded) {
            inbox.forward(owner, id, followerId, context.codec().encodeClient(decoded.event()));
        } else if (channel != null) {
            // Refused here as the owner would refuse it; an error of the connection, outside the session's seq.
            send(new ErrorEvent(((ClientDecoding.Rejected) frame).error()));
        }
    }

    @Override
    public void onUpstreamEvent(UpstreamSource source, UpstreamEvent event) {
        // A follower has no upstream: the owner's comes through the mirrored stream.
    }

    @Override
    public void onSignal(SessionSignal signal) {
        signal.dispatch(signals);
    }

    private final SessionSignal.Handler signals = new SessionSignal.Handler() {
        @Override
        public void onOpened(SessionSignal.Opened signal) {
            signal.channel().close(CloseReason.INTERNAL_ERROR, "a followed session cannot be opened");
        }

        @Override
        public void onClosed(SessionSignal.Closed signal) {
            if (signal.channel() == channel) {
                channel = null;
                tail.unfollow(FollowerSession.this);
                inbox.unfollowed(FollowerSession.this);
                inbox.detach(owner, id, followerId, signal.channel().keepsSessionOnClose());
                context.metrics().connectionDetached();
            }
        }

        @Override
        public void onResumed(SessionSignal.Resumed signal) {
            channel = signal.request().channel();
            sentSeq = signal.request().lastSeq();
            context.metrics().sessionResumed();
            context.metrics().connectionAttached();
            send(new SessionResumed(id, context.store().tokenFor(FollowerSession.this), sentSeq, sentSeq + 1));
            inbox.followed(FollowerSession.this);
            inbox.attach(owner, id, followerId, sentSeq);
            tail.follow(FollowerSession.this, sentSeq);
        }

        @Override
        public void onFollowed(SessionSignal.Followed signal) {
            if (channel == null) {
                return;
            }
            for (Takeover.Frame frame : signal.frames()) {
                if (frame.seq() <= sentSeq) {
                    continue;
                }
                if (frame.seq() != sentSeq + 1) {
                    send(new ErrorEvent(ErrorDetail.invalidRequest("resume_position_unavailable", "the events after "
                            + "seq " + sentSeq + " are no longer held; start a new session", "")));
                    close(CloseReason.RESUME_FAILED, "resume_position_unavailable");
                    return;
                }
                channel.trySend(frame.text());
                sentSeq = frame.seq();
            }
            if (signal.closeCode() == CloseReason.SERVICE_RESTART.wireCode()) {
                send(new SessionReconnect(CloseReason.SERVICE_RESTART.errorCode(),
                        context.store().tokenFor(FollowerSession.this), sentSeq));
                close(CloseReason.SERVICE_RESTART, signal.closeReason());
            } else if (signal.closeCode() != 0) {
                close(reasonFor(signal.closeCode()), signal.closeReason());
            }
        }

        @Override
        public void onDrain(SessionSignal.Drain signal) {
            if (channel != null) {
                send(new SessionReconnect(CloseReason.SERVICE_RESTART.errorCode(),
                        context.store().tokenFor(FollowerSession.this), sentSeq));
                close(CloseReason.SERVICE_RESTART, "the broker is restarting: reconnect and resume");
            }
        }

        @Override
        public void onEnd(SessionSignal.End signal) {
            signal.done().run();
        }

        @Override
        public void onCatchUp(SessionSignal.CatchUp signal) {
        }

        @Override
        public void onExpired(SessionSignal.Expired signal) {
        }

        @Override
        public void onRetryDue(SessionSignal.RetryDue signal) {
        }

        @Override
        public void onLimitDue(SessionSignal.LimitDue signal) {
        }

        @Override
        public void onMirrored(SessionSignal.Mirrored signal) {
        }

        @Override
        public void onVerdictDue(SessionSignal.VerdictDue signal) {
            // Guardrails decide at the owner, which runs the responses.
        }
    };

    private void send(ServerEvent event) {
        channel.trySend(context.codec().encodeServer(event, "event_f" + (++connectionEvents), -1));
    }

    private void close(CloseReason reason, String message) {
        ClientChannel current = channel;
        if (current != null) {
            current.close(reason, message);
        }
    }

    private static CloseReason reasonFor(int wireCode) {
        for (CloseReason reason : CloseReason.values()) {
            if (reason.wireCode() == wireCode) {
                return reason;
            }
        }
        return CloseReason.INTERNAL_ERROR;
    }

    // ---- flow control (any thread) ----

    @Override
    public void onHighWatermark(ClientChannel source) {
        wantsMore = false;
    }

    @Override
    public void onLowWatermark(ClientChannel source) {
        wantsMore = true;
        tail.wake();
    }

    @Override
    public void onExpired() {
        // Never in the store: nothing expires it.
    }
}
