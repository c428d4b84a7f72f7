package dev.switchboard.broker.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.RedisServer;
import dev.switchboard.broker.config.Cluster;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ClusterLinkTest {
    private RedisServer redis;

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopRedis() throws Exception {
        redis.close();
    }

    private Cluster cluster(String node, Duration heartbeat) {
        return new Cluster(new Cluster.Store(Optional.of(redis.uri())), node, heartbeat);
    }

    @Test
    void a_local_store_opens_no_link() {
        assertTrue(ClusterLink.start(Cluster.local()).isEmpty());
    }

    @Test
    void a_node_sees_another_alive_while_it_beats_and_dead_once_it_leaves() throws Exception {
        try (ClusterLink a = ClusterLink.start(cluster("a", Duration.ofMillis(200))).orElseThrow();
             ClusterLink b = ClusterLink.start(cluster("b", Duration.ofMillis(200))).orElseThrow()) {
            assertTrue(a.alive("b").toCompletableFuture().get(5, TimeUnit.SECONDS));
            assertFalse(a.alive("nobody").toCompletableFuture().get(5, TimeUnit.SECONDS));
            b.close();
            assertFalse(a.alive("b").toCompletableFuture().get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void a_node_that_stops_beating_is_dead_after_three_heartbeats() throws Exception {
        try (ClusterLink a = ClusterLink.start(cluster("a", Duration.ofMillis(200))).orElseThrow()) {
            ClusterLink b = ClusterLink.start(cluster("b", Duration.ofMillis(200))).orElseThrow();
            // Stop b's heartbeat without its clean leave: as a killed process would.
            b.scheduler().shutdownNow();
            assertTrue(redis.command("PTTL sb:node:b").matches(":\\d+"), "the heartbeat key has an expiry");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !a.alive("b").toCompletableFuture().get(5, TimeUnit.SECONDS));
            b.close();
        }
    }

    @Test
    void an_unreachable_redis_at_start_is_a_clear_error() throws Exception {
        redis.stop();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ClusterLink.start(new Cluster(
                new Cluster.Store(Optional.of(URI.create("redis://127.0.0.1:" + redis.port()))), "a",
                Duration.ofSeconds(1))));
        assertTrue(e.getMessage().contains("cluster.store.uri: cannot reach Redis at 127.0.0.1:" + redis.port()),
                e.getMessage());
    }
}
