package dev.switchboard.bridge.realtime;

import static dev.switchboard.bridge.realtime.RealtimeFixtures.MODEL;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.RELAXED;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.SECRET;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.WAIT;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.config;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bridge.upstream.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Client events on the way up: bounded while they wait, written in order, never re-serialised. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayClientEventsTest {
    private FakeRealtimeServer provider;
    private final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void start() throws Exception {
        provider = FakeRealtimeServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        provider.close();
    }

    private RealtimeConnector connector(int maxFrames, long maxChars) {
        return RealtimeConnector.start(new RealtimeConfig("openai-realtime", provider.wsBaseUri(), Optional.of(SECRET),
                RELAXED, new RealtimeConfig.Limits(maxFrames, maxChars, 1024 * 1024)));
    }

    private static String append(int n, int audioBytes) {
        byte[] audio = new byte[audioBytes];
        audio[0] = (byte) n;
        return "{\"type\":\"input_audio_buffer.append\",\"event_id\":\"c" + n + "\",\"audio\":\""
                + Base64.getEncoder().encodeToString(audio) + "\"}";
    }

    @Test
    void beyond_the_pending_frame_bound_try_send_refuses_and_what_it_accepted_still_goes_up_in_order()
            throws Exception {
        CompletableFuture<Void> upgrade = new CompletableFuture<>();
        provider.script(Script.silent()).holdUpgradesUntil(upgrade);
        try (RealtimeConnector connector = connector(3, 1024 * 1024)) {
            RelayUpstream relay = connector.open(MODEL, listener);
            provider.takeHandshake(WAIT);

            assertTrue(relay.trySend(append(1, 10)));
            assertTrue(relay.trySend(append(2, 10)));
            assertTrue(relay.trySend(append(3, 10)));
            assertFalse(relay.trySend(append(4, 10)));

            upgrade.complete(null);
            FakeRealtimeConnection connection = provider.takeConnection(WAIT);
            assertEquals(List.of(append(1, 10), append(2, 10), append(3, 10)), connection.awaitReceived(3, WAIT));
            // Written events leave the bound, so the relay takes events again.
            await().atMost(WAIT).until(() -> relay.trySend(append(5, 10)));
            assertEquals(append(5, 10), connection.awaitReceived(4, WAIT).get(3));
        }
    }

    @Test
    void beyond_the_pending_size_bound_try_send_refuses_and_an_event_larger_than_the_bound_never_fits()
            throws Exception {
        CompletableFuture<Void> upgrade = new CompletableFuture<>();
        provider.script(Script.silent()).holdUpgradesUntil(upgrade);
        String event = append(1, 300);
        try (RealtimeConnector connector = connector(100, event.length() * 2L)) {
            RelayUpstream relay = connector.open(MODEL, listener);
            provider.takeHandshake(WAIT);

            assertFalse(relay.trySend(append(0, 1_000)));
            assertTrue(relay.trySend(event));
            assertTrue(relay.trySend(event));
            assertFalse(relay.trySend(event));

            upgrade.complete(null);
            assertEquals(List.of(event, event), provider.takeConnection(WAIT).awaitReceived(2, WAIT));
        }
    }

    @Test
    void a_burst_of_audio_appends_from_several_threads_arrives_whole_and_in_each_threads_order() throws Exception {
        provider.script(Script.silent());
        int perThread = 400;
        try (RealtimeConnector connector = RealtimeConnector.start(config(provider.wsBaseUri()))) {
            RelayUpstream relay = connector.open(MODEL, listener);
            FakeRealtimeConnection connection = provider.takeConnection(WAIT);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            List<Future<List<String>>> senders = new ArrayList<>();
            try {
                for (int t = 0; t < 2; t++) {
                    int thread = t;
                    senders.add(threads.submit(() -> sendAll(relay, thread, perThread)));
                }
                List<String> all = new ArrayList<>();
                for (Future<List<String>> sender : senders) {
                    all.addAll(sender.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
                }
                List<String> received = connection.awaitReceived(all.size(), WAIT);
                assertEquals(all.size(), received.size());
                for (List<String> sent : senderLists(senders)) {
                    Set<String> mine = new HashSet<>(sent);
                    assertEquals(sent, received.stream().filter(mine::contains).toList());
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }

    private static List<List<String>> senderLists(List<Future<List<String>>> senders) throws Exception {
        List<List<String>> lists = new ArrayList<>();
        for (Future<List<String>> sender : senders) {
            lists.add(sender.get());
        }
        return lists;
    }

    /** Sends {@code count} distinct appends, waiting (bounded) whenever the relay refuses one. */
    private static List<String> sendAll(RelayUpstream relay, int thread, int count) {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String event = append(thread * 100_000 + i, 2_400);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(() -> relay.trySend(event));
            sent.add(event);
        }
        return sent;
    }
}
