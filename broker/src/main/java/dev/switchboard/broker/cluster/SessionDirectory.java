package dev.switchboard.broker.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.broker.session.Takeover;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Finds a session that is not on this node in the cluster's directory (issue 17) and, when its owner is dead, takes
 * it over: ownership moves here in one atomic step (so two nodes resuming the same session cannot both take it),
 * then its record, state snapshot and mirrored frames are read.
 *
 * <p>Blocking, bounded by {@link #TIMEOUT} per call: used on the Jetty thread that handles a resuming WebSocket
 * upgrade (a pool thread, never a selector), off every streaming path; a resume on another node is rare and already
 * waits for a TCP and WebSocket handshake. Thread-safe.
 */
public final class SessionDirectory {
    /** The longest a look-up waits for Redis. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** Look-ups at most when other nodes keep claiming the session first. */
    private static final int CLAIM_ATTEMPTS = 3;
    /** Moves ownership from the expected owner to this node; returns 1 when it did. */
    private static final String CLAIM = "if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then "
            + "redis.call('HSET', KEYS[1], 'owner', ARGV[2]) return 1 else return 0 end";

    private final ClusterLink link;
    private final ObjectMapper mapper;

    /** A directory over {@code link}, reading snapshots with {@code mapper} (the event codec's). */
    public SessionDirectory(ClusterLink link, ObjectMapper mapper) {
        this.link = link;
        this.mapper = mapper;
    }

    /** What the directory knows of a session. */
    public sealed interface Lookup {
        /** No node holds it: it ended, expired, or was never mirrored. */
        record Absent() implements Lookup {
        }

        /** Another node holds it and is alive. */
        record OwnedBy(String node, String model, String kind) implements Lookup {
        }

        /**
         * This node has taken it over from a dead owner: what it needs to go on.
         *
         * @param model the session's client-facing model
         * @param previousOwner the node it was taken from
         */
        record TakenOver(Takeover takeover, String model, String previousOwner) implements Lookup {
        }

        /** It cannot be resumed here: {@code code} and {@code message} say why (a relayed session, a broken log). */
        record Unresumable(String code, String message) implements Lookup {
        }

        /** Redis did not answer in time. */
        record Unavailable(String message) implements Lookup {
        }
    }

    /**
     * Looks session {@code id} of {@code tenantId} up; takes it over when its owner is dead. A session of another
     * tenant is {@link Lookup.Absent} (the resume token already proved the tenant; this is a second check).
     */
    public Lookup find(String id, String tenantId) {
        return find(id, tenantId, CLAIM_ATTEMPTS);
    }

    private Lookup find(String id, String tenantId, int attempts) {
        try {
            Map<String, String> record = await(link.redis().hgetall(RedisSessionMirror.recordKey(id)));
            if (record.isEmpty() || !tenantId.equals(record.get("tenant")) || !record.containsKey("owner")
                    || record.containsKey("ended")) {
                return new Lookup.Absent();
            }
            String owner = record.get("owner");
            String model = record.getOrDefault("model", "");
            String kind = record.getOrDefault("kind", "bridged");
            // An empty owner: the node handed the session over when it drained (nobody holds it now).
            if (!owner.isEmpty() && !owner.equals(link.nodeId()) && await(link.alive(owner).toCompletableFuture())) {
                return new Lookup.OwnedBy(owner, model, kind);
            }
            if (!"bridged".equals(kind)) {
                return new Lookup.Unresumable("session_lost", "this session was relayed to a Realtime provider by "
                        + "broker node " + owner + ", which was lost; its conversation lived in that provider "
                        + "connection, so it cannot go on elsewhere: start a new session");
            }
            Long claimed = await(link.redis().<Long>eval(CLAIM, ScriptOutputType.INTEGER,
                    new String[] {RedisSessionMirror.recordKey(id)}, owner, link.nodeId()));
            if (claimed == null || claimed != 1L) {
                // Another node took it first (or it ended meanwhile): look again to say where it is.
                return attempts > 1 ? find(id, tenantId, attempts - 1)
                        : new Lookup.Unavailable("the session's ownership kept changing while it was looked up");
            }
            String state = await(link.redis().hget(RedisSessionMirror.recordKey(id), "state"));
            List<StreamMessage<String, String>> entries = await(link.redis().xrange(
                    RedisSessionMirror.logKey(id), Range.create("-", "+")));
            if (state == null || entries.isEmpty()) {
                return new Lookup.Unresumable("resume_position_unavailable", "the lost node's copy of this session "
                        + "is incomplete; start a new session");
            }
            List<Takeover.Frame> frames = new ArrayList<>(entries.size());
            for (StreamMessage<String, String> entry : entries) {
                String entryId = entry.getId();
                if (!entry.getBody().containsKey("f")) {
                    continue;
                }
                frames.add(new Takeover.Frame(Long.parseLong(entryId.substring(0, entryId.indexOf('-'))),
                        entry.getBody().get("f")));
            }
            try {
                return new Lookup.TakenOver(Takeover.of(mapper, id, state, frames), model, owner);
            } catch (IllegalArgumentException e) {
                return new Lookup.Unresumable("resume_position_unavailable", "the lost node's copy of this session "
                        + "cannot be resumed (" + e.getMessage() + "); start a new session");
            }
        } catch (TimeoutException | ExecutionException e) {
            return new Lookup.Unavailable("the cluster store did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Lookup.Unavailable("interrupted");
        }
    }

    private static <T> T await(java.util.concurrent.Future<T> reply)
            throws ExecutionException, InterruptedException, TimeoutException {
        return reply.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
