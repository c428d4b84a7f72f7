package dev.switchboard.broker.config;

import static dev.switchboard.broker.config.BrokerConfig.or;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * More than one broker (issue 17): where shared state lives, this node's name, and how a dead node is noticed. The
 * embedded default is {@code local}: every piece of state in this process, as a single broker has always kept it.
 * See {@code docs/scale-out.md}.
 *
 * @param store where limits, budgets, session directories and replay logs live
 * @param nodeId this node's name in the cluster (a random id per process when left out)
 * @param heartbeat how often this node says it is alive; a node silent for three heartbeats is dead
 */
public record Cluster(Store store, String nodeId, Duration heartbeat) {
    /** The heartbeat when the file leaves it out. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);

    /** A node silent for this many heartbeats is dead. */
    public static final int MISSED_HEARTBEATS = 3;

    /** One node, all state local: the default. */
    public static Cluster local() {
        return new Cluster(Store.LOCAL, randomNodeId(), DEFAULT_HEARTBEAT);
    }

    /** Whether state is shared through Redis. */
    public boolean shared() {
        return store.redis().isPresent();
    }

    /** How long a node may stay silent before it counts as dead. */
    public Duration deadAfter() {
        return heartbeat.multipliedBy(MISSED_HEARTBEATS);
    }

    @JsonCreator
    static Cluster bind(@JsonProperty("store") @Nullable Store store,
                        @JsonProperty("node_id") @Nullable String nodeId,
                        @JsonProperty("heartbeat") @Nullable Duration heartbeat) {
        ConfigRule.require(nodeId == null || nodeId.matches("[A-Za-z0-9._-]{1,64}"), "node_id",
                "must be 1 to 64 letters, digits, '.', '_' or '-'");
        ConfigRule.require(heartbeat == null || (!heartbeat.isNegative() && heartbeat.toMillis() >= 100
                && heartbeat.compareTo(Duration.ofMinutes(1)) <= 0), "heartbeat", "must be between 100ms and 1m");
        return new Cluster(or(store, Store.LOCAL), nodeId == null || nodeId.isBlank() ? randomNodeId() : nodeId,
                or(heartbeat, DEFAULT_HEARTBEAT));
    }

    /**
     * This process's node id when the file names none: random, but one per process, so that loading the same file
     * twice (a reload, the configuration's version) gives the same settings.
     */
    private static final String PROCESS_NODE_ID = "node-" + UUID.randomUUID().toString().substring(0, 8);

    private static String randomNodeId() {
        return PROCESS_NODE_ID;
    }

    /**
     * The shared store.
     *
     * @param redis the Redis server's URI ({@code redis://}, {@code rediss://} or {@code redis+tls://}, with
     *     {@code user:password@} and {@code /db} as Redis URIs allow), when the kind is {@code redis}
     */
    public record Store(Optional<URI> redis) {
        /** Everything in this process. */
        public static final Store LOCAL = new Store(Optional.empty());

        @JsonCreator
        static Store bind(@JsonProperty("kind") @Nullable String kind, @JsonProperty("uri") @Nullable String uri) {
            String k = or(kind, "local");
            ConfigRule.require("local".equals(k) || "redis".equals(k), "kind", "must be local or redis");
            if ("local".equals(k)) {
                ConfigRule.require(uri == null, "uri", "applies only to kind: redis");
                return LOCAL;
            }
            ConfigRule.require(uri != null && !uri.isBlank(), "uri",
                    "is required for kind: redis (e.g. redis://127.0.0.1:6379)");
            URI parsed;
            try {
                parsed = new URI(uri.startsWith("redis+tls://") ? "rediss://" + uri.substring(12) : uri);
            } catch (URISyntaxException e) {
                throw ConfigRule.of("uri", "is not a valid URI");
            }
            ConfigRule.require(("redis".equals(parsed.getScheme()) || "rediss".equals(parsed.getScheme()))
                    && parsed.getHost() != null, "uri", "must be a redis://, rediss:// or redis+tls:// URI with a host");
            return new Store(Optional.of(parsed));
        }
    }
}
