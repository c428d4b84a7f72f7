package dev.switchboard.bridge.realtime;

import static dev.switchboard.bridge.realtime.RealtimeFixtures.MODEL;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.WAIT;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.assertStaysAt;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.awaitRelayed;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.config;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.relayedJson;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.protocol.close.CloseReason;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Demand on the way down: a refused event stops reading until {@code retryDelivery()}, {@code pause()} stops it
 * until {@code resume()}, and nothing is lost, duplicated or reordered either way.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayBackpressureTest {
    private FakeRealtimeServer provider;
    private RealtimeConnector connector;
    private final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void start() throws Exception {
        provider = FakeRealtimeServer.start();
        connector = RealtimeConnector.start(config(provider.httpBaseUri()));
    }

    @AfterEach
    void stop() throws Exception {
        connector.close();
        provider.close();
    }

    private static String[] numbered(int count) {
        return IntStream.range(0, count).mapToObj(i -> "t" + i + " ").toArray(String[]::new);
    }

    /** Opens a relay, asks for a response of {@code deltas} deltas and waits until the provider has sent it all. */
    private FakeRealtimeConnection respondWith(RelayUpstream relay, int deltas) throws InterruptedException {
        FakeRealtimeConnection connection = provider.takeConnection(WAIT);
        assertTrue(relay.trySend(GaEvents.responseCreate()));
        await().atMost(WAIT).until(() -> connection.sent().size() == 1 + deltas + 7);
        return connection;
    }

    @Test
    void a_refused_event_stops_delivery_until_retry_then_the_rest_arrives_in_order_exactly_once() throws Exception {
        provider.script(Script.ga(numbered(20)));
        listener.refuseAt(3);
        RelayUpstream relay = connector.open(MODEL, listener);
        FakeRealtimeConnection connection = respondWith(relay, 20);

        await().atMost(WAIT).until(() -> listener.offers() >= 3);
        assertStaysAt(3, listener::offers);
        assertEquals(2, listener.size());

        // Retrying while the listener still refuses re-offers the same event once, and nothing else.
        relay.retryDelivery();
        await().atMost(WAIT).until(() -> listener.offers() == 4);
        assertStaysAt(4, listener::offers);

        listener.stopRefusing();
        relay.retryDelivery();

        awaitRelayed(listener, 28);
        assertEquals(connection.sent(), relayedJson(listener));
        listener.assertNotEnded();
        listener.assertContractHeld();
    }

    @Test
    void thousands_of_events_with_refusals_and_retries_from_another_thread_arrive_complete_and_in_order()
            throws Exception {
        int deltas = 5_000;
        provider.script(Script.ga(numbered(deltas)));
        try (FlakyListener flaky = new FlakyListener(7)) {
            RelayUpstream relay = connector.open(MODEL, flaky);
            flaky.retrying(relay);
            FakeRealtimeConnection connection = respondWith(relay, deltas);

            await().atMost(WAIT.multipliedBy(3)).until(() -> flaky.accepted().size() == connection.sent().size());

            assertEquals(connection.sent(), flaky.accepted());
            assertTrue(flaky.refusals() > deltas / 8, () -> "refused only " + flaky.refusals());
            flaky.assertNoViolations();
        }
    }

    @Test
    void a_pause_from_the_listener_stops_delivery_exactly_there_and_resume_delivers_the_rest() throws Exception {
        provider.script(Script.ga(numbered(30)));
        AtomicReference<RelayUpstream> relay = new AtomicReference<>();
        listener.afterAccepting(5, () -> relay.get().pause());
        relay.set(connector.open(MODEL, listener));
        FakeRealtimeConnection connection = respondWith(relay.get(), 30);

        await().atMost(WAIT).until(() -> listener.offers() >= 5);
        assertStaysAt(5, listener::offers);

        relay.get().resume();

        awaitRelayed(listener, 38);
        assertEquals(connection.sent(), relayedJson(listener));
    }

    @Test
    void a_refused_end_is_offered_again_on_retry() throws Exception {
        provider.script((connection, type, json) -> connection.close(1011, "going away"));
        listener.refuseAt(2);
        RelayUpstream relay = connector.open(MODEL, listener);
        provider.takeConnection(WAIT);
        awaitRelayed(listener, 1);
        relay.trySend(GaEvents.responseCreate());

        await().atMost(WAIT).until(() -> listener.offers() >= 2);
        assertStaysAt(2, listener::offers);
        listener.assertNotEnded();

        listener.stopRefusing();
        relay.retryDelivery();

        UpstreamOutcome.Failed failed = listener.awaitFailure(WAIT);
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertEquals(2, listener.size());
    }

    @Test
    void a_slow_listener_never_receives_more_than_it_accepted_while_the_provider_floods() throws Exception {
        provider.script(Script.ga(numbered(2_000)));
        listener.refuseAt(10);
        RelayUpstream relay = connector.open(MODEL, listener);
        FakeRealtimeConnection connection = respondWith(relay, 2_000);

        // However much the provider sent, the relay holds one event and reads nothing more.
        await().atMost(WAIT).until(() -> listener.offers() >= 10);
        assertStaysAt(10, listener::offers);

        listener.stopRefusing();
        relay.retryDelivery();
        await().atMost(WAIT).until(() -> listener.size() == connection.sent().size());
        assertEquals(connection.sent(), relayedJson(listener));
    }

    @Test
    void resume_without_a_pause_and_retry_without_a_refusal_change_nothing() throws Exception {
        provider.script(Script.ga(numbered(10)));
        RelayUpstream relay = connector.open(MODEL, listener);
        relay.resume();
        relay.retryDelivery();
        FakeRealtimeConnection connection = respondWith(relay, 10);
        relay.resume();
        relay.retryDelivery();

        awaitRelayed(listener, 18);
        assertEquals(connection.sent(), relayedJson(listener));
        assertStaysAt(18, listener::offers);
    }

    @Test
    void demand_is_per_relay_so_a_stalled_listener_does_not_hold_up_another_relay() throws Exception {
        provider.script(Script.ga(numbered(50)));
        listener.refuseAt(1);
        connector.open(MODEL, listener);
        provider.takeConnection(WAIT);
        RecordingListener other = new RecordingListener();
        RelayUpstream otherRelay = connector.open(MODEL, other);
        FakeRealtimeConnection otherConnection = provider.takeConnection(WAIT);
        await().atMost(WAIT).until(() -> other.size() >= 1);

        otherRelay.trySend(GaEvents.responseCreate());

        await().atMost(WAIT).until(() -> other.size() == 58);
        assertEquals(otherConnection.sent(), relayedJson(other));
        assertEquals(0, listener.size());
    }
}
