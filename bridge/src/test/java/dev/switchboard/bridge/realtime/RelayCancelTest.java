package dev.switchboard.bridge.realtime;

import static dev.switchboard.bridge.realtime.RealtimeFixtures.MODEL;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.WAIT;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.assertStaysAt;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.awaitRelayed;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.config;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** {@code cancel()}: the provider WebSocket is closed with 1000 and exactly one End(Cancelled) ends the relay. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayCancelTest {
    private static final UpstreamOutcome CANCELLED = new UpstreamOutcome.Cancelled();
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

    @Test
    void cancel_ends_the_relay_as_cancelled_and_the_provider_sees_a_normal_close() throws Exception {
        RelayUpstream relay = connector.open(MODEL, listener);
        FakeRealtimeConnection connection = provider.takeConnection(WAIT);
        awaitRelayed(listener, 1);

        relay.cancel();

        assertEquals(CANCELLED, listener.awaitEnd(WAIT));
        assertEquals(StatusCode.NORMAL, connection.awaitClosed(WAIT).code());
        assertEquals(2, listener.size());
        assertFalse(relay.trySend(GaEvents.responseCreate()));
    }

    @Test
    void cancel_while_paused_still_closes_the_provider_connection() throws Exception {
        provider.script(Script.silent());
        RelayUpstream relay = connector.open(MODEL, listener);
        FakeRealtimeConnection connection = provider.takeConnection(WAIT);
        awaitRelayed(listener, 1);
        relay.pause();

        relay.cancel();

        assertEquals(CANCELLED, listener.awaitEnd(WAIT));
        assertEquals(StatusCode.NORMAL, connection.awaitClosed(WAIT).code());
    }

    @Test
    void cancel_drops_a_refused_event_and_ends_at_once() throws Exception {
        listener.refuseAt(1);
        RelayUpstream relay = connector.open(MODEL, listener);
        provider.takeConnection(WAIT);
        await().atMost(WAIT).until(() -> listener.offers() >= 1);
        listener.stopRefusing();

        relay.cancel();

        assertEquals(CANCELLED, listener.awaitEnd(WAIT));
        assertEquals(List.of(new UpstreamEvent.End(CANCELLED)), listener.events());
    }

    @Test
    void cancel_before_the_socket_opens_ends_the_relay_and_nothing_is_relayed_after() throws Exception {
        CompletableFuture<Void> upgrade = new CompletableFuture<>();
        provider.holdUpgradesUntil(upgrade);
        RelayUpstream relay = connector.open(MODEL, listener);
        provider.takeHandshake(WAIT);
        relay.trySend(GaEvents.responseCreate());

        relay.cancel();
        assertEquals(CANCELLED, listener.awaitEnd(WAIT));
        upgrade.complete(null);

        assertStaysAt(1, listener::offers);
        assertFalse(relay.trySend(GaEvents.responseCreate()));
    }

    @Test
    void cancel_in_the_middle_of_a_flood_ends_with_exactly_one_cancelled_end() throws Exception {
        provider.script(Script.ga(IntStream.range(0, 3_000).mapToObj(i -> "t" + i).toArray(String[]::new)));
        RelayUpstream relay = connector.open(MODEL, listener);
        listener.afterAccepting(100, relay::cancel);
        FakeRealtimeConnection connection = provider.takeConnection(WAIT);
        relay.trySend(GaEvents.responseCreate());

        assertEquals(CANCELLED, listener.awaitEnd(WAIT));
        assertEquals(101, listener.size());
        assertEquals(StatusCode.NORMAL, connection.awaitClosed(WAIT).code());
    }

    @Test
    void concurrent_cancels_deliver_exactly_one_end() throws Exception {
        RelayUpstream relay = connector.open(MODEL, listener);
        provider.takeConnection(WAIT);
        awaitRelayed(listener, 1);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> cancels = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                cancels.add(threads.submit(() -> {
                    go.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    relay.cancel();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> cancel : cancels) {
                cancel.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        assertEquals(CANCELLED, listener.awaitEnd(WAIT));
        assertStaysAt(2, listener::offers);
    }

    @Test
    void cancel_after_a_failure_adds_no_second_end() throws Exception {
        provider.script((connection, type, json) -> connection.close(1011, "boom"));
        RelayUpstream relay = connector.open(MODEL, listener);
        provider.takeConnection(WAIT);
        awaitRelayed(listener, 1);
        relay.trySend(GaEvents.responseCreate());
        listener.awaitFailure(WAIT);

        relay.cancel();

        assertStaysAt(2, listener::offers);
        assertInstanceOf(UpstreamOutcome.Failed.class, ((UpstreamEvent.End) listener.events().get(1)).outcome());
    }
}
