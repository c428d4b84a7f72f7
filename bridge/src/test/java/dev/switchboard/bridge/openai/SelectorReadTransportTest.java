package dev.switchboard.bridge.openai;

import static dev.switchboard.bridge.openai.OpenAiFixtures.RELAXED;
import static dev.switchboard.bridge.openai.OpenAiFixtures.WAIT;
import static dev.switchboard.bridge.openai.OpenAiFixtures.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bridge.fakeprovider.ScriptedProvider;
import dev.switchboard.bridge.sse.SelectorReadTransport;
import dev.switchboard.bridge.upstream.RecordingListener;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: on {@link SelectorReadTransport} a provider stream is read where its bytes are noticed, the selector
 * thread, instead of being handed to a pool thread per network read. (Jetty's default transport delivered the
 * same 30 reads on five different pool threads when this test was written.)
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SelectorReadTransportTest {
    private static Set<String> deliveringThreads(HttpClient client) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(16, 8);
        threads.setName("upstream");
        client.setExecutor(threads);
        client.start();
        try (ScriptedProvider provider = ScriptedProvider.start()) {
            Set<String> names = ConcurrentHashMap.newKeySet();
            RecordingListener listener = new RecordingListener()
                    .afterEachAccepted(position -> names.add(Thread.currentThread().getName()));
            // Gaps between the deltas make each one a network read of its own.
            provider.enqueue(OpenAiChunks.trickle(30, Duration.ofMillis(3)));
            OpenAiFixtures.connector(client, provider.baseUri(), RELAXED).open(simpleRequest(), listener);
            listener.awaitCompletion(WAIT);
            assertEquals(30, listener.deltaTexts().size());
            listener.assertContractHeld();
            return names;
        } finally {
            client.stop();
        }
    }

    @Test
    void every_read_of_a_stream_is_delivered_on_one_thread_the_selector() throws Exception {
        Set<String> names = deliveringThreads(SelectorReadTransport.newClient());

        assertEquals(1, names.size(), () -> "delivered on " + names);
    }

    @Test
    void a_read_after_one_that_emptied_the_socket_is_skipped_and_nothing_is_lost() throws Exception {
        SelectorReadTransport transport = new SelectorReadTransport();
        Set<String> names = deliveringThreads(new HttpClient(transport));

        // deliveringThreads checked that all 30 deltas and the end arrived in order; most gaps ended with an empty
        // socket, whose next read was answered without a system call.
        assertEquals(1, names.size(), () -> "delivered on " + names);
        assertTrue(transport.skippedReads() >= 15, () -> "skipped " + transport.skippedReads());
    }
}
