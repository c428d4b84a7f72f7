package dev.switchboard.bridge.realtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.awaitility.core.ConditionTimeoutException;

/** Shared settings and helpers for the Realtime relay tests. */
final class RealtimeFixtures {
    /** The broker's provider key; no outcome may ever contain it. */
    static final String SECRET = "sk-realtime-secret-4711";
    static final String MODEL = "gpt-realtime";
    /** The longest any test waits for one thing to happen. */
    static final Duration WAIT = Duration.ofSeconds(10);
    /** How long "nothing more arrives" is watched, after the provider has sent everything. */
    static final Duration QUIET = Duration.ofMillis(300);
    /** Deadlines generous enough never to fire in tests that are not about them. */
    static final RealtimeConfig.Timeouts RELAXED =
            new RealtimeConfig.Timeouts(Duration.ofSeconds(5), WAIT, Duration.ofMinutes(1));

    private RealtimeFixtures() {
    }

    /** A provider at {@code baseUri} keyed with {@link #SECRET}, default limits. */
    static RealtimeConfig config(URI baseUri) {
        return new RealtimeConfig("openai-realtime", baseUri, Optional.of(SECRET), RELAXED,
                RealtimeConfig.Limits.defaults());
    }

    /** The raw JSON of the relayed events accepted so far, in order. */
    static List<String> relayedJson(RecordingListener listener) {
        return listener.events().stream().filter(UpstreamEvent.Relayed.class::isInstance)
                .map(event -> ((UpstreamEvent.Relayed) event).json()).toList();
    }

    /** The types of the relayed events accepted so far, in order. */
    static List<String> relayedTypes(RecordingListener listener) {
        return listener.events().stream().filter(UpstreamEvent.Relayed.class::isInstance)
                .map(event -> ((UpstreamEvent.Relayed) event).type()).toList();
    }

    /** Waits until {@code count} relayed events were accepted. */
    static void awaitRelayed(RecordingListener listener, int count) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> relayedJson(listener).size() >= count);
    }

    /** Asserts that the outcome, its message and its rendering never contain the provider key. */
    static UpstreamOutcome.Failed assertNoSecret(UpstreamOutcome.Failed failed) {
        assertFalse(failed.message().contains(SECRET), () -> "the key leaked into: " + failed.message());
        assertFalse(failed.toString().contains(SECRET), () -> "the key leaked into: " + failed);
        return failed;
    }

    /** Asserts that {@code value} stays at {@code expected} for {@link #QUIET}. */
    static void assertStaysAt(int expected, IntSupplier value) {
        try {
            await().during(QUIET).atMost(QUIET.plus(WAIT)).pollInterval(Duration.ofMillis(20))
                    .until(() -> value.getAsInt() == expected);
        } catch (ConditionTimeoutException e) {
            fail("expected to stay at " + expected + " but is " + value.getAsInt(), e);
        }
    }
}
