package dev.switchboard.broker.resume;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The live sessions that can be resumed, by id, backed by a Caffeine cache with per-entry expiry: a session with a
 * connection never expires; one without expires {@code resumeTtl} after it lost it, and is then told so
 * ({@link Resumable#onExpired()}). Also issues and checks the sessions' resume tokens.
 *
 * <p>Thread-safe. {@link #find} checks the token's signature and tenant before it looks anything up, so a token
 * of another tenant learns nothing about the session it names.
 *
 * @param <S> the session type
 */
public final class SessionStore<S extends Resumable> {
    private static final long NEVER = Long.MAX_VALUE;

    private final Cache<String, S> sessions;
    private final ResumeTokens tokens;
    private final long ttlNanos;
    private final int replayMaxEvents;
    private final long replayMaxBytes;
    private final BlockPool blocks;

    /**
     * @param scheduler runs expiry promptly (Caffeine otherwise expires only on access); {@code null} in tests
     *     that drive {@link #cleanUp()} with a fake ticker
     * @param meters where the cache's statistics are published ({@code broker.sessions.store})
     */
    public SessionStore(ResumeTokens tokens, Duration resumeTtl, int replayMaxEvents, long replayMaxBytes,
                        Ticker ticker, @org.jspecify.annotations.Nullable ScheduledExecutorService scheduler,
                        MeterRegistry meters) {
        this.tokens = tokens;
        this.ttlNanos = resumeTtl.toNanos();
        this.replayMaxEvents = replayMaxEvents;
        this.replayMaxBytes = replayMaxBytes;
        // Up to 64 MiB of idle blocks: what about 4,000 busy sessions turn over between two collections.
        this.blocks = new BlockPool(4096);
        Caffeine<Object, Object> builder = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .recordStats();
        if (scheduler != null) {
            builder.scheduler(Scheduler.forScheduledExecutorService(scheduler));
        }
        this.sessions = builder.expireAfter(new Expiry<String, S>() {
                    @Override
                    public long expireAfterCreate(String id, S session, long now) {
                        return NEVER;
                    }

                    @Override
                    public long expireAfterUpdate(String id, S session, long now, long remaining) {
                        return remaining;
                    }

                    @Override
                    public long expireAfterRead(String id, S session, long now, long remaining) {
                        return remaining;
                    }
                })
                .<String, S>removalListener((id, session, cause) -> {
                    if (cause == RemovalCause.EXPIRED && session != null) {
                        session.onExpired();
                    }
                })
                .build();
        CaffeineCacheMetrics.monitor(meters, sessions, "broker.sessions.store");
    }

    /** A new replay log with the configured bounds. */
    public ReplayLog newLog() {
        return new ReplayLog(replayMaxEvents, replayMaxBytes, blocks);
    }

    /** A resume token for {@code session}. */
    public String tokenFor(S session) {
        return tokens.issue(session.tenantId(), session.id());
    }

    /** Registers {@code session} as connected: it does not expire. Also re-registers one that expired meanwhile. */
    public void attached(S session) {
        sessions.put(session.id(), session);
        sessions.policy().expireVariably().orElseThrow().setExpiresAfter(session.id(), NEVER,
                java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * Holds {@code session}, taken over from another node (issue 17), until its resume attaches: it expires after the
     * resume TTL if that never happens.
     */
    public void adopt(S session) {
        sessions.put(session.id(), session);
        detached(session);
    }

    /** {@code session} lost its connection: it expires after the resume TTL unless a connection attaches. */
    public void detached(S session) {
        sessions.policy().expireVariably().orElseThrow().setExpiresAfter(session.id(), ttlNanos,
                java.util.concurrent.TimeUnit.NANOSECONDS);
        // Changing an entry's expiry through the policy does not re-arm Caffeine's timer by itself; maintenance
        // does, so the session expires on time even if the cache sees no other activity.
        sessions.cleanUp();
    }

    /** {@code session} ended for good (closed normally, or expired): it can no longer be resumed. */
    public void ended(S session) {
        sessions.asMap().remove(session.id(), session);
    }

    /** What a token finds. */
    public sealed interface Lookup<S> {
        /** The token is malformed, forged, or another tenant's. */
        record Invalid<S>() implements Lookup<S> {
        }

        /** The token is genuine but its session is not here: it has ended (or, in a cluster, is on another node). */
        record Expired<S>(String sessionId) implements Lookup<S> {
        }

        /** The session, live. */
        record Found<S>(S session) implements Lookup<S> {
        }
    }

    /** Finds the session {@code token} names, for {@code tenantId}: the tenant check comes first. */
    public Lookup<S> find(String token, String tenantId) {
        Optional<String> id = tokens.verify(token, tenantId);
        if (id.isEmpty()) {
            return new Lookup.Invalid<>();
        }
        S session = sessions.getIfPresent(id.get());
        return session == null ? new Lookup.Expired<>(id.get()) : new Lookup.Found<>(session);
    }

    /**
     * Finds a live session by id for {@code tenantId}, for transports whose stream ids are not signed (SSE
     * {@code Last-Event-ID}): another tenant's session is reported as absent.
     */
    public Optional<S> findById(String id, String tenantId) {
        S session = sessions.getIfPresent(id);
        return session != null && session.tenantId().equals(tenantId) ? Optional.of(session) : Optional.empty();
    }

    /** The live session {@code id}, whatever its tenant (the admin API, which checks the caller's tenant itself). */
    public Optional<S> get(String id) {
        // Through the map view: an operator's look-up is not a resume, so it stays out of the cache's hit statistics.
        return Optional.ofNullable(sessions.asMap().get(id));
    }

    /** Runs {@code action} for every session held (drain). */
    public void forEach(java.util.function.Consumer<S> action) {
        sessions.asMap().values().forEach(action);
    }

    /** Runs pending expiry now (tests with a fake ticker). */
    public void cleanUp() {
        sessions.cleanUp();
    }

    /** Sessions held, connected or not. */
    public long size() {
        return sessions.estimatedSize();
    }
}
