package dev.switchboard.bridge.realtime;

import static dev.switchboard.bridge.realtime.RealtimeFixtures.MODEL;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.WAIT;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.awaitRelayed;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.config;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.relayedJson;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bridge.upstream.RecordingListener;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: a relay's provider WebSocket is read where its bytes are noticed, the selector thread, instead of each
 * network read being handed to a pool thread. Jetty's default endpoint delivered 20 round trips' replies on
 * several different pool threads (the selector role moves to another thread at each hand-off); here they all come
 * on one. Thread names only, no timing.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayReadThreadTest {
    private static final int ROUND_TRIPS = 20;

    private FakeRealtimeServer provider;
    private RealtimeConnector connector;

    @BeforeEach
    void start() throws Exception {
        provider = FakeRealtimeServer.start();
        connector = RealtimeConnector.start(config(provider.httpBaseUri()));
    }

    @AfterEach
    void stop() {
        connector.close();
        provider.close();
    }

    @Test
    void every_reply_of_a_relay_is_delivered_on_one_thread_the_selector() throws Exception {
        String name = replyThread(connector);

        assertTrue(name.startsWith("realtime-"), () -> "delivered on " + name + ", not a thread of the connector");
    }

    @Test
    void a_connector_on_a_shared_executor_reads_on_its_threads_and_leaves_it_running_when_closed() throws Exception {
        QueuedThreadPool shared = new QueuedThreadPool(16, 2);
        shared.setName("shared-upstream");
        shared.start();
        try {
            RealtimeConnector onShared = RealtimeConnector.start(config(provider.httpBaseUri()), Optional.empty(),
                    shared);
            String name;
            try {
                name = replyThread(onShared);
            } finally {
                onShared.close();
            }

            assertTrue(name.startsWith("shared-upstream-"), () -> "delivered on " + name);
            assertTrue(shared.isRunning(), "closing the connector stopped the executor it was given");
        } finally {
            shared.stop();
        }
    }

    /** Relays {@link #ROUND_TRIPS} round trips one at a time and returns the one thread their replies came on. */
    private String replyThread(RealtimeConnector relays) throws Exception {
        provider.script(Script.ga());
        Set<String> names = ConcurrentHashMap.newKeySet();
        // The greeting may be read by the thread that demanded the first message; every later read is the
        // selector's.
        RecordingListener listener = new RecordingListener().afterEachAccepted(position -> {
            if (position > 1) {
                names.add(Thread.currentThread().getName());
            }
        });
        RelayUpstream relay = relays.open(MODEL, listener);
        FakeRealtimeConnection connection = provider.takeConnection(WAIT);
        awaitRelayed(listener, 1);

        // One at a time, so each reply is a network read of its own, arriving while the relay waits for it.
        for (int i = 1; i <= ROUND_TRIPS; i++) {
            assertTrue(relay.trySend("{\"type\":\"session.update\",\"session\":{\"instructions\":\"r" + i + "\"}}"));
            awaitRelayed(listener, 1 + i);
        }

        await().atMost(WAIT).until(() -> connection.sent().size() == 1 + ROUND_TRIPS);
        assertEquals(connection.sent(), relayedJson(listener));
        listener.assertContractHeld();
        assertEquals(1, names.size(), () -> "delivered on " + names);
        String name = List.copyOf(names).get(0);
        // The Cancelled End is delivered on this thread, after the names were taken.
        relay.cancel();
        return name;
    }
}
