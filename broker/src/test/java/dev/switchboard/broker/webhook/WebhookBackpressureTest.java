package dev.switchboard.broker.webhook;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.config.Webhooks;
import dev.switchboard.broker.metrics.OperatorLog;
import dev.switchboard.broker.notice.Notice;
import dev.switchboard.broker.notice.Notices;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of notices against a receiver that never answers: publish keeps returning, what does not fit the queue or
 * the outbox is dropped and counted, and nothing grows past its bound.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class WebhookBackpressureTest {
    @TempDir
    Path outbox;

    @Test
    void a_flood_against_a_stalled_receiver_is_bounded_counted_and_never_blocks_publish() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Receiver stalled = new Receiver((id, attempt) -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Receiver.Answer.of(200);
        })) {
            Webhooks config = new ConfigLoader(Map.of("S", "whsec_" + "A".repeat(32))::get).parse("""
                    webhooks:
                      allow_private_targets: true
                      outbox_dir: %s
                      queue_capacity: 16
                      max_pending: 8
                      timeout: 1m
                      endpoints:
                        - {url: "%s", secret: "${S}", events: [provider.circuit_opened]}
                    """.formatted(outbox, stalled.url())).webhooks();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            WebhookNotices webhooks = WebhookNotices.start(config, registry, new OperatorLog(Duration.ofSeconds(10),
                    System::nanoTime, Runnable::run), InstantSource.system(), Notices.NONE).orElseThrow();
            try {
                for (int i = 0; i < 20_000; i++) {
                    webhooks.publish(new Notice.CircuitChanged(Instant.now(), "p" + i, "closed", "open", "test"));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> count(registry, "queue_full")
                        + count(registry, "outbox_full") + gauge(registry) == 20_000);
                assertTrue(count(registry, "queue_full") > 0, "the queue of 16 overflowed");
                assertEquals(8, gauge(registry), "the outbox holds max_pending messages");
                try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(outbox)) {
                    assertEquals(8, files.count());
                }
            } finally {
                release.countDown();
                webhooks.close();
            }
        }
    }

    private static double count(SimpleMeterRegistry registry, String reason) {
        return registry.find("broker.webhooks.dropped").tag("reason", reason).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static double gauge(SimpleMeterRegistry registry) {
        return registry.get("broker.webhooks.outbox.size").gauge().value();
    }
}
